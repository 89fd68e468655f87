// One server's sockets for one cast, open for a whole group's runs. Every frame of every socket is
// routed to the load that is running now; the room itself only tells deliveries, acceptances and
// refusals apart, with the cheap frame readers.
import type { Cast, Envelope } from './envelopes';
import { ackedId, clientMsgIdOf, errorText, type Frame, isMessage, refusedId } from './frames';
import type { BenchSocket, Server } from './server';

/** What a running load hears from the room. */
export interface LoadEvents {
  /** A message frame reached any socket of the room. */
  delivered(frame: Frame, at: number): void;
  /** Sender `sender`'s send `id` was accepted (ack, or own echo on the baselines). */
  accepted(sender: number, id: string): void;
  refused(sender: number, id: string, reason: string): void;
}

const IDLE: LoadEvents = { delivered() {}, accepted() {}, refused() {} };

export class Room {
  events: LoadEvents = IDLE;
  readonly #senders: BenchSocket[];
  readonly #others: BenchSocket[];
  /** Baselines: each sender's sends not yet echoed back to it. */
  readonly #echoPending: Set<string>[];

  private constructor(
    readonly server: Server,
    readonly cast: Cast,
    sockets: BenchSocket[],
    echoPending: Set<string>[],
  ) {
    this.#senders = sockets.slice(0, cast.senders.length);
    this.#others = sockets.slice(cast.senders.length);
    this.#echoPending = echoPending;
  }

  /** Opens one socket per member of the cast (32 handshakes at a time). */
  static async open(server: Server, cast: Cast): Promise<Room> {
    const echoPending = cast.senders.map(() => new Set<string>());
    let room: Room | undefined;
    const sinkFor = (index: number) => {
      const pending = server.acksByEcho ? echoPending[index] : undefined;
      const isSender = index < cast.senders.length;
      return (frame: Frame) => {
        const events = room?.events ?? IDLE;
        if (isMessage(frame)) {
          events.delivered(frame, performance.now());
          if (pending && pending.size > 0) {
            const id = clientMsgIdOf(frame);
            if (id !== null && pending.delete(id)) events.accepted(index, id);
          }
          return;
        }
        if (!isSender) return;
        const acked = ackedId(frame);
        if (acked !== null) return events.accepted(index, acked);
        const refused = refusedId(frame);
        if (refused !== null) events.refused(index, refused, errorText(frame));
      };
    };
    const sockets: BenchSocket[] = new Array(cast.members.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cast.members.length; i = next++) {
        sockets[i] = await server.open(cast.members[i] as Cast['members'][number], sinkFor(i));
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, cast.members.length) }, worker));
    room = new Room(server, cast, sockets, echoPending);
    return room;
  }

  get size(): number {
    return this.#senders.length + this.#others.length;
  }

  send(envelope: Envelope): void {
    const socket = this.#senders[envelope.sender];
    if (!socket) throw new Error(`Room.send: no sender ${envelope.sender}`);
    this.#echoPending[envelope.sender]?.add(envelope.clientMsgId);
    socket.write(this.server.outgoing(envelope));
  }

  /** Forgets sends whose echo never came (after a run that timed out). */
  reset(): void {
    for (const pending of this.#echoPending) pending.clear();
    this.events = IDLE;
  }

  close(): void {
    for (const s of [...this.#senders, ...this.#others]) s.terminate();
  }
}
