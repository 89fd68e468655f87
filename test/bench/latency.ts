// Latency at fixed offered loads: open-loop runs at fractions of bare ws's saturation throughput
// at the same group size (its median messages/s in the closed loop), the same rate for every
// server, pre-sealed envelopes as in the relay load.
import { waitUntilIdle } from './cpu';
import { type LoadFigures, summarise } from './figures';
import { runClosedLoop } from './load';
import { fmt, printTable } from './measure';
import { SealedPool } from './pool';
import { type OpenLoopRun, runOpenLoop } from './rates';
import { fmtSpread, rotate, type Spread, spreadOf } from './repeat';
import type { Room } from './room';
import type { Stage } from './stage';

export interface LatencyOptions {
  seconds: number;
  rounds: number;
  /** Fractions of ws saturation, e.g. 0.25 and 0.5. */
  loads: number[];
  window: number;
}

export interface LatencyFigures {
  server: string;
  group: number;
  load: number;
  ratePerSec: number;
  p50Ms: Spread;
  p95Ms: Spread;
  p99Ms: Spread;
  /** Deliveries that arrived before the run ended, over all that were due. */
  deliveredShare: Spread;
  serverCoreNoise: Spread;
  loadCoreNoise: Spread;
  refused: number;
  firstRefusal: string | undefined;
}

/** ws's saturation throughput at this size: from the relay load when it ran, measured here otherwise. */
export async function wsSaturation(stage: Stage, relayFigures: LoadFigures[] | undefined, window: number) {
  const known = relayFigures?.find((f) => f.server === stage.ws.server.name)?.messagesPerSec.median;
  if (known !== undefined && Number.isFinite(known)) return known;
  const pool = new SealedPool(stage.cast, Math.max(3000, stage.cast.senders.length * window * 4));
  const runs = [];
  for (let i = 0; i < 3; i++)
    runs.push(await runClosedLoop(stage.ws, { seconds: 1, window, source: pool.source(true) }));
  return summarise(stage.ws.server.name, stage.group, runs.slice(1)).messagesPerSec.median;
}

export async function latencyAt(
  stage: Stage,
  saturation: number,
  opts: LatencyOptions,
): Promise<LatencyFigures[]> {
  const out: LatencyFigures[] = [];
  for (const load of opts.loads) {
    const ratePerSec = load * saturation;
    const sized = (seconds: number) => Math.ceil(ratePerSec * seconds) + 10;
    const pools = new Map<number, SealedPool>();
    const poolFor = (round: number) => {
      let pool = pools.get(round);
      if (!pool) {
        pools.clear();
        pool = new SealedPool(stage.cast, sized(opts.seconds));
        pools.set(round, pool);
      }
      return pool;
    };
    const run = async (room: Room, pool: SealedPool, seconds: number): Promise<OpenLoopRun> => {
      const result = await runOpenLoop(room, { ratePerSec, seconds, source: pool.source(false) });
      await waitUntilIdle(room.server.pid);
      return result;
    };
    const warm = new SealedPool(stage.cast, sized(0.5));
    const results = await rotate(
      stage.rooms,
      opts.rounds,
      (room, round) => run(room, poolFor(round), opts.seconds),
      {
        warmUp: (room) => run(room, warm, 0.5),
      },
    );
    for (const room of stage.rooms) {
      const runs = results.get(room) ?? [];
      out.push({
        server: room.server.name,
        group: stage.group,
        load,
        ratePerSec,
        p50Ms: spreadOf(runs, (r) => r.p50Ms),
        p95Ms: spreadOf(runs, (r) => r.p95Ms),
        p99Ms: spreadOf(runs, (r) => r.p99Ms),
        deliveredShare: spreadOf(runs, (r) => r.delivered / r.expected),
        serverCoreNoise: spreadOf(runs, (r) => r.serverCoreNoise),
        loadCoreNoise: spreadOf(runs, (r) => r.loadCoreNoise),
        refused: runs.reduce((n, r) => n + r.refused, 0),
        firstRefusal: runs.find((r) => r.firstRefusal)?.firstRefusal,
      });
    }
  }
  return out;
}

export function printLatency(figures: LatencyFigures[]): void {
  printTable(
    'Latency at fixed offered loads (open loop; scheduled send → arrival at each member; ms, median (range))',
    ['group', 'load', 'msgs/s', 'server', 'p50', 'p95', 'p99', 'delivered', 'notes'],
    figures.map((f) => [
      String(f.group),
      `${fmt(f.load * 100, 0)}% ws`,
      fmt(f.ratePerSec, 0),
      f.server,
      fmtSpread(f.p50Ms, 2),
      fmtSpread(f.p95Ms, 2),
      fmtSpread(f.p99Ms, 2),
      `${fmt(f.deliveredShare.median * 100, 1)}%`,
      latencyNotes(f),
    ]),
  );
}

function latencyNotes(f: LatencyFigures): string {
  const out: string[] = [];
  if (f.refused > 0) out.push(`${f.refused} refused: ${f.firstRefusal ?? '?'}`);
  const noise = Math.max(f.serverCoreNoise.median, f.loadCoreNoise.median);
  if (noise > 0.1)
    out.push(
      `noisy: others took ${fmt(f.serverCoreNoise.median * 100, 0)}%/${fmt(f.loadCoreNoise.median * 100, 0)}% of cores 0/1`,
    );
  return out.join('; ');
}
