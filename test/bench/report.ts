// The run's record: test-artifacts/bench.json with every figure, every ratio and the goals, and
// the closing "Targets" table. A goal whose section did not run has value null and is not met.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../support/relay';
import type { CryptoFigures } from './crypto';
import type { LoadFigures } from './figures';
import type { GroupResults } from './groups';
import type { LatencyFigures } from './latency';
import { fmt, printTable } from './measure';
import type { BenchOptions } from './options';
import type { SearchFigures } from './search';
import type { SocketFigures } from './sockets';
import type { StoreFigures } from './store';
import type { WebFigures } from './web';

/** Each section's figures; undefined when it was not run or failed. */
export interface BenchResults {
  crypto?: CryptoFigures | undefined;
  groups?: GroupResults | undefined;
  sockets?: SocketFigures[] | undefined;
  store?: StoreFigures | undefined;
  web?: WebFigures | undefined;
  search?: SearchFigures | undefined;
}

export interface Target {
  value: number | null;
  goal: number;
  better: 'lower' | 'higher';
  met: boolean;
}

const PARLEY = 'Parley relay';
const WS = 'bare ws';
const SOCKET_IO = 'Socket.IO';

function loadOf(figures: LoadFigures[] | undefined, server: string, group: number): LoadFigures | undefined {
  return figures?.find((f) => f.server === server && f.group === group);
}

function latencyOf(r: BenchResults, server: string, group: number, load: number): LatencyFigures | undefined {
  return r.groups?.latency.find((f) => f.server === server && f.group === group && f.load === load);
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? Number.NaN : a / b;

/** Parley over a baseline, for every group size a load section ran at. */
function loadRatios(figures: LoadFigures[] | undefined) {
  const out: Record<string, Record<string, number>> = {};
  for (const group of new Set((figures ?? []).map((f) => f.group))) {
    const p = loadOf(figures, PARLEY, group);
    const w = loadOf(figures, WS, group);
    const s = loadOf(figures, SOCKET_IO, group);
    out[`g${group}`] = {
      cpuPerDeliveryVsWs: ratio(p?.serverCpuUsPerDelivery.median, w?.serverCpuUsPerDelivery.median),
      cpuPerDeliveryVsSocketIo: ratio(p?.serverCpuUsPerDelivery.median, s?.serverCpuUsPerDelivery.median),
      throughputVsWs: ratio(p?.deliveriesPerSec.median, w?.deliveriesPerSec.median),
      throughputVsSocketIo: ratio(p?.deliveriesPerSec.median, s?.deliveriesPerSec.median),
    };
  }
  return out;
}

function latencyRatios(r: BenchResults) {
  const out: Record<string, Record<string, number>> = {};
  for (const f of r.groups?.latency ?? []) {
    if (f.server !== PARLEY) continue;
    const w = latencyOf(r, WS, f.group, f.load);
    out[`g${f.group}_load${f.load}`] = {
      p50VsWs: ratio(f.p50Ms.median, w?.p50Ms.median),
      p95VsWs: ratio(f.p95Ms.median, w?.p95Ms.median),
      p99VsWs: ratio(f.p99Ms.median, w?.p99Ms.median),
    };
  }
  return out;
}

/**
 * relay_cpu_n1000_vs_n2: relay CPU per sent message at N=1000 over that at N=2, on the sender's
 * path. Socket writes grow with N for any relay, so per-delivery figures of the full rooms cannot
 * tell the sender's path from the fan-out. Instead the channel of N members is measured with only
 * two of them online (relay.ts, senderPathLoad): every message then costs the same two socket
 * writes at any N, and what is left to grow with N is what the relay does per member on the way
 * in (membership and share-coverage checks, member lookups, anything O(N) per send or batch).
 * 1 means the sender's path does not depend on the group size.
 */
function senderPathGrowth(senderPath: LoadFigures[] | undefined): number {
  const at = (group: number) => senderPath?.find((f) => f.group === group)?.serverCpuUsPerMessage.median;
  return ratio(at(1000), at(2));
}

function target(value: number, goal: number, better: Target['better']): Target {
  const v = Number.isFinite(value) ? value : null;
  return { value: v, goal, better, met: v !== null && (better === 'lower' ? v <= goal : v >= goal) };
}

export function targets(r: BenchResults): Record<string, Target> {
  const relay = loadRatios(r.groups?.relay);
  const at = (group: number, key: string) => relay[`g${group}`]?.[key] ?? Number.NaN;
  const out: Record<string, Target> = {};
  for (const g of [2, 100, 1000])
    out[`relay_cpu_per_delivery_vs_ws_g${g}`] = target(at(g, 'cpuPerDeliveryVsWs'), 1.5, 'lower');
  for (const g of [2, 100, 1000])
    out[`throughput_vs_ws_g${g}`] = target(at(g, 'throughputVsWs'), 0.7, 'higher');
  for (const g of [2, 100, 1000])
    out[`throughput_vs_socketio_g${g}`] = target(at(g, 'throughputVsSocketIo'), 2, 'higher');
  const half = (server: string) => latencyOf(r, server, 2, 0.5);
  out.p99_vs_ws_half_saturation_g2 = target(
    ratio(half(PARLEY)?.p99Ms.median, half(WS)?.p99Ms.median),
    2,
    'lower',
  );
  out.p95_ms_half_saturation_g2 = target(half(PARLEY)?.p95Ms.median ?? Number.NaN, 50, 'lower');
  out.relay_cpu_n1000_vs_n2 = target(senderPathGrowth(r.groups?.senderPath), 1.2, 'lower');
  const memory = (server: string) => r.sockets?.find((f) => f.server === server)?.heapBytesPerSocket?.median;
  out.idle_socket_memory_vs_ws = target(ratio(memory(PARLEY), memory(WS)), 1.5, 'lower');
  for (const d of ['sqlite', 'mysql'] as const) {
    out[`batched_vs_autocommit_${d}`] = target(r.store?.batchedVsAutocommit[d] ?? Number.NaN, 10, 'higher');
  }
  for (const d of ['sqlite', 'mysql'] as const) {
    out[`drizzle_vs_raw_${d}`] = target(r.store?.storeVsRaw[d] ?? Number.NaN, 0.8, 'higher');
  }
  out.critical_js_gzip_kb = target(r.web ? r.web.bytes.js.gzip / 1000 : Number.NaN, 170, 'lower');
  return out;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable)';
  }
}

