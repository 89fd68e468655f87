// Reconnect delays: exponential growth with "equal jitter" (half fixed, half random), capped.

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000, factor: 2 };

/**
 * Delay before retry number `attempt` (0-based): `min(max, base * factor^attempt)`, of which the
 * lower half is fixed and the upper half random, so that many clients do not reconnect in step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt));
  const half = exp / 2;
  return Math.round(half + random() * half);
}
