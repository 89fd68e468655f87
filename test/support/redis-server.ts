// A Redis of the test's own (`redis-server` on a free port, no persistence), so that a test can
// SIGKILL it and start it again on the same port without touching the Redis others share.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './relay';

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** SIGKILL: no shutdown, the relays' connections are cut as by a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty (nothing is saved). */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing is answered, as in a network partition. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Whether `redis-server` can be run; under CI=true a missing one is an error, not a skip. */
export function redisServerAvailable(): boolean {
  const present = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!present && process.env.CI === 'true') {
    throw new Error('redis-server not found on PATH; it is required under CI=true');
  }
  return present;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    process.once('exit', () => proc.kill('SIGKILL'));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  };

  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (!proc) return;
    child = null;
    proc.kill(sig);
    await exited;
  };

  await start();
  return {
    url,
    port,
    get running() {
      return child !== null;
    },
    kill: () => signal('SIGKILL'),
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    start,
    stop: () => signal('SIGTERM'),
  };
}
