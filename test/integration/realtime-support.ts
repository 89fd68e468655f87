// Helpers shared by the integration tests: Redis from the environment, and a raw protocol socket
// (no protocol client) for frame-level checks.

/**
 * A raw socket that records every frame and matches answers to requests by id: the relay's own
 * socket-test client. `RawSocket.open(url, headers)` rejects with `{ status }` when the upgrade is
 * refused; `closed` resolves with the close `{ code, reason }`.
 */
export { TestSocket as RawSocket } from '../../server/src/ws/testing';

/** REDIS_URL, or undefined (the caller skips); under CI=true a missing REDIS_URL is an error. */
export function redisUrlFromEnv(): string | undefined {
  const url = process.env.REDIS_URL?.trim();
  if (url) return url;
  if (process.env.CI === 'true') throw new Error('REDIS_URL must be set under CI=true');
  return undefined;
}
