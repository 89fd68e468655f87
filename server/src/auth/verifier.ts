// Slow hash of a client's authKey (DESIGN §3 "Account keys from the password", step 4): scrypt
// with a per-verifier random salt, stored as `scrypt$N$r$p$salt$hash` so that the cost can be
// raised later without breaking old verifiers. Compared in constant time.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 16;
const HASH_BYTES = 32;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export class VerifierFormatError extends Error {
  constructor(message: string) {
    super(`verifier: ${message}`);
    this.name = 'VerifierFormatError';
  }
}

function scryptParams(logN: number): ScryptParams {
  return { N: 2 ** logN, r: 8, p: 1 };
}

function derive(secret: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node refuses anything above 32 MiB by default; N=2^15, r=8 needs exactly that plus change.
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, HASH_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes `secret` (an authKey) into a self-describing verifier string. */
export async function hashVerifier(secret: Uint8Array, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

function parse(verifier: string): { params: ScryptParams; salt: Buffer; hash: Buffer } {
  const parts = verifier.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new VerifierFormatError('not an scrypt verifier');
  const [N, r, p] = parts.slice(1, 4).map((x) => Number.parseInt(x ?? '', 10));
  if (!N || !r || !p || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20 || r > 32 || p > 16) {
    throw new VerifierFormatError('bad parameters');
  }
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const hash = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length !== SALT_BYTES || hash.length !== HASH_BYTES) throw new VerifierFormatError('bad lengths');
  return { params: { N, r, p }, salt, hash };
}

/** True when `secret` matches `verifier`. Always does the full scrypt work. */
export async function checkVerifier(verifier: string, secret: Uint8Array): Promise<boolean> {
  const { params, salt, hash } = parse(verifier);
  const candidate = await derive(secret, salt, params);
  return timingSafeEqual(candidate, hash);
}

/**
 * Verifies against a real verifier, or against a throwaway one when there is none, so that an
 * unknown account costs the same slow hash as a wrong key.
 */
export class Verifier {
  readonly #params: ScryptParams;
  /** Made at construction, so the first unknown-user login costs one hash like every other. */
  readonly #dummy: Promise<string>;

  constructor(logN: number) {
    this.#params = scryptParams(logN);
    this.#dummy = hashVerifier(randomBytes(32), this.#params);
  }

  hash(secret: Uint8Array): Promise<string> {
    return hashVerifier(secret, this.#params);
  }

  async check(verifier: string | null | undefined, secret: Uint8Array): Promise<boolean> {
    if (verifier) return checkVerifier(verifier, secret);
    await checkVerifier(await this.#dummy, secret);
    return false;
  }
}
