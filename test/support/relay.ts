// A real relay process for integration tests: `node --import tsx server/src/index.ts` on a free
// port, with its own data directory (SQLite by default) and its stdout/stderr captured to a log
// file. It can be killed with any signal and restarted on the same port and database.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvSchema } from '@parley/server/env';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RelayOptions {
  /** `mysql://…` or a SQLite path; defaults to `<dataDir>/parley.db`. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra environment (wins over the defaults below). */
  env?: Record<string, string>;
  /** Names the temp directory and log file, e.g. the test file. */
  name?: string;
  /** Reuse this port (e.g. a second relay must not); default: a free one. */
  port?: number;
  /** Give up waiting for the relay to answer after this long. */
  startTimeoutMs?: number;
  /** Run the relay from this checkout (a benchmark's baseline); default: this repository. */
  checkout?: string;
  /** Extra node flags, e.g. `--cpu-prof` (which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
  /** Use this data directory (prepared by the test, e.g. a restored backup) instead of a new one. */
  dataDir?: string;
  /** Run the compiled relay (server/dist/index.js, `npm run build`) instead of the sources under tsx. */
  compiled?: boolean;
}

export interface Relay {
  readonly url: string;
  /** The Origin a browser on the relay's page sends. */
  readonly origin: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** SQLite file path, or null for MySQL. */
  readonly sqliteFile: string | null;
  readonly logFile: string;
  readonly running: boolean;
  /** Process id of the running relay, or null when stopped. */
  readonly pid: number | null;
  /** Everything the relay wrote to stdout and stderr, across restarts. */
  logs(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again on the same port, data directory and database. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
  /** Stops and removes the data directory (the logs and the SQLite file with it). */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `parley-${options.name ?? 'relay'}-`));
  const port = options.port ?? (await freePort());
  const databaseUrl = options.databaseUrl ?? join(dataDir, 'parley.db');
  const logFile = join(dataDir, 'relay.log');
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...stripRelayEnv(process.env),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SCRYPT_LOG_N: '10',
    // Every test user registers from 127.0.0.1.
    REGISTER_MAX_PER_IP: '100000',
    // Key-log epochs every 100 ms, so that tests do not wait a second for a new account's binding.
    KT_EPOCH_MS: '100',
    LOG_LEVEL: 'debug',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  };
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    const entry = options.compiled ? ['server/dist/index.js'] : ['--import', 'tsx', 'server/src/index.ts'];
    const args = [...(options.nodeArgs ?? []), ...entry];
    const proc = spawn(process.execPath, args, {
      cwd: options.checkout ?? REPO_ROOT,
      env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    live.add(proc);
    child = proc;
    exited = new Promise((resolve) => {
      proc.once('exit', () => {
        live.delete(proc);
        if (child === proc) child = null;
        resolve();
      });
    });
    await waitUntilUp(url, () => child === proc, options.startTimeoutMs ?? 30_000, logFile);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child as ChildProcess | null;
    if (!proc) return;
    const done = exited;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
  };

  await launch();
  const relay: Relay = {
    url,
    origin: url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    databaseUrl,
    sqliteFile: databaseUrl.startsWith('mysql:') ? null : databaseUrl,
    logFile,
    get running() {
      return child !== null;
    },
    get pid() {
      return (child as ChildProcess | null)?.pid ?? null;
    },
    logs: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    kill,
    restart: async () => {
      await kill('SIGTERM');
      await launch();
    },
    stop: () => kill('SIGTERM'),
    dispose: async () => {
      await kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return relay;
}

/** The test's environment minus every variable the relay reads, so a developer's shell can't leak in. */
export function stripRelayEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const own = new Set(Object.keys(EnvSchema.shape));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !own.has(k)) out[k] = v;
  return out;
}

async function waitUntilUp(
  url: string,
  alive: () => boolean,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`relay exited during start:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/api/auth/kdf?username=probe`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relay did not answer within ${timeoutMs} ms:\n${tail(logFile)}`);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
}
