// Presence: a user is online while they have at least one open socket on any relay. Relays count
// sockets per user; the transitions 0 -> 1 and 1 -> 0 (across all relays) are what get published.
// With Redis, counts live in Redis and a relay that dies is swept by the others once its heartbeat
// is older than three beats, so its users go offline within ~3 × PRESENCE_BEAT_MS. While Redis is
// down (RedisHealth) a relay answers from its own socket counts; when Redis returns it registers
// its sockets again and announces the users whose state changed meanwhile.
import type { Logger } from '../log';
import { safeError } from '../log';
import { LuaScript, type Redis } from './redis';
import type { RedisHealth } from './redis-health';

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

/**
 * Registers this relay's sockets anew after an outage or a sweep (ARGV: relay, prefix, then
 * user/count pairs): beats, drops what Redis still holds for this relay, writes the current
 * counts. Returns 1 when another relay had swept this one as dead (and announced its users
 * offline), 0 when Redis just lost or kept the data.
 */
const REPLACE = new LuaScript(
  `local relay, prefix = ARGV[1], ARGV[2]
local swept = redis.call('DEL', prefix .. 'presence:swept:' .. relay)
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), relay)
local relaySet = prefix .. 'presence:r:' .. relay
for _, u in ipairs(redis.call('SMEMBERS', relaySet)) do redis.call('HDEL', prefix .. 'presence:u:' .. u, relay) end
redis.call('DEL', relaySet)
for i = 3, #ARGV, 2 do
  redis.call('HSET', prefix .. 'presence:u:' .. ARGV[i], relay, ARGV[i + 1])
  redis.call('SADD', relaySet, ARGV[i])
end
return swept`,
  1,
);

/**
 * Removes a relay's sockets. Only the caller whose ZREM succeeds sweeps, so each dead relay is
 * swept once; ARGV[3] '1' leaves a mark for REPLACE (another relay swept it, not its own close).
 * Returns the users left with no socket anywhere.
 */
const SWEEP = new LuaScript(
  `if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {} end
if ARGV[3] == '1' then redis.call('SET', ARGV[2] .. 'presence:swept:' .. ARGV[1], '1', 'PX', 86400000) end
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
  health: RedisHealth;
  prefix: string;
  relayId: string;
  /** Heartbeat period; a relay silent for 3 beats is swept. */
  beatMs: number;
  logger: Logger;
  /**
   * Publishes a change found outside connect/disconnect: users of a swept (dead) relay going
   * offline, and after an outage the users whose state changed while Redis was away.
   */
  announce: (userId: string, online: boolean) => void;
}

export class RedisPresence implements Presence {
  readonly #timer: NodeJS.Timeout;
  readonly #relays: string;
  /** This relay's own socket counts: the answer while Redis is down, re-registered when it returns. */
  readonly #local = new Map<string, number>();
  /** Users whose sockets here opened or closed while Redis was down: announced when it returns. */
  readonly #changed = new Set<string>();
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
    const { redis, relayId, health } = this.opts;
    const n = (this.#local.get(userId) ?? 0) + 1;
    this.#local.set(userId, n);
    return health.run(
      'presence',
      async () => {
        const keys = [this.#userKey(userId), this.#relayKey(relayId)];
        return Number(await CONNECT.run(redis, keys, [relayId, userId])) === 1;
      },
      () => {
        this.#changed.add(userId);
        return n === 1;
      },
    );
  }

  async disconnect(userId: string): Promise<boolean> {
    const { redis, relayId, health } = this.opts;
    const n = (this.#local.get(userId) ?? 0) - 1;
    if (n > 0) this.#local.set(userId, n);
    else this.#local.delete(userId);
    return health.run(
      'presence',
      async () => {
        const keys = [this.#userKey(userId), this.#relayKey(relayId)];
        return Number(await DISCONNECT.run(redis, keys, [relayId, userId])) === 0;
      },
      () => {
        this.#changed.add(userId);
        return n <= 0;
      },
    );
  }

  async onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    return this.opts.health.run(
      'presence',
      () => this.#inRedis(userIds),
      () => new Set(userIds.filter((id) => this.#local.has(id))),
    );
  }

  async #inRedis(userIds: readonly string[]): Promise<Set<string>> {
    const pipeline = this.opts.redis.pipeline();
    for (const id of userIds) pipeline.exists(this.#userKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return new Set(userIds.filter((_, i) => replies[i]?.[1] === 1));
  }

  /** Heartbeat, then sweep relays that stopped beating. Skipped while Redis is down. Exposed for tests. */
  async beat(): Promise<void> {
    const { redis, relayId, beatMs, prefix, logger, health } = this.opts;
    if (!health.up) return;
    try {
      const [added, dead] = (await BEAT.run(redis, [this.#relays], [relayId, 3 * beatMs])) as [
        number,
        string[],
      ];
      // Not registered after the first beat: swept while alive (a long stall) or Redis lost it.
      if (added === 1 && this.#beats > 0) await this.reregister();
      this.#beats++;
      for (const other of dead) {
        if (other === relayId) continue;
        const offline = (await SWEEP.run(redis, [this.#relays], [other, prefix, '1'])) as string[];
        logger.info({ deadRelay: other, offline: offline.length }, 'swept presence of a dead relay');
        for (const userId of offline) this.opts.announce(userId, false);
      }
    } catch (err) {
      logger.warn({ err: safeError(err) }, 'presence heartbeat failed');
      health.failed(err);
    }
  }

  /**
   * Writes this relay's counts to Redis again, then announces who changed while Redis was away
   * (everyone here, if another relay swept this one and announced them offline). Run when Redis
   * is back (a RedisHealth restore hook) and when a beat finds this relay unregistered.
   */
  async reregister(): Promise<void> {
    const { redis, relayId, prefix, logger } = this.opts;
    const args: (string | number)[] = [relayId, prefix];
    for (const [userId, n] of this.#local) args.push(userId, n);
    const swept = Number(await REPLACE.run(redis, [this.#relays], args)) === 1;
    const changed = new Set(this.#changed);
    if (swept) for (const userId of this.#local.keys()) changed.add(userId);
    logger.info({ sockets: this.#local.size, swept, announced: changed.size }, 'presence re-registered');
    if (changed.size === 0) return;
    const online = await this.#inRedis([...changed]);
    for (const userId of changed) {
      this.#changed.delete(userId);
      this.opts.announce(userId, online.has(userId));
    }
  }

  async close(): Promise<string[]> {
    clearInterval(this.#timer);
    const { redis, relayId, prefix, health } = this.opts;
    return health.run(
      'presence',
      async () => {
        await redis.zadd(this.#relays, 0, relayId);
        return (await SWEEP.run(redis, [this.#relays], [relayId, prefix, '0'])) as string[];
      },
      () => [...this.#local.keys()],
    );
  }
}