export interface RunInfo {
  startedAt: string;
  loadavgAtStart: number[];
  pinned: { bench: string; serverCore: number; loadCore: number; taskset: boolean };
  /** Sections that failed, with their error. */
  failures: Record<string, string>;
}

/** Writes bench.json (non-finite numbers as null) and returns its path. */
export function writeReport(
  r: BenchResults,
  info: RunInfo,
  opts: BenchOptions,
): { path: string; targets: Record<string, Target> } {
  const goals = targets(r);
  const record = {
    meta: {
      ...info,
      finishedAt: new Date().toISOString(),
      loadavgAtEnd: loadavg(),
      node: process.version,
      commit: git(['rev-parse', 'HEAD']),
      parleyRef: process.env.BENCH_PARLEY_REF ?? null,
      dirtyTree: (git(['status', '--porcelain']) ?? '') !== '',
      cpus: cpus().length,
      options: { ...opts, sections: [...opts.sections], mysqlUrl: withoutPassword(opts.mysqlUrl) },
    },
    targets: goals,
    ratios: { relay: loadRatios(r.groups?.relay), e2e: loadRatios(r.groups?.e2e), latency: latencyRatios(r) },
    figures: r,
  };
  const path = opts.out ?? join(REPO_ROOT, 'test-artifacts', 'bench.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
  return { path, targets: goals };
}

export function printTargets(goals: Record<string, Target>): void {
  printTable(
    'Targets',
    ['target', 'value', 'goal', 'met'],
    Object.entries(goals).map(([name, t]) => [
      name,
      t.value === null ? 'not run' : fmt(t.value, 2),
      `${t.better === 'lower' ? '≤' : '≥'} ${t.goal}`,
      t.value === null ? '-' : t.met ? 'yes' : 'NO',
    ]),
  );
}
