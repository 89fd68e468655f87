// Members per channel, cached on this relay for presence fan-out and channel summaries.
// Invalidated by `membership` events (which every relay receives); a TTL bounds staleness if an
// event is ever missed. A load that raced an invalidation is not stored.
import type { MemberRecord, Store } from '../db/store';

export interface Members {
  list: MemberRecord[];
  ids: Set<string>;
}

interface Entry {
  at: number;
  value: Promise<Members>;
}

export class MemberCache {
  readonly #entries = new Map<string, Entry>();
  readonly #generation = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(channelId: string): Promise<Members> {
    const hit = this.#entries.get(channelId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const gen = this.#generation.get(channelId) ?? 0;
    const value = this.store.getMembers(channelId).then((list) => ({
      list,
      ids: new Set(list.map((m) => m.userId)),
    }));
    const entry = { at: this.now(), value };
    this.#entries.set(channelId, entry);
    value.then(
      () => {
        if ((this.#generation.get(channelId) ?? 0) !== gen && this.#entries.get(channelId) === entry) {
          this.#entries.delete(channelId);
        }
      },
      () => {
        if (this.#entries.get(channelId) === entry) this.#entries.delete(channelId);
      },
    );
    return value;
  }

  invalidate(channelId: string): void {
    this.#generation.set(channelId, (this.#generation.get(channelId) ?? 0) + 1);
    this.#entries.delete(channelId);
  }

  /** Drops entries of channels nobody on this relay follows any more. */
  retain(isWanted: (channelId: string) => boolean): void {
    for (const id of this.#entries.keys()) {
      if (!isWanted(id)) {
        this.#entries.delete(id);
        this.#generation.delete(id);
      }
    }
  }
}
