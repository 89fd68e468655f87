// Randomness: every nonce, id, salt and symmetric key comes from WebCrypto's CSPRNG
// (`crypto.getRandomValues`, `crypto.randomUUID`), the OS generator that libsodium.js itself reads,
// but in one call instead of one per byte. libsodium still generates the key pairs. The only
// way to fix a value is a parameter named `dangerousTestOnly…`, which throws unless a test runner is
// detected (DESIGN §3, hygiene).
import { checkBytes, toHex } from './bytes';
import { CryptoError } from './errors';

/** getRandomValues refuses more than this many bytes per call (WebCrypto spec, QuotaExceededError). */
const MAX_RANDOM_CHUNK = 65_536;

interface WebCrypto {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
  /** Absent outside secure contexts (a page served over plain http from a non-localhost host). */
  randomUUID?: () => string;
}

function webCrypto(fn: string): WebCrypto {
  const c = (globalThis as { crypto?: WebCrypto }).crypto;
  if (typeof c?.getRandomValues !== 'function') {
    throw new CryptoError(`${fn}: no crypto.getRandomValues in this environment`);
  }
  return c;
}

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  const c = webCrypto('randomBytes');
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += MAX_RANDOM_CHUNK) c.getRandomValues(out.subarray(at, at + MAX_RANDOM_CHUNK));
  return out;
}

/** A random UUID v4 string, lowercase: 16 CSPRNG bytes with the version (4) and variant (10xx) bits set. */
export function randomUuid(): string {
  const c = webCrypto('randomUuid');
  if (typeof c.randomUUID === 'function') return c.randomUUID();
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
