// The relay load: pre-sealed real envelopes replayed by the senders in a closed loop, so that the
// load generator does no crypto in the timed window and what is measured is the server. Parley
// checks, stores, orders and fans out each one; the baselines only forward the same bytes.
import { waitUntilIdle } from './cpu';
import { type LoadFigures, notes, summarise } from './figures';
import { type ClosedLoopRun, runClosedLoop } from './load';
import { printTable } from './measure';
import { SealedPool } from './pool';
import { fmtSpread, rotate } from './repeat';
import type { Room } from './room';
import type { Stage } from './stage';

export interface RelayLoadOptions {
  seconds: number;
  window: number;
  rounds: number;
}

/** Envelopes sealed up front for the warm-up (and a first guess at Parley's rate). */
const WARM_UP_POOL = 3000;

export async function relayLoad(stage: Stage, opts: RelayLoadOptions): Promise<LoadFigures[]> {
  return closedLoopRounds(stage.rooms, stage.group, opts, (room) => room === stage.parley);
}

/**
 * The sender's path: Parley with only LEAN_SOCKETS members online in a channel of `group`. Socket
 * writes are then the same at every group size, and what grows with the member count (membership
 * and share-coverage checks, member lookups) is what its CPU per sent message shows.
 */
export async function senderPathLoad(
  room: Room,
  group: number,
  opts: RelayLoadOptions,
): Promise<LoadFigures> {
  const [figures] = await closedLoopRounds([room], group, opts, () => true);
  return { ...(figures as LoadFigures), server: `Parley, ${room.size} of ${group} online` };
}

/**
 * Warm-up and rotating rounds of the closed loop over `rooms`, each round with one fresh pool of
 * sealed envelopes; `unique` rooms (Parley) may use each envelope once, the others cycle.
 */
async function closedLoopRounds(
  rooms: Room[],
  group: number,
  opts: RelayLoadOptions,
  unique: (room: Room) => boolean,
): Promise<LoadFigures[]> {
  const cast = (rooms[0] as Room).cast;
  // Each sender's pool must outlast its window several times over: the baselines cycle it, and an
  // envelope may not be in flight twice.
  const floor = cast.senders.length * opts.window * 4;
  let uniqueRate = 0;
  const pools = new Map<number, SealedPool>();
  const poolFor = (round: number) => {
    let pool = pools.get(round);
    if (!pool) {
      pools.clear(); // one round at a time: the sealed frames of past rounds are garbage
      pool = new SealedPool(cast, Math.max(floor, Math.ceil(uniqueRate * opts.seconds * 1.5)));
      pools.set(round, pool);
    }
    return pool;
  };
  const run = async (room: Room, pool: SealedPool, seconds: number): Promise<ClosedLoopRun> => {
    const once = unique(room);
    const result = await runClosedLoop(room, { seconds, window: opts.window, source: pool.source(!once) });
    if (once) uniqueRate = Math.max(uniqueRate, result.messagesPerSec);
    await waitUntilIdle(room.server.pid);
    return result;
  };
  const warm = new SealedPool(cast, Math.max(floor, WARM_UP_POOL));
  const results = await rotate(rooms, opts.rounds, (room, round) => run(room, poolFor(round), opts.seconds), {
    warmUp: (room) => run(room, warm, Math.min(1, opts.seconds)),
  });
  return rooms.map((room) => summarise(room.server.name, group, results.get(room) ?? []));
}

export function printLoad(title: string, figures: LoadFigures[]): void {
  printTable(
    title,
    [
      'group',
      'server',
      'server CPU µs/delivery',
      'deliveries/s',
      'msgs/s',
      'server core',
      'gen core',
      'notes',
    ],
    figures.map((f) => [
      String(f.group),
      f.server,
      fmtSpread(f.serverCpuUsPerDelivery, 2),
      fmtSpread(f.deliveriesPerSec, 0),
      fmtSpread(f.messagesPerSec, 0),
      fmtSpread(f.serverCoreShare, 2),
      fmtSpread(f.generatorCoreShare, 2),
      notes(f),
    ]),
  );
}

export function printSenderPath(figures: LoadFigures[]): void {
  printTable(
    "Sender's path: the same channels with only two members online (equal socket writes at every size)",
    ['group', 'server', 'server CPU µs/sent message', 'msgs/s', 'server core', 'notes'],
    figures.map((f) => [
      String(f.group),
      f.server,
      fmtSpread(f.serverCpuUsPerMessage, 1),
      fmtSpread(f.messagesPerSec, 0),
      fmtSpread(f.serverCoreShare, 2),
      notes(f),
    ]),
  );
}
