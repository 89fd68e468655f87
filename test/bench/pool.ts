// Where a load's next envelope comes from. Sealed pools are made before the timed window; the relay
// dedupes on (sender, clientMsgId), so on Parley each envelope goes out once, while the baselines,
// which keep nothing, may cycle through the same pool. The end-to-end load seals at send time.
import { type Cast, type Envelope, seal, sealMany } from './envelopes';

export interface EnvelopeSource {
  /** The next envelope of `sender`, or undefined when its share of the pool is used up. */
  next(sender: number): Envelope | undefined;
}

export class SealedPool {
  readonly #bySender: Envelope[][];

  constructor(cast: Cast, count: number) {
    this.#bySender = cast.senders.map(() => []);
    for (const e of sealMany(cast, count)) this.#bySender[e.sender]?.push(e);
  }

  get size(): number {
    return this.#bySender.reduce((n, list) => n + list.length, 0);
  }

  /** `cycle`: start over at the end (baselines only). */
  source(cycle: boolean): EnvelopeSource {
    const cursor = this.#bySender.map(() => 0);
    return {
      next: (sender) => {
        const list = this.#bySender[sender] ?? [];
        let i = cursor[sender] ?? 0;
        if (i >= list.length) {
          if (!cycle || list.length === 0) return undefined;
          i = 0;
        }
        cursor[sender] = i + 1;
        return list[i];
      },
    };
  }
}

/** Seals each message when it is sent: the sender's encryption is part of the measured work. */
export function sealAtSend(cast: Cast): EnvelopeSource {
  return { next: (sender) => seal(cast, sender) };
}
