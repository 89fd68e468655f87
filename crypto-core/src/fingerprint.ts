// Safety numbers: Signal's NumericFingerprint (version 0, SHA-512 iterated 5200 times over the
// identity key and the stable user id), 30 digits per side, 60 for a pair (DESIGN §3). Comparing
// them out of band detects a relay that substituted a key; it proves nothing about who the person is.
import { concatBytes, constantTimeEqual, LONE_SURROGATE, utf8 } from './bytes';
import { FormatError } from './errors';
import { sodium } from './sodium';

export const FINGERPRINT_ITERATIONS = 5200;
const FINGERPRINT_VERSION = new Uint8Array([0x00, 0x00]); // Signal's u16 fingerprint version 0
const MAX_ITERATIONS = 1_000_000;

/** The raw 64-byte SHA-512 chain (internal; its first 32 bytes are what Signal's QR code carries). */
export function fingerprintHash(
  key: Uint8Array,
  stableId: string,
  iterations: number,
  fn = 'numericFingerprint',
): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new FormatError(`${fn}: key must be a Uint8Array`);
  if (typeof stableId !== 'string' || stableId.length === 0) {
    throw new FormatError(`${fn}: stableId must be a non-empty string`);
  }
  if (LONE_SURROGATE.test(stableId)) throw new FormatError(`${fn}: stableId contains a lone surrogate`);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new FormatError(`${fn}: iterations must be an integer in 1..${MAX_ITERATIONS}`);
  }
  const s = sodium();
  // h = SHA-512(0x00 0x00 || key || utf8(stableId) || key), then h = SHA-512(h || key): `iterations` in all.
  let h = s.crypto_hash_sha512(concatBytes(FINGERPRINT_VERSION, key, utf8(stableId), key));
  const buf = new Uint8Array(h.length + key.length);
  buf.set(key, h.length);
  for (let i = 1; i < iterations; i++) {
    buf.set(h, 0);
    h = s.crypto_hash_sha512(buf);
  }
  return h;
}

function digits(hash: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    // 5 bytes big-endian = 40 bits, exact in a double.
    for (let i = 0; i < 5; i++) n = n * 256 + (hash[chunk * 5 + i] ?? 0);
    out += String(n % 100_000).padStart(5, '0');
  }
  return out;
}

/** 30 digits for one (identity key, stable id). Accepts any key length, as Signal's 33-byte keys. */
export function numericFingerprint(
  key: Uint8Array,
  stableId: string,
  iterations = FINGERPRINT_ITERATIONS,
): string {
  return digits(fingerprintHash(key, stableId, iterations));
}

/** 60 digits: both sides' fingerprints, numerically smaller first, so both users see the same number. */
export function safetyNumber(
  localKey: Uint8Array,
  localId: string,
  remoteKey: Uint8Array,
  remoteId: string,
): string {
  const local = digits(fingerprintHash(localKey, localId, FINGERPRINT_ITERATIONS, 'safetyNumber'));
  const remote = digits(fingerprintHash(remoteKey, remoteId, FINGERPRINT_ITERATIONS, 'safetyNumber'));
  return local < remote ? local + remote : remote + local;
}

/** 12 groups of 5 digits, for display. */
export function formatSafetyNumber(safety: string): string[] {
  if (typeof safety !== 'string' || !/^\d{60}$/.test(safety)) {
    throw new FormatError('formatSafetyNumber: expected 60 digits');
  }
  return safety.match(/\d{5}/g) ?? [];
}

const QR_PREFIX = 'parley-sn:1:';

/**
 * What this side's QR code shows: `parley-sn:1:` + local 30 digits + remote 30 digits.
 *
 * Directional on purpose, like Signal's scannable fingerprint: the scanner expects the shower's
 * view, which is its own view swapped (see `expectedQrPayload`). A code therefore never matches
 * itself, so scanning your own screen (say, the same account open in another browser) cannot mark
 * a contact verified; only the other person's device shows the swapped order. The displayed
 * 60-digit safety number stays symmetric (smaller first) for reading aloud.
 */
export function fingerprintQrPayload(
  localKey: Uint8Array,
  localId: string,
  remoteKey: Uint8Array,
  remoteId: string,
): string {
  return qrPayload('fingerprintQrPayload', localKey, localId, remoteKey, remoteId);
}

function qrPayload(
  fn: string,
  localKey: Uint8Array,
  localId: string,
  remoteKey: Uint8Array,
  remoteId: string,
) {
  const local = digits(fingerprintHash(localKey, localId, FINGERPRINT_ITERATIONS, fn));
  return QR_PREFIX + local + digits(fingerprintHash(remoteKey, remoteId, FINGERPRINT_ITERATIONS, fn));
}

/** The payload the scanner must read from the other person's screen: the swap of its own. */
export function expectedQrPayload(
  localKey: Uint8Array,
  localId: string,
  remoteKey: Uint8Array,
  remoteId: string,
): string {
  return qrPayload('expectedQrPayload', remoteKey, remoteId, localKey, localId);
}

/** Constant-time string comparison of a scanned payload; false on any length or encoding mismatch. */
export function compareQrPayload(scanned: string, expected: string): boolean {
  if (typeof scanned !== 'string' || typeof expected !== 'string') return false;
  let a: Uint8Array;
  let b: Uint8Array;
  try {
    a = utf8(scanned);
    b = utf8(expected);
  } catch {
    return false;
  }
  return constantTimeEqual(a, b);
}
