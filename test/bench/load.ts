// The closed-loop load: each sender keeps `window` sends unaccepted at most and sends the next one
// as each is accepted, for `seconds`; the run ends when every accepted message has reached every
// member of the room. Throughput is deliveries over that whole time, and the server's CPU over the
// same interval, read from /proc, gives its CPU time per delivered message.
import { coreBusy, coreNoise, cpuMark, cpuSince, LOAD_CORE, ownCpuMicros, SERVER_CORE } from './cpu';
import { openDelivery, type Sender } from './envelopes';
import { clientMsgIdOf, type Frame } from './frames';
import type { EnvelopeSource } from './pool';
import type { Room } from './room';

export interface ClosedLoopOptions {
  seconds: number;
  window: number;
  source: EnvelopeSource;
  /** Decrypt and verify each delivery before counting it (the end-to-end load), with these senders' keys. */
  openWith?: ReadonlyMap<string, Sender>;
  /** How long to wait after the sending phase for the last deliveries. */
  drainMs?: number;
}

export interface ClosedLoopRun {
  sent: number;
  accepted: number;
  refused: number;
  /** Deliveries counted (decrypted and verified, in the end-to-end load). */
  deliveries: number;
  /** accepted × room size. */
  expected: number;
  /** Deliveries that failed to decrypt or verify. */
  failures: number;
  seconds: number;
  messagesPerSec: number;
  deliveriesPerSec: number;
  serverCpuUsPerDelivery: number;
  serverCpuUsPerMessage: number;
  /** Server CPU over wall time: 1 means its core was saturated. */
  serverCoreShare: number;
  /** This process's CPU over wall time: near 1, the load generator may be what limits the run. */
  generatorCoreShare: number;
  /** Share of the server core, and of the load core, that other processes took meanwhile. */
  serverCoreNoise: number;
  loadCoreNoise: number;
  complete: boolean;
  firstRefusal: string | undefined;
}

export function runClosedLoop(room: Room, opts: ClosedLoopOptions): Promise<ClosedLoopRun> {
  const senders = room.cast.senders.length;
  const ours = new Set<string>();
  const inflight = new Array<number>(senders).fill(0);
  const exhausted = new Array<boolean>(senders).fill(false);
  let sent = 0;
  let accepted = 0;
  let refused = 0;
  let deliveries = 0;
  let failures = 0;
  let firstRefusal: string | undefined;
  let sending = true;
  let finished = false;

  return new Promise((resolve) => {
    const start = performance.now();
    const deadline = start + opts.seconds * 1000;
    const cpu = cpuMark(room.server.pid);
    const gen = ownCpuMicros();
    const cores = coreBusy();

    const finish = (complete: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(stopTimer);
      clearTimeout(drainTimer);
      const serverCpu = cpuSince(cpu);
      const genCpu = ownCpuMicros() - gen;
      const seconds = (performance.now() - start) / 1000;
      room.reset();
      resolve({
        sent,
        accepted,
        refused,
        deliveries,
        expected: accepted * room.size,
        failures,
        seconds,
        messagesPerSec: accepted / seconds,
        deliveriesPerSec: deliveries / seconds,
        serverCpuUsPerDelivery: serverCpu / deliveries,
        serverCpuUsPerMessage: serverCpu / accepted,
        serverCoreShare: serverCpu / 1e6 / seconds,
        generatorCoreShare: genCpu / 1e6 / seconds,
        serverCoreNoise: coreNoise(cores, SERVER_CORE, serverCpu, seconds * 1e6),
        loadCoreNoise: coreNoise(cores, LOAD_CORE, genCpu, seconds * 1e6),
        complete,
        firstRefusal,
      });
    };
    const settledIfDone = () => {
      if (sending && !exhausted.every(Boolean)) return;
      if (inflight.some((n) => n > 0)) return;
      if (deliveries + failures >= accepted * room.size) finish(true);
    };
    const pump = (s: number) => {
      while (sending && (inflight[s] ?? 0) < opts.window) {
        if (performance.now() >= deadline) {
          sending = false;
          break;
        }
        const envelope = opts.source.next(s);
        if (!envelope) {
          exhausted[s] = true;
          break;
        }
        ours.add(envelope.clientMsgId);
        inflight[s] = (inflight[s] ?? 0) + 1;
        sent++;
        room.send(envelope);
      }
      settledIfDone();
    };
    const answered = (s: number, id: string): boolean => {
      if (id !== '' && !ours.has(id)) return false; // a late answer from an earlier run
      inflight[s] = (inflight[s] ?? 1) - 1;
      return true;
    };

    room.events = {
      delivered(frame: Frame) {
        const id = clientMsgIdOf(frame);
        if (id === null || !ours.has(id)) return;
        if (opts.openWith) {
          try {
            openDelivery(frame, opts.openWith);
          } catch {
            failures++;
            return settledIfDone();
          }
        }
        deliveries++;
        settledIfDone();
      },
      accepted(s, id) {
        if (!answered(s, id)) return;
        accepted++;
        pump(s);
      },
      refused(s, id, reason) {
        if (!answered(s, id)) return;
        refused++;
        firstRefusal ??= reason;
        pump(s);
      },
    };
    const stopTimer = setTimeout(() => {
      sending = false;
      settledIfDone();
    }, opts.seconds * 1000);
    const drainTimer = setTimeout(() => finish(false), opts.seconds * 1000 + (opts.drainMs ?? 30_000));
    for (let s = 0; s < senders; s++) pump(s);
  });
}
