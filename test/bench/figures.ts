// A server's figures at one group size, summarised over its measured closed-loop runs.
import type { ClosedLoopRun } from './load';
import { fmt } from './measure';
import { type Spread, spreadOf } from './repeat';

export interface LoadFigures {
  server: string;
  group: number;
  deliveriesPerSec: Spread;
  messagesPerSec: Spread;
  serverCpuUsPerDelivery: Spread;
  serverCpuUsPerMessage: Spread;
  serverCoreShare: Spread;
  generatorCoreShare: Spread;
  serverCoreNoise: Spread;
  loadCoreNoise: Spread;
  /** Runs that timed out before every accepted message reached every member. */
  incomplete: number;
  refused: number;
  failures: number;
  firstRefusal: string | undefined;
}

export function summarise(server: string, group: number, runs: ClosedLoopRun[]): LoadFigures {
  return {
    server,
    group,
    deliveriesPerSec: spreadOf(runs, (r) => r.deliveriesPerSec),
    messagesPerSec: spreadOf(runs, (r) => r.messagesPerSec),
    serverCpuUsPerDelivery: spreadOf(runs, (r) => r.serverCpuUsPerDelivery),
    serverCpuUsPerMessage: spreadOf(runs, (r) => r.serverCpuUsPerMessage),
    serverCoreShare: spreadOf(runs, (r) => r.serverCoreShare),
    generatorCoreShare: spreadOf(runs, (r) => r.generatorCoreShare),
    serverCoreNoise: spreadOf(runs, (r) => r.serverCoreNoise),
    loadCoreNoise: spreadOf(runs, (r) => r.loadCoreNoise),
    incomplete: runs.filter((r) => !r.complete).length,
    refused: runs.reduce((n, r) => n + r.refused, 0),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    firstRefusal: runs.find((r) => r.firstRefusal)?.firstRefusal,
  };
}

/** A generator busier than this may be what limits the run, not the server. */
export const GENERATOR_BOUND = 0.9;
/** Other processes taking more than this of a core make the throughput figures shaky. */
const NOISY = 0.1;

/** Notes for a row: `gen-bound` when the load core was saturated, and any timeouts or refusals. */
export function notes(f: LoadFigures): string {
  const out: string[] = [];
  if (f.generatorCoreShare.median >= GENERATOR_BOUND) out.push('gen-bound');
  const noise = Math.max(f.serverCoreNoise.median, f.loadCoreNoise.median);
  if (noise > NOISY) {
    out.push(
      `noisy: others took ${fmt(f.serverCoreNoise.median * 100, 0)}%/${fmt(f.loadCoreNoise.median * 100, 0)}% of cores 0/1`,
    );
  }
  if (f.incomplete > 0) out.push(`${f.incomplete} timed out`);
  if (f.refused > 0) out.push(`${f.refused} refused: ${f.firstRefusal ?? '?'}`);
  if (f.failures > 0) out.push(`${f.failures} failed to decrypt`);
  return out.join('; ');
}
