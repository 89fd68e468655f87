// The decrypted timelines the app shows: per channel, view models ordered by seq without
// duplicates. Entries that failed to decrypt for a transient reason (relay down, network) are
// decrypted again later, with growing pauses, and replaced when that works.
import type { WireMessage } from '@parley/server/protocol';
import type { MessageView } from './messages';
import { Timeline } from './timeline';

export interface ViewHooks {
  decrypt: (message: WireMessage) => Promise<MessageView>;
  /** A view new to its timeline, or one that replaced an earlier view of the same entry. */
  onView: (view: MessageView) => void;
}

const MAX_RETRY_PAUSE_MS = 30_000;

export class ChannelViews {
  readonly #hooks: ViewHooks;
  readonly #timelines = new Map<string, Timeline<MessageView>>();
  /** Entries whose decryption failed for a transient reason, by `channelId|seq`. */
  readonly #retry = new Map<string, WireMessage>();
  /** Entries that failed for good with the keys in force then, by `channelId|seq`. */
  readonly #failed = new Map<string, WireMessage>();
  /** Bumped per channel whenever what it holds changes (for callers that cache a judged timeline). */
  readonly #versions = new Map<string, number>();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryRound = 0;
  #closed = false;

  constructor(hooks: ViewHooks) {
    this.#hooks = hooks;
  }

  timeline(channelId: string): Timeline<MessageView> {
    let t = this.#timelines.get(channelId);
    if (!t) {
      t = new Timeline<MessageView>();
      this.#timelines.set(channelId, t);
    }
    return t;
  }

  /** Highest seq held for the channel, if any. */
  maxSeq(channelId: string): number | null {
    return this.#timelines.get(channelId)?.maxSeq ?? null;
  }

  /** Changes whenever the channel's entries change. */
  version(channelId: string): number {
    return this.#versions.get(channelId) ?? 0;
  }

  /** The clientMsgId of the newest message held (what `after` names when I send). */
  newest(channelId: string): string | undefined {
    const entries = this.#timelines.get(channelId)?.entries() ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const id = entries[i]?.clientMsgId;
      if (id) return id;
    }
    return undefined;
  }

  holds(channelId: string, clientMsgId: string): boolean {
    return (this.#timelines.get(channelId)?.entries() ?? []).some((v) => v.clientMsgId === clientMsgId);
  }

  #touch(channelId: string): void {
    this.#versions.set(channelId, this.version(channelId) + 1);
  }

  /** Decrypts a wire entry and files its view. */
  async ingest(message: WireMessage): Promise<void> {
    const view = await this.#hooks.decrypt(message);
    if (!this.#closed) this.put(view, message);
  }

  /** Files a view; `wire` lets a transiently failed decryption be tried again later. */
  put(view: MessageView, wire?: WireMessage): void {
    const outcome = this.timeline(view.channelId).insert(view, preferView);
    if (outcome !== 'duplicate') {
      this.#touch(view.channelId);
      this.#hooks.onView(view);
    }
    const id = `${view.channelId}|${view.seq}`;
    if (view.status === 'undecryptable' && view.retryable) {
      if (wire) {
        this.#retry.set(id, wire);
        this.#schedule();
      }
    } else {
      this.#retry.delete(id);
    }
    // A final failure is held on to in case the sender's key in force changes (the user accepts
    // or verifies a new key): then it is worth another try.
    const held = this.timeline(view.channelId).get(view.seq);
    if (held?.status === 'undecryptable' && !held.retryable && wire) this.#failed.set(id, wire);
    else if (held?.status !== 'undecryptable') this.#failed.delete(id);
  }

  /** Decrypts a sender's failed entries again, e.g. after the user accepted their new key. */
  async retrySender(senderId: string): Promise<void> {
    const batch = [...this.#failed.values()].filter((m) => m.senderId === senderId);
    if (batch.length === 0) return;
    const views = await Promise.all(batch.map((m) => this.#hooks.decrypt(m)));
    if (this.#closed) return;
    for (const [i, v] of views.entries()) this.put(v, batch[i]);
  }

  /** Turns the entry into a tombstone; returns the new view if the entry was held. */
  markDeleted(channelId: string, seq: number): MessageView | undefined {
    this.#retry.delete(`${channelId}|${seq}`);
    this.#failed.delete(`${channelId}|${seq}`);
    this.#touch(channelId);
    return this.#timelines.get(channelId)?.update(seq, (v) => {
      const { text: _t, payload: _p, error: _e, retryable: _r, signedAt: _s, ...rest } = v;
      return { ...rest, status: 'deleted' };
    });
  }

  /** Tries the failed decryptions again now (e.g. the connection came back). */
  retrySoon(): void {
    this.#retryRound = 0;
    this.#schedule(true);
  }

  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retry.clear();
    this.#failed.clear();
    this.#timelines.clear();
  }

  #schedule(now = false): void {
    if (this.#closed || this.#retry.size === 0 || (this.#retryTimer && !now)) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const delay = now ? 0 : Math.min(MAX_RETRY_PAUSE_MS, 1_000 * 2 ** this.#retryRound);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#retryNow();
    }, delay);
  }

  async #retryNow(): Promise<void> {
    const batch = [...this.#retry.values()];
    const views = await Promise.all(batch.map((m) => this.#hooks.decrypt(m)));
    if (this.#closed) return;
    for (const [i, v] of views.entries()) this.put(v, batch[i]);
    this.#retryRound = views.some((v) => v.status === 'ok') ? 0 : this.#retryRound + 1;
    this.#schedule();
  }
}

/**
 * A later view replaces an earlier one when it knows more: a tombstone, a decryption that now
 * works, or a final verdict after a transient failure.
 */
function preferView(old: MessageView, next: MessageView): boolean {
  if (next.status === 'deleted') return old.status !== 'deleted';
  if (old.status !== 'undecryptable') return false;
  return next.status !== 'undecryptable' || (old.retryable === true && next.retryable !== true);
}
