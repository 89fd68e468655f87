// Fixed-window attempt counters (login, recovery, registration) in Redis, so that every relay
// counts the same attempts and a restart forgets nothing. While Redis is down (RedisHealth), the
// relay counts in its own in-memory window at once rather than letting every attempt through,
// refusing all, or making each login wait for Redis.
import { MemoryRateLimiter, type RateDecision, type RateLimiter } from '../middleware/rate-limit';
import { LuaScript, type Redis } from './redis';
import type { RedisHealth } from './redis-health';

/** Counts one hit; starts the window on the first. Returns {count, ms left in the window}. */
const HIT = new LuaScript(
  `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`,
  1,
);

const REFUND = new LuaScript(
  `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`,
  1,
);

export class RedisWindowLimiter implements RateLimiter {
  readonly #fallback: MemoryRateLimiter;

  constructor(
    private readonly redis: Redis,
    private readonly health: RedisHealth,
    private readonly prefix: string,
    readonly max: number,
    readonly windowMs: number,
  ) {
    this.#fallback = new MemoryRateLimiter(max, windowMs);
  }

  #key(key: string): string {
    return `${this.prefix}attempts:${key}`;
  }

  hit(key: string): Promise<RateDecision> {
    return this.health.run(
      'attempts',
      async () => {
        const reply = await HIT.run(this.redis, [this.#key(key)], [this.windowMs]);
        const [count, ttl] = reply as [number, number];
        return { allowed: count <= this.max, count, retryAfterMs: ttl };
      },
      () => this.#fallback.hit(key),
    );
  }

  refund(key: string): Promise<void> {
    return this.health.run(
      'attempts',
      async () => void (await REFUND.run(this.redis, [this.#key(key)], [])),
      () => this.#fallback.refund(key),
    );
  }

  reset(key: string): Promise<void> {
    return this.health.run(
      'attempts',
      async () => void (await this.redis.del(this.#key(key))),
      () => this.#fallback.reset(key),
    );
  }
}
