// A MariaDB or Redis of a test's own, on a free port with its own data directory, that the test
// may stop, kill and start again without touching the machine's shared services.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './relay';

export interface OwnService {
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** Starts the server (again) on the same port and data; resolves when it answers. */
  start(): Promise<void>;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing is answered, as in a network partition. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

const MARIADBD = '/usr/sbin/mariadbd';

/** Whether this machine can run a server of its own; under CI=true a missing one is an error. */
export function requireBinary(path: string, what: string): boolean {
  const found = path.startsWith('/') ? existsSync(path) : which(path);
  if (!found && process.env.CI === 'true') throw new Error(`${what} (${path}) is required under CI=true`);
  return found;
}

function which(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms`);
}

function ownService(opts: {
  name: string;
  port: number;
  url: string;
  dir: string;
  command: string;
  args: string[];
  answers: () => Promise<boolean>;
}): OwnService {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const service: OwnService = {
    url: opts.url,
    port: opts.port,
    get running() {
      return child !== null;
    },
    async start() {
      if (child) return;
      const proc = spawn(opts.command, opts.args, { stdio: 'ignore' });
      process.once('exit', () => proc.kill('SIGKILL'));
      child = proc;
      exited = new Promise((resolve) => {
        proc.once('exit', () => {
          if (child === proc) child = null;
          resolve();
        });
      });
      await waitFor(opts.name, opts.answers, 30_000);
    },
    async stop(signal = 'SIGTERM') {
      if (!child) return;
      child.kill('SIGCONT'); // a paused process cannot exit
      child.kill(signal);
      await exited;
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async dispose() {
      await service.stop('SIGKILL');
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
  return service;
}

/** A MariaDB server with an empty root password on 127.0.0.1; `url` names database `parley`. */
export async function ownMariadb(): Promise<OwnService> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mariadb-'));
  const data = join(dir, 'data');
  execFileSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--user=root',
    ],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const mysql = await import('mysql2/promise');
  const service = ownService({
    name: 'mariadb',
    port,
    url: `mysql://root@127.0.0.1:${port}/parley`,
    dir,
    command: MARIADBD,
    args: [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      '--user=root',
      '--skip-log-bin',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
    ],
    answers: async () => {
      try {
        const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
        await conn.end();
        return true;
      } catch {
        return false;
      }
    },
  });
  await service.start();
  return service;
}

/** A Redis server on 127.0.0.1 without persistence. */
export async function ownRedis(): Promise<OwnService> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  const port = await freePort();
  const service = ownService({
    name: 'redis',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    answers: () => redisAnswers(port),
  });
  await service.start();
  return service;
}

export const canRunMariadb = () =>
  requireBinary(MARIADBD, 'mariadbd') && requireBinary('mariadb-install-db', 'mariadb-install-db');
export const canRunRedis = () => requireBinary('redis-server', 'redis-server');

/** PING over a raw socket: true on +PONG. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
