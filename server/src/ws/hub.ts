// The sockets on this relay, indexed by user and by followed channel, for fan-out.
import type { ChannelView, Connection } from './connection';

export class Hub {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #byChannel = new Map<string, Set<Connection>>();
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

  follow(conn: Connection, channelId: string, view: ChannelView): void {
    conn.channels.set(channelId, view);
    let set = this.#byChannel.get(channelId);
    if (!set) {
      set = new Set();
      this.#byChannel.set(channelId, set);
    }
    set.add(conn);
  }

  unfollow(conn: Connection, channelId: string): void {
    conn.channels.delete(channelId);
    const set = this.#byChannel.get(channelId);
    if (!set) return;
    set.delete(conn);
    if (set.size === 0) this.#byChannel.delete(channelId);
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
