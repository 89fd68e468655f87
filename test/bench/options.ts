// Every knob of `npm run bench`, read once from the environment (run.ts documents them).

export const SECTIONS = [
  'crypto',
  'relay',
  'e2e',
  'latency',
  'connect',
  'memory',
  'store',
  'web',
  'search',
  'kt',
] as const;
export type Section = (typeof SECTIONS)[number];

/** kt registers tens of thousands of accounts (minutes): run it only when asked for. */
const DEFAULT_SECTIONS: Section[] = SECTIONS.filter((s) => s !== 'kt');

export interface BenchOptions {
  sections: Set<Section>;
  /** Group sizes of the relay load (and the pool the e2e and latency sizes are taken from). */
  groups: number[];
  e2eGroups: number[];
  latencyGroups: number[];
  /** Measured repeats of every variant, after one warm-up run each. */
  rounds: number;
  /** Length of one closed-loop load run's sending phase. */
  seconds: number;
  /** Length of one open-loop latency run's sending phase. */
  latencySeconds: number;
  /** Fractions of bare-ws saturation the latency runs send at. */
  latencyLoads: number[];
  senders: number;
  /** Unacknowledged sends each sender keeps in flight in the closed loop. */
  window: number;
  connectN: number;
  connectConcurrency: number;
  /** Length of one store run. */
  storeMs: number;
  storeMembers: number;
  storeBatches: number[];
  /** The MySQL server of the store section; the bench makes (and drops) its own database on it. */
  mysqlUrl: string;
  /** A built web app to measure instead of building one into a temp directory. */
  webDist: string | undefined;
  webLoads: number;
  out: string | undefined;
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function numbers(value: string | undefined, fallback: string): number[] {
  const out = list(value, fallback).map(Number);
  const bad = out.find((n) => !Number.isFinite(n) || n <= 0);
  if (bad !== undefined) throw new Error(`bench: not a positive number list: ${value}`);
  return out;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`bench: ${name} must be a positive number, got ${raw}`);
  return n;
}

export function readOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const names = list(env.BENCH_SECTIONS, DEFAULT_SECTIONS.join(','));
  const unknown = names.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`bench: unknown sections ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
  const groups = numbers(env.BENCH_GROUPS, '2,100,1000');
  const within = (sizes: number[]) => sizes.filter((g) => groups.includes(g));
  return {
    sections: new Set(names as Section[]),
    groups,
    e2eGroups: within(numbers(env.BENCH_E2E_GROUPS, '2,100')),
    latencyGroups: within(numbers(env.BENCH_LATENCY_GROUPS, '2,100')),
    rounds: Math.round(positive('BENCH_ROUNDS', 3)),
    seconds: positive('BENCH_SECONDS', 2),
    latencySeconds: positive('BENCH_LATENCY_SECONDS', 2),
    latencyLoads: numbers(env.BENCH_LATENCY_LOADS, '0.25,0.5'),
    senders: Math.round(positive('BENCH_SENDERS', 4)),
    window: Math.round(positive('BENCH_WINDOW', 32)),
    connectN: Math.round(positive('BENCH_CONNECT_N', 2000)),
    connectConcurrency: Math.round(positive('BENCH_CONNECT_CONCURRENCY', 64)),
    storeMs: positive('BENCH_STORE_MS', 1500),
    storeMembers: Math.round(positive('BENCH_STORE_MEMBERS', 100)),
    storeBatches: numbers(env.BENCH_STORE_BATCHES, '1,32,200'),
    mysqlUrl: env.MYSQL_URL?.trim() || 'mysql://root@127.0.0.1:3306/parley_bench',
    webDist: env.BENCH_WEB_DIST?.trim() || undefined,
    webLoads: Math.round(positive('BENCH_WEB_LOADS', 5)),
    out: env.BENCH_OUT?.trim() || undefined,
  };
}
