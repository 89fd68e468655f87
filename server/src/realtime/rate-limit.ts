// Token-bucket rate limits: `ratePerSec` tokens refill continuously up to `burst`; each action
// takes one. The Redis limiter keeps the bucket in Redis (Redis clock, one Lua call per take), so
// every relay draws from the same bucket; while Redis is down (RedisHealth) each relay takes from a
// local bucket at once rather than refusing or delaying sends.
import { LuaScript, type Redis } from './redis';
import type { RedisHealth } from './redis-health';

export interface RateLimit {
  ratePerSec: number;
  burst: number;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket; false when it is empty. */
  take(key: string): Promise<boolean>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** In-process buckets; idle buckets (full again) are pruned as the map grows. */
export class LocalRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.ratePerSec > 0) || !(limit.burst >= 1)) throw new RangeError('LocalRateLimiter: bad limit');
  }

  takeSync(key: string): boolean {
    const now = this.now();
    const { ratePerSec, burst } = this.limit;
    const b = this.#buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * ratePerSec) / 1000);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.#buckets.set(key, b);
    if (this.#buckets.size > 10_000) this.#prune(now);
    return ok;
  }

  async take(key: string): Promise<boolean> {
    return this.takeSync(key);
  }

  #prune(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.ratePerSec) * 1000;
    for (const [key, b] of this.#buckets) if (now - b.at >= fullAfterMs) this.#buckets.delete(key);
  }
}

const TAKE = new LuaScript(
  `local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok`,
  1,
);

export class RedisRateLimiter implements RateLimiter {
  readonly #fallback: LocalRateLimiter;

  constructor(
    private readonly redis: Redis,
    private readonly health: RedisHealth,
    private readonly prefix: string,
    private readonly limit: RateLimit,
  ) {
    this.#fallback = new LocalRateLimiter(limit);
  }

  take(key: string): Promise<boolean> {
    return this.health.run(
      'send-rate',
      async () => {
        const keys = [`${this.prefix}rate:${key}`];
        return Number(await TAKE.run(this.redis, keys, [this.limit.ratePerSec, this.limit.burst])) === 1;
      },
      () => this.#fallback.takeSync(key),
    );
  }
}
