// Randomness: every key, nonce and salt comes from libsodium's CSPRNG (randombytes_buf, backed by
// crypto.getRandomValues in browsers and Node). The only way to fix a value is a parameter named
// `dangerousTestOnly…`, which throws unless a test runner is detected (DESIGN §3, hygiene).
import { checkBytes, toHex } from './bytes';
import { CryptoError } from './errors';
import { sodium } from './sodium';

/** `n` bytes from libsodium's CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  return sodium().randombytes_buf(n);
}

/** A random UUID v4 string: 16 CSPRNG bytes with the version (4) and variant (10xx) bits set. */
export function randomUuid(): string {
  const b = randomBytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type MaybeProcess = { process?: { env?: Record<string, string | undefined> } };

/** True under vitest (VITEST set) or NODE_ENV=test. Reads globalThis, so it is false in browsers. */
export function isTestEnvironment(): boolean {
  const env = (globalThis as MaybeProcess).process?.env;
  if (!env) return false;
  return env.NODE_ENV === 'test' || (env.VITEST !== undefined && env.VITEST !== '');
}

/**
 * A fresh random value of `length` bytes, or the caller's fixed value when running under a test
 * runner. Throws CryptoError `${fn}: ${name} is test-only` in any other environment.
 */
export function randomOrTestValue(
  fn: string,
  name: string,
  length: number,
  fixed: Uint8Array | undefined,
): Uint8Array {
  if (fixed === undefined) return randomBytes(length);
  if (!isTestEnvironment()) {
    throw new CryptoError(`${fn}: ${name} is test-only and refused outside a test runner`);
  }
  return checkBytes(fn, name, fixed, length).slice();
}
