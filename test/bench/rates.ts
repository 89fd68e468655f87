// The open-loop load: messages leave on a fixed schedule (`ratePerSec`, the senders taking turns)
// whether or not earlier ones were answered, as users do. Latency is measured from each message's
// scheduled send time to its arrival at each member, so a server that falls behind is charged for
// the queue it builds (no coordinated omission). A delivery still missing when the run ends counts
// with the time it had been waiting by then: a lower bound, never a dropped sample.
import { coreBusy, coreNoise, cpuMark, cpuSince, LOAD_CORE, ownCpuMicros, SERVER_CORE } from './cpu';
import { clientMsgIdOf, type Frame } from './frames';
import { percentile } from './measure';
import type { EnvelopeSource } from './pool';
import type { Room } from './room';

export interface OpenLoopOptions {
  ratePerSec: number;
  seconds: number;
  source: EnvelopeSource;
  drainMs?: number;
}

export interface OpenLoopRun {
  ratePerSec: number;
  sent: number;
  refused: number;
  /** Deliveries that arrived, of sent × room size. */
  delivered: number;
  expected: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCoreShare: number;
  /** Share of the server core, and of the load core, that other processes took meanwhile. */
  serverCoreNoise: number;
  loadCoreNoise: number;
  firstRefusal: string | undefined;
}

export function runOpenLoop(room: Room, opts: OpenLoopOptions): Promise<OpenLoopRun> {
  const senders = room.cast.senders.length;
  const total = Math.max(1, Math.round(opts.ratePerSec * opts.seconds));
  const interval = 1000 / opts.ratePerSec;
  const scheduledAt = new Float64Array(total);
  const got = new Uint32Array(total);
  const index = new Map<string, number>();
  const latencies: number[] = [];
  let sent = 0;
  let refused = 0;
  let delivered = 0;
  let firstRefusal: string | undefined;
  let finished = false;
  let sendingOver = false;

  return new Promise((resolve) => {
    const cpu = cpuMark(room.server.pid);
    const gen = ownCpuMicros();
    const cores = coreBusy();
    const start = performance.now() + 5;
    let drainTimer: NodeJS.Timeout | undefined;

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      const end = performance.now();
      const serverCpu = cpuSince(cpu);
      const wall = (end - start) * 1000;
      const serverCoreNoise = coreNoise(cores, SERVER_CORE, serverCpu, wall);
      const loadCoreNoise = coreNoise(cores, LOAD_CORE, ownCpuMicros() - gen, wall);
      room.reset();
      for (let k = 0; k < sent; k++) {
        const waited = end - (scheduledAt[k] ?? end);
        for (let missing = room.size - (got[k] ?? 0); missing > 0; missing--) latencies.push(waited);
      }
      latencies.sort((a, b) => a - b);
      resolve({
        ratePerSec: opts.ratePerSec,
        sent,
        refused,
        delivered,
        expected: sent * room.size,
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1) ?? Number.NaN,
        serverCoreShare: serverCpu / wall,
        serverCoreNoise,
        loadCoreNoise,
        firstRefusal,
      });
    };
    // A refused send is never delivered: the run is over once the rest have arrived.
    const allIn = () => sendingOver && delivered + refused * room.size >= sent * room.size;
    const doneSending = () => {
      sendingOver = true;
      drainTimer = setTimeout(finish, opts.drainMs ?? 5_000);
      if (allIn()) finish();
    };
    // setImmediate, not setTimeout: the schedule keeps microsecond precision (timers round to a
    // millisecond, which would blur the fastest server's latency). The load core spins, by design.
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const envelope = opts.source.next(sent % senders);
        if (!envelope) return doneSending();
        scheduledAt[sent] = start + sent * interval;
        index.set(envelope.clientMsgId, sent);
        sent++;
        room.send(envelope);
      }
      if (sent < total) setImmediate(tick);
      else doneSending();
    };

    room.events = {
      delivered(frame: Frame, at: number) {
        const id = clientMsgIdOf(frame);
        const k = id === null ? undefined : index.get(id);
        if (k === undefined) return;
        latencies.push(at - (scheduledAt[k] ?? at));
        got[k] = (got[k] ?? 0) + 1;
        delivered++;
        if (allIn()) finish();
      },
      accepted() {},
      refused(_s, id, reason) {
        if (!index.has(id)) return;
        refused++;
        firstRefusal ??= reason;
        if (allIn()) finish();
      },
    };
    setImmediate(tick);
  });
}
