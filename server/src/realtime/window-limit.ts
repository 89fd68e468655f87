// Fixed-window attempt counters (login, recovery, registration) in Redis, so that every relay
// counts the same attempts and a restart forgets nothing. If Redis fails, the relay falls back
// to its own in-memory window rather than letting every attempt through or refusing all.
import type { Logger } from '../log';
import { safeError } from '../log';
import { MemoryRateLimiter, type RateDecision, type RateLimiter } from '../middleware/rate-limit';
import { LuaScript, type Redis } from './redis';

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
    private readonly prefix: string,
    readonly max: number,
    readonly windowMs: number,
    private readonly logger: Logger,
  ) {
    this.#fallback = new MemoryRateLimiter(max, windowMs);
  }

  #key(key: string): string {
    return `${this.prefix}attempts:${key}`;
  }

  async hit(key: string): Promise<RateDecision> {
    try {
      const [count, ttl] = (await HIT.run(this.redis, [this.#key(key)], [this.windowMs])) as [number, number];
      return { allowed: count <= this.max, count, retryAfterMs: ttl };
    } catch (err) {
      this.logger.warn({ err: safeError(err) }, 'redis attempt counter failed; counting locally');
      return this.#fallback.hit(key);
    }
  }

  async refund(key: string): Promise<void> {
    await REFUND.run(this.redis, [this.#key(key)], []).catch(() => this.#fallback.refund(key));
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.#key(key)).catch(() => this.#fallback.reset(key));
  }
}
