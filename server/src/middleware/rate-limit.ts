// Fixed-window counters behind a small interface, so that a Redis-backed limiter can replace the
// in-memory one when several relays must share limits.
import { ApiError } from './errors';

export interface RateDecision {
  /** false once the key has used up its window. */
  allowed: boolean;
  /** Hits counted in the current window, including this one. */
  count: number;
  /** Milliseconds until the window resets. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one hit for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateDecision>;
  /** Takes back one hit (e.g. an attempt that turned out to be a success). */
  refund(key: string): Promise<void>;
  /** Forgets the key. */
  reset(key: string): Promise<void>;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Single-process limiter: `max` hits per `windowMs` per key. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, Window>();
  #lastSweep = 0;

  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<RateDecision> {
    const now = this.now();
    this.#sweep(now);
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return { allowed: w.count <= this.max, count: w.count, retryAfterMs: w.resetAt - now };
  }

  async refund(key: string): Promise<void> {
    const w = this.#windows.get(key);
    if (w && w.count > 0) w.count -= 1;
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key);
  }

  /** Drops expired windows now and then, so the map stays bounded by active keys. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.windowMs) return;
    this.#lastSweep = now;
    for (const [key, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(key);
  }
}

function rateLimited(retryAfterMs: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError(429, 'rate_limited', `too many attempts, retry in ${seconds} s`, undefined, {
    'Retry-After': String(seconds),
  });
}

/** Counts one attempt under every key and throws 429 when any of them is over its limit. */
export async function throttle(limiter: RateLimiter, keys: string[]): Promise<void> {
  const decisions = await Promise.all(keys.map((k) => limiter.hit(k)));
  const over = decisions.filter((d) => !d.allowed);
  if (over.length > 0) throw rateLimited(Math.max(...over.map((d) => d.retryAfterMs)));
}
