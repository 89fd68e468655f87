// The per-user frame budget on this relay's sockets (DESIGN §4 "Limits"). Every frame a user's
// sockets send, valid or not, takes a token from one bucket (WS_FRAME_RATE_PER_SEC refill,
// WS_FRAME_BURST size). An empty bucket goes into debt: frames are refused with `rate_limited`
// and a retry hint, and a frame that would take the debt past one whole burst closes its socket
// (4029) instead. A user in debt cannot open a new socket until it is repaid.
//
// The bucket is local to the relay on purpose: it guards this relay's event loop, which is what a
// flood of frames wears out, and a Redis round trip per frame would cost more than most frames.
// The send limit, which guards the shared database and other users' timelines, stays in Redis.
import type { RateLimit } from '../realtime/rate-limit';

export type FrameVerdict =
  | { kind: 'ok' }
  | { kind: 'refuse'; retryAfterMs: number }
  /** The client kept sending through a whole burst of refusals. */
  | { kind: 'close' };

interface Bucket {
  /** Negative: debt. Never below -burst. */
  tokens: number;
  at: number;
}

const OK: FrameVerdict = { kind: 'ok' };
const CLOSE: FrameVerdict = { kind: 'close' };

export class FrameLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.ratePerSec > 0) || !(limit.burst >= 1)) throw new RangeError('FrameLimiter: bad limit');
  }

  /** Counts one frame of `userId`'s sockets. */
  take(userId: string): FrameVerdict {
    const b = this.#refill(userId);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return OK;
    }
    if (b.tokens - 1 < -this.limit.burst) return CLOSE;
    b.tokens -= 1;
    return { kind: 'refuse', retryAfterMs: this.#msUntil(b, 1) };
  }

  /** How long until `userId` is out of debt (0: it is not), e.g. before accepting a new socket. */
  debtMs(userId: string): number {
    const b = this.#buckets.get(userId);
    if (!b) return 0;
    return this.#msUntil(this.#refill(userId), 0);
  }

  #refill(userId: string): Bucket {
    const now = this.now();
    const { ratePerSec, burst } = this.limit;
    let b = this.#buckets.get(userId);
    if (!b) {
      if (this.#buckets.size >= 10_000) this.#prune(now);
      b = { tokens: burst, at: now };
      this.#buckets.set(userId, b);
      return b;
    }
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) * ratePerSec) / 1000);
    b.at = now;
    return b;
  }

  #msUntil(b: Bucket, tokens: number): number {
    return b.tokens >= tokens ? 0 : Math.ceil(((tokens - b.tokens) * 1000) / this.limit.ratePerSec);
  }

  /** Drops buckets that have refilled completely: they are the same as no bucket. */
  #prune(now: number): void {
    const { ratePerSec, burst } = this.limit;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) * ratePerSec) / 1000 >= burst) this.#buckets.delete(key);
    }
  }
}
