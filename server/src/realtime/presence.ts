// Presence: a user is online while they have at least one open socket on any relay. Relays count
// sockets per user; the transitions 0 -> 1 and 1 -> 0 (across all relays) are what get published.
// With Redis, counts live in Redis and a relay that dies is swept by the others once its heartbeat
// is older than three beats, so its users go offline within ~3 × PRESENCE_BEAT_MS.
import type { Logger } from '../log';
import { safeError } from '../log';
import { LuaScript, type Redis } from './redis';

export interface Presence {
  /** A socket of the user opened on this relay. True when the user just came online everywhere. */
  connect(userId: string): Promise<boolean>;
  /** A socket of the user closed on this relay. True when the user just went offline everywhere. */
  disconnect(userId: string): Promise<boolean>;
  /** The subset of `userIds` online on any relay. */
  onlineAmong(userIds: readonly string[]): Promise<Set<string>>;
  /** Forgets this relay's sockets; returns the users that went offline because of it. */
  close(): Promise<string[]>;
}

/** Single-process presence: counts in memory. */
export class LocalPresence implements Presence {
  readonly #sockets = new Map<string, number>();

  async connect(userId: string): Promise<boolean> {
    const n = (this.#sockets.get(userId) ?? 0) + 1;
    this.#sockets.set(userId, n);
    return n === 1;
  }

  async disconnect(userId: string): Promise<boolean> {
    const n = (this.#sockets.get(userId) ?? 0) - 1;
    if (n > 0) {
      this.#sockets.set(userId, n);
      return false;
    }
    return this.#sockets.delete(userId);
  }

  async onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.#sockets.has(id)));
  }

  async close(): Promise<string[]> {
    const users = [...this.#sockets.keys()];
    this.#sockets.clear();
    return users;
  }
}

// Keys (prefix p): `p presence:u:<user>` hash relayId -> socket count on that relay;
// `p presence:r:<relay>` set of users with sockets on that relay; `p presence:relays` zset
// relayId -> last heartbeat (Redis clock, ms).

const SUM = `
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
return total`;

const CONNECT = new LuaScript(
  `redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('SADD', KEYS[2], ARGV[2])
${SUM}`,
  2,
);

const DISCONNECT = new LuaScript(
  `local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
${SUM}`,
  2,
);

/**
 * Records this relay's heartbeat. Returns {added, relays whose heartbeat is older than ARGV[2] ms};
 * `added` is 1 when this relay was not registered (first beat, or swept after a long stall).
 */
const BEAT = new LuaScript(
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
return {added, redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))}`,
  1,
);

/** Re-registers this relay's sockets after it was swept while alive (e.g. a long stall). */
const RESTORE = new LuaScript(
  `redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2])
return 1`,
  2,
);

/**
 * Removes a relay's sockets. Only the caller whose ZREM succeeds sweeps, so each dead relay is
 * swept once. Returns the users left with no socket anywhere.
 */
const SWEEP = new LuaScript(
  `if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {} end
local relaySet = ARGV[2] .. 'presence:r:' .. ARGV[1]
local offline = {}
for _, u in ipairs(redis.call('SMEMBERS', relaySet)) do
  local h = ARGV[2] .. 'presence:u:' .. u
  redis.call('HDEL', h, ARGV[1])
  if redis.call('HLEN', h) == 0 then table.insert(offline, u) end
end
redis.call('DEL', relaySet)
return offline`,
  1,
);

export interface RedisPresenceOptions {
  redis: Redis;
  prefix: string;
  relayId: string;
  /** Heartbeat period; a relay silent for 3 beats is swept. */
  beatMs: number;
  logger: Logger;
  /** Called with users that went offline because another (dead) relay was swept. */
  onSweptOffline: (userIds: string[]) => void;
}

export class RedisPresence implements Presence {
  readonly #timer: NodeJS.Timeout;
  readonly #relays: string;
  /** This relay's own socket counts, to re-register them if the relay was swept while alive. */
  readonly #local = new Map<string, number>();
  #beats = 0;

  private constructor(private readonly opts: RedisPresenceOptions) {
    this.#relays = `${opts.prefix}presence:relays`;
    this.#timer = setInterval(() => void this.beat(), opts.beatMs);
    this.#timer.unref();
  }

  static async start(opts: RedisPresenceOptions): Promise<RedisPresence> {
    const presence = new RedisPresence(opts);
    await presence.beat();
    return presence;
  }

  #userKey(userId: string): string {
    return `${this.opts.prefix}presence:u:${userId}`;
  }

  #relayKey(relayId: string): string {
    return `${this.opts.prefix}presence:r:${relayId}`;
  }

  async connect(userId: string): Promise<boolean> {
    const { redis, relayId } = this.opts;
    const keys = [this.#userKey(userId), this.#relayKey(relayId)];
    this.#local.set(userId, (this.#local.get(userId) ?? 0) + 1);
    return Number(await CONNECT.run(redis, keys, [relayId, userId])) === 1;
  }

  async disconnect(userId: string): Promise<boolean> {
    const { redis, relayId } = this.opts;
    const keys = [this.#userKey(userId), this.#relayKey(relayId)];
    const n = (this.#local.get(userId) ?? 0) - 1;
    if (n > 0) this.#local.set(userId, n);
    else this.#local.delete(userId);
    return Number(await DISCONNECT.run(redis, keys, [relayId, userId])) === 0;
  }

  async onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const pipeline = this.opts.redis.pipeline();
    for (const id of userIds) pipeline.exists(this.#userKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return new Set(userIds.filter((_, i) => replies[i]?.[1] === 1));
  }

  /** Heartbeat, then sweep relays that stopped beating. Exposed for tests. */
  async beat(): Promise<void> {
    const { redis, relayId, beatMs, prefix, logger } = this.opts;
    try {
      const [added, dead] = (await BEAT.run(redis, [this.#relays], [relayId, 3 * beatMs])) as [
        number,
        string[],
      ];
      if (added === 1 && this.#beats > 0) await this.#restore();
      this.#beats++;
      for (const other of dead) {
        if (other === relayId) continue;
        const offline = (await SWEEP.run(redis, [this.#relays], [other, prefix])) as string[];
        logger.info({ deadRelay: other, offline: offline.length }, 'swept presence of a dead relay');
        if (offline.length > 0) this.opts.onSweptOffline(offline);
      }
    } catch (err) {
      logger.warn({ err: safeError(err) }, 'presence heartbeat failed');
    }
  }

  async #restore(): Promise<void> {
    const { redis, relayId, logger } = this.opts;
    logger.warn({ sockets: this.#local.size }, 'presence of this relay was swept while alive; restoring');
    for (const [userId, n] of this.#local) {
      await RESTORE.run(redis, [this.#userKey(userId), this.#relayKey(relayId)], [relayId, userId, n]);
    }
  }

  async close(): Promise<string[]> {
    clearInterval(this.#timer);
    const { redis, relayId, prefix } = this.opts;
    await redis.zadd(this.#relays, 0, relayId);
    return (await SWEEP.run(redis, [this.#relays], [relayId, prefix])) as string[];
  }
}
