// Public-key validation (README "Safe public keys"): an identity key must be a canonical Ed25519
// point of the prime-order subgroup, and an encryption key a canonical X25519 u-coordinate of
// large order. Small-order keys are the classic way to make a signature verify for many messages
// or a key agreement land on a value the attacker knows; refusing them where keys enter (bundles,
// membership entries, sealing) keeps every later step on sound keys.
import { BOX_PUBLIC_KEY_BYTES, checkBytes, SIGN_PUBLIC_KEY_BYTES } from './bytes';
import { KeyError } from './errors';
import { sodium } from './sodium';

/**
 * A fixed, non-zero X25519 scalar for the small-order test. Clamped, it is a multiple of 8 below
 * 2^255, so X25519(s, u) is all zero exactly when u has small order (order 1, 2, 4 or 8).
 */
const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);

/** u >= 2^255 - 19 or top bit set: a second spelling of some field element (little-endian). */
function isNonCanonicalU(pk: Uint8Array): boolean {
  if (((pk[31] ?? 0) & 0x80) !== 0) return true;
  if (pk[31] !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (pk[i] !== 0xff) return false;
  return (pk[0] ?? 0) >= 0xed;
}

/**
 * True iff `pk` is a usable X25519 public key: 32 bytes, canonical (top bit clear and below
 * 2^255 - 19) and not of small order, i.e. X25519 with a non-zero scalar does not give all zeros
 * (libsodium refuses those with "weak public key": u = 0, 1, p - 1, the two points of order 8, and
 * the non-canonical p, p + 1).
 */
export function isUsableEncKey(pk: Uint8Array): boolean {
  if (!(pk instanceof Uint8Array) || pk.length !== BOX_PUBLIC_KEY_BYTES || isNonCanonicalU(pk)) return false;
  let shared: Uint8Array;
  try {
    shared = sodium().crypto_scalarmult(PROBE_SCALAR, pk);
  } catch {
    return false; // libsodium: "weak public key" (small order)
  }
  let acc = 0;
  for (const b of shared) acc |= b;
  return acc !== 0;
}

/**
 * True iff `pk` is a valid Ed25519 public key: 32 bytes that crypto_core_ed25519_is_valid_point
 * accepts (canonical y, on the curve, not of small order, in the prime-order subgroup).
 */
export function isValidIdentityKey(pk: Uint8Array): boolean {
  if (!(pk instanceof Uint8Array) || pk.length !== SIGN_PUBLIC_KEY_BYTES) return false;
  return sodium().crypto_core_ed25519_is_valid_point(pk);
}

/** KeyError `${fn}: ${name} ...` unless `pk` is a valid Ed25519 public key (internal). */
export function checkIdentityKey(fn: string, name: string, pk: unknown): Uint8Array {
  const bytes = checkBytes(fn, name, pk, SIGN_PUBLIC_KEY_BYTES);
  if (!isValidIdentityKey(bytes)) {
    throw new KeyError(
      `${fn}: ${name} is not a valid Ed25519 key (small order, non-canonical or off the curve)`,
    );
  }
  return bytes;
}

/** KeyError `${fn}: ${name} is not a usable X25519 key` unless `isUsableEncKey(pk)` (internal). */
export function checkEncKey(fn: string, name: string, pk: unknown): Uint8Array {
  const bytes = checkBytes(fn, name, pk, BOX_PUBLIC_KEY_BYTES);
  if (!isUsableEncKey(bytes)) {
    throw new KeyError(`${fn}: ${name} is not a usable X25519 key (small order or non-canonical)`);
  }
  return bytes;
}

/** Both checks of a published key pair, naming the fields as a bundle does (internal). */
export function checkPublicKeys(fn: string, identityKey: unknown, encKey: unknown): void {
  checkIdentityKey(fn, 'identityKey', identityKey);
  checkEncKey(fn, 'encKey', encKey);
}
