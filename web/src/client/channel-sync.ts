// What the socket knows about each channel's timeline: entries ordered by seq without duplicates,
// the head up to which it is complete, the highest seq known to exist, and the sync and gap-fill
// bookkeeping that closes the distance between the two. No I/O: pages are fetched by a callback.
import type { ChannelSummary, WireMessage } from '@parley/server/protocol';
import { ClosedError, TimeoutError } from './errors';
import { Timeline } from './timeline';

/** Fetches the page after `after` and applies it (through `ChannelSync.page`). */
export type PageFetcher = (channelId: string, after: number) => Promise<{ hasMore: boolean }>;

export interface ChannelSyncHooks {
  fetch: PageFetcher;
  /** Called for every entry new to the client (or a tombstone replacing one). */
  onEntry: (message: WireMessage) => void;
  onError: (err: Error) => void;
  /** Gap fetches wait until this is true (the hello was acked). */
  isReady: () => boolean;
}

/** Wire entries kept per channel before the oldest (below the head) are forgotten. */
const MAX_WIRE_ENTRIES = 2_000;

export class ChannelSync {
  readonly #hooks: ChannelSyncHooks;
  readonly #timelines = new Map<string, Timeline<WireMessage>>();
  /** Highest seq known to exist per channel (from summaries and frames). */
  readonly #known = new Map<string, number>();
  /** Per channel, the seq the next sync page continues after (the hello's since, then each page's end). */
  readonly #syncAfter = new Map<string, number>();
  /** Channels with more sync pages announced (hasMore): no gap fetch while they stream in. */
  readonly #syncing = new Set<string>();
  readonly #filling = new Set<string>();

  constructor(hooks: ChannelSyncHooks) {
    this.#hooks = hooks;
  }

  /** The channel's timeline of wire entries, created untracked if new. */
  timeline(channelId: string): Timeline<WireMessage> {
    let t = this.#timelines.get(channelId);
    if (!t) {
      t = new Timeline<WireMessage>();
      this.#timelines.set(channelId, t);
    }
    return t;
  }

  /** Follows a channel from `head` on; entries up to `lastSeq` (when given) are fetched. */
  track(channelId: string, head: number, lastSeq?: number): void {
    this.timeline(channelId).advanceHead(head);
    if (lastSeq !== undefined) this.#noteKnown(channelId, lastSeq);
    this.fill(channelId);
  }

  untrack(channelId: string): void {
    this.#timelines.delete(channelId);
    this.#known.delete(channelId);
    this.#syncAfter.delete(channelId);
    this.#syncing.delete(channelId);
  }

  /** The last seq per tracked channel, as sent in hello. */
  since(): Record<string, number> {
    const since: Record<string, number> = {};
    for (const [id, t] of this.#timelines) if (t.head !== null) since[id] = t.head;
    return since;
  }

  /** A hello with `since` went out: sync pages for these channels continue from there. */
  beginSync(since: Record<string, number>): void {
    for (const [id, head] of Object.entries(since)) this.#syncAfter.set(id, head);
  }

  /** The connection closed: in-flight sync and fetches are void. */
  reset(): void {
    this.#syncAfter.clear();
    this.#syncing.clear();
    this.#filling.clear();
  }

  /** A live entry (a `message` frame, or our own acked send). */
  entry(message: WireMessage): void {
    const t = this.timeline(message.channelId);
    const outcome = t.insert(message, preferTombstone);
    this.#noteKnown(message.channelId, message.seq);
    this.#bound(t);
    if (outcome !== 'duplicate') this.#hooks.onEntry(message);
    this.fill(message.channelId);
  }

  /** A page answering "entries after `after`" (a fetch ack). */
  page(channelId: string, after: number, messages: readonly WireMessage[]): void {
    const t = this.timeline(channelId);
    const added = t.applyPage(after, messages, preferTombstone);
    for (const m of messages) this.#noteKnown(channelId, m.seq);
    this.#bound(t);
    for (const m of added) this.#hooks.onEntry(m);
  }

  /** One `sync` frame after hello. */
  syncPage(channelId: string, messages: readonly WireMessage[], hasMore: boolean): void {
    const after = this.#syncAfter.get(channelId) ?? (messages[0]?.seq ?? 1) - 1;
    this.page(channelId, after, messages);
    this.#syncAfter.set(channelId, messages.at(-1)?.seq ?? after);
    if (hasMore) this.#syncing.add(channelId);
    else {
      this.#syncing.delete(channelId);
      this.fill(channelId);
    }
  }

  deleted(channelId: string, seq: number): void {
    this.#timelines.get(channelId)?.update(seq, tombstone);
  }

  /** A `channel` frame: joined or changed (summary) or removed (null). */
  channel(channelId: string, summary: ChannelSummary | null): void {
    if (summary === null) {
      this.untrack(channelId);
      return;
    }
    const t = this.timeline(channelId);
    if (t.head === null) t.advanceHead(summary.joinedSeq - 1);
    this.#noteKnown(channelId, summary.lastSeq);
    this.fill(channelId);
  }

  fillAll(): void {
    for (const id of this.#timelines.keys()) this.fill(id);
  }

  /** Fetches what lies between the channel's head and the highest seq known to exist. */
  fill(channelId: string): void {
    if (!this.#hooks.isReady() || this.#filling.has(channelId) || this.#syncing.has(channelId)) return;
    const t = this.#timelines.get(channelId);
    if (!t || t.head === null || t.head >= (this.#known.get(channelId) ?? -1)) return;
    this.#filling.add(channelId);
    void this.#fill(channelId, t).finally(() => this.#filling.delete(channelId));
  }

  async #fill(channelId: string, t: Timeline<WireMessage>): Promise<void> {
    try {
      while (this.#hooks.isReady() && this.#timelines.get(channelId) === t && t.head !== null) {
        const before = t.head;
        if (before >= (this.#known.get(channelId) ?? -1)) return;
        const page = await this.#hooks.fetch(channelId, before);
        // Nothing new up to here: the relay has no more for us, stop asking.
        if (t.head === before) this.#known.set(channelId, t.head);
        if (!page.hasMore) return;
      }
    } catch (err) {
      if (!(err instanceof ClosedError || err instanceof TimeoutError)) {
        this.#hooks.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  #noteKnown(channelId: string, seq: number): void {
    if ((this.#known.get(channelId) ?? -1) < seq) this.#known.set(channelId, seq);
  }

  /** Keeps the wire timeline small: it is for ordering and gaps; decrypted views live in the app. */
  #bound(t: Timeline<WireMessage>): void {
    if (t.size > MAX_WIRE_ENTRIES && t.head !== null) t.trimBelow(t.head - MAX_WIRE_ENTRIES / 2);
  }
}

function preferTombstone(old: WireMessage, next: WireMessage): boolean {
  return next.deleted && !old.deleted;
}

function tombstone(m: WireMessage): WireMessage {
  return { ...m, deleted: true, ciphertext: null };
}
