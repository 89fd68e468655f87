// The sockets on this relay, indexed by user and by followed channel, for fan-out; and per
// followed channel the newest seq its sockets were offered, for the catch-up after a Redis outage.
import type { ChannelView, Connection } from './connection';

export class Hub {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #byChannel = new Map<string, Set<Connection>>();
  readonly #newest = new Map<string, number>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  add(conn: Connection): void {
    let set = this.#byUser.get(conn.userId);
    if (!set) {
      set = new Set();
      this.#byUser.set(conn.userId, set);
    }
    set.add(conn);
    this.#count++;
  }

  remove(conn: Connection): void {
    const set = this.#byUser.get(conn.userId);
    if (!set?.delete(conn)) return;
    if (set.size === 0) this.#byUser.delete(conn.userId);
    this.#count--;
    for (const channelId of conn.channels.keys()) this.unfollow(conn, channelId);
  }

  /**
   * `coveredSeq`: the channel's last seq as read just before, which this socket's own catch-up
   * (hello sync or fetch) covers; it seeds the newest seq when the channel was not followed here.
   */
  follow(conn: Connection, channelId: string, view: ChannelView, coveredSeq = -1): void {
    conn.channels.set(channelId, view);
    let set = this.#byChannel.get(channelId);
    if (!set) {
      set = new Set();
      this.#byChannel.set(channelId, set);
      this.#newest.set(channelId, coveredSeq);
    }
    set.add(conn);
  }

  /** A timeline entry was fanned out to the channel's sockets. */
  noteDelivered(channelId: string, seq: number): void {
    if ((this.#newest.get(channelId) ?? -1) < seq && this.#byChannel.has(channelId)) {
      this.#newest.set(channelId, seq);
    }
  }

  /** Every socket following the channel has been offered entries up to this seq (-1: unknown). */
  newestDelivered(channelId: string): number {
    return this.#newest.get(channelId) ?? -1;
  }

  unfollow(conn: Connection, channelId: string): void {
    conn.channels.delete(channelId);
    const set = this.#byChannel.get(channelId);
    if (!set) return;
    set.delete(conn);
    if (set.size > 0) return;
    this.#byChannel.delete(channelId);
    this.#newest.delete(channelId);
  }

  /** Open sockets of one user on this relay. */
  countOf(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  ofUser(userId: string): readonly Connection[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  inChannel(channelId: string): ReadonlySet<Connection> {
    return this.#byChannel.get(channelId) ?? new Set();
  }

  followedChannels(): IterableIterator<string> {
    return this.#byChannel.keys();
  }

  hasChannel(channelId: string): boolean {
    return this.#byChannel.has(channelId);
  }

  all(): Connection[] {
    return [...this.#byUser.values()].flatMap((set) => [...set]);
  }
}
