// The user's channels as the relay last described them (members, memberEpoch, lastSeq), kept fresh
// from REST answers and `channel` frames. These are hints: who is really in a channel is decided
// by membership.ts from signed data.
import type { ChannelSummary, WireMessage } from '@parley/server/protocol';
import type { Api } from './api';
import { ApiError } from './errors';

export class Channels {
  readonly #api: Api;
  readonly #byId = new Map<string, ChannelSummary>();

  constructor(api: Api) {
    this.#api = api;
  }

  /** Reloads the whole list. */
  async refresh(): Promise<ChannelSummary[]> {
    const list = await this.#api.channels();
    this.#byId.clear();
    for (const c of list) this.#byId.set(c.id, c);
    return list;
  }

  list(): ChannelSummary[] {
    return [...this.#byId.values()];
  }

  peek(channelId: string): ChannelSummary | undefined {
    return this.#byId.get(channelId);
  }

  /** The cached summary, or a fresh one. Throws ApiError not_member/not_found if the relay refuses. */
  async get(channelId: string, fresh = false): Promise<ChannelSummary> {
    const cached = this.#byId.get(channelId);
    if (cached && !fresh) return cached;
    try {
      return this.put(await this.#api.channel(channelId));
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.code === 'not_member' || err.code === 'not_found' || err.code === 'forbidden')
      ) {
        this.#byId.delete(channelId);
      }
      throw err;
    }
  }

  /** Records a summary (from a REST answer or a `channel` frame). */
  put(summary: ChannelSummary): ChannelSummary {
    this.#byId.set(summary.id, summary);
    return summary;
  }

  /**
   * Records a broadcast join from its system entry without asking the relay: with everyone in
   * broadcast, a refetch by every client on every registration would be a thundering herd.
   * Returns false when the entry is anything else (the caller refetches the summary).
   */
  applyBroadcastJoin(entry: WireMessage): boolean {
    const cached = this.#byId.get(entry.channelId);
    if (cached?.kind !== 'broadcast' || entry.system?.event !== 'join') return false;
    const userId = entry.system.userId;
    if (!cached.members.some((m) => m.userId === userId)) {
      this.put({ ...cached, members: [...cached.members, { userId, role: 'member', joinedSeq: entry.seq }] });
    }
    return true;
  }

  remove(channelId: string): void {
    this.#byId.delete(channelId);
  }
}
