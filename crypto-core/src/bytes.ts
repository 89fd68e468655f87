// Byte helpers and the one unambiguous encoding used for every signed message and every AEAD
// associated data: encodeFields(tag, ...fields) = utf8(tag) || 0x00 || (u32be(len) || bytes)* (DESIGN §3).
// It is injective: a tag never contains 0x00, and each field is length-prefixed.
import { z } from 'zod';
import { FormatError, KeyError } from './errors';
import { sodium } from './sodium';

// Named lengths. Literals, so they are usable before ready(); test/kat.test.ts checks each one
// against libsodium's own constant.
export const SIGN_PUBLIC_KEY_BYTES = 32; // crypto_sign_PUBLICKEYBYTES (Ed25519)
export const SIGN_SECRET_KEY_BYTES = 64; // crypto_sign_SECRETKEYBYTES (seed || public key)
export const SIGN_SEED_BYTES = 32; // crypto_sign_SEEDBYTES
export const SIGNATURE_BYTES = 64; // crypto_sign_BYTES
export const BOX_PUBLIC_KEY_BYTES = 32; // crypto_box_PUBLICKEYBYTES (X25519)
export const BOX_SECRET_KEY_BYTES = 32; // crypto_box_SECRETKEYBYTES
export const SEAL_OVERHEAD_BYTES = 48; // crypto_box_SEALBYTES (ephemeral pk || Poly1305 tag)
export const KEY_BYTES = 32; // crypto_aead_xchacha20poly1305_ietf_KEYBYTES, sender keys, wrap keys
export const NONCE_BYTES = 24; // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
export const AEAD_TAG_BYTES = 16; // crypto_aead_xchacha20poly1305_ietf_ABYTES
export const SALT_BYTES = 16; // crypto_pwhash_SALTBYTES
/** Longest id (channel, user, clientMsgId) accepted, in UTF-8 bytes. */
export const MAX_ID_BYTES = 256;

/** Largest u32: the bound of every index and keyId. */
export const U32_MAX = 0xffff_ffff;

/** Big-endian u32. Throws FormatError unless `n` is an integer in 0..2^32-1. */
export function u32be(n: number): Uint8Array {
  if (!isU32(n)) throw new FormatError(`u32be: ${String(n)} is not an integer in 0..2^32-1`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

/**
 * Big-endian u64 of a non-negative safe integer (0..2^53-1: every epoch and millisecond time a
 * JavaScript number holds exactly). Throws FormatError otherwise.
 */
export function u64be(n: number): Uint8Array {
  if (!isSafeNat(n)) throw new FormatError(`u64be: ${String(n)} is not an integer in 0..2^53-1`);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 2 ** 32), false);
  view.setUint32(4, n >>> 0, false);
  return out;
}

function isSafeNat(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

// In unicode mode a surrogate pair is one code point, so \p{Cs} matches lone surrogates only.
export const LONE_SURROGATE = /\p{Cs}/u;

/** UTF-8 bytes of a string. Throws FormatError on lone surrogates (which would encode ambiguously). */
export function utf8(s: string): Uint8Array {
  if (typeof s !== 'string') throw new FormatError('utf8: not a string');
  if (LONE_SURROGATE.test(s)) throw new FormatError('utf8: string contains a lone surrogate');
  return sodium().from_string(s);
}

/** Decodes strict UTF-8. Throws FormatError on invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return sodium().to_string(bytes);
  } catch {
    throw new FormatError('fromUtf8: invalid UTF-8');
  }
}

/** Throws FormatError `${fn}: ${what} is not a Uint8Array` unless it is one (byte helpers). */
function bytesArg(fn: string, what: string, value: unknown): void {
  if (!(value instanceof Uint8Array)) throw new FormatError(`${fn}: ${what} is not a Uint8Array`);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const [i, p] of parts.entries()) {
    bytesArg('concatBytes', `part ${i}`, p);
    length += p.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `utf8(tag) || 0x00 || for each field: u32be(len) || bytes` (DESIGN §3, byte helpers). */
export function encodeFields(tag: string, ...fields: Uint8Array[]): Uint8Array {
  if (typeof tag !== 'string' || tag.length === 0) throw new FormatError('encodeFields: empty tag');
  if (tag.includes('\u0000')) throw new FormatError('encodeFields: tag contains NUL');
  if (LONE_SURROGATE.test(tag)) throw new FormatError('encodeFields: tag contains a lone surrogate');
  const parts: Uint8Array[] = [utf8(tag), new Uint8Array([0])];
  for (const [i, field] of fields.entries()) {
    if (!(field instanceof Uint8Array)) throw new FormatError(`encodeFields: field ${i} is not bytes`);
    parts.push(u32be(field.length), field);
  }
  return concatBytes(...parts);
}

/** Base64url without padding: Parley's wire encoding for bytes. */
export function toBase64(bytes: Uint8Array): string {
  bytesArg('toBase64', 'input', bytes);
  const s = sodium();
  return s.to_base64(bytes, s.base64_variants.URLSAFE_NO_PADDING);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes canonical base64url without padding. Throws FormatError on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) {
    throw new FormatError('fromBase64: not unpadded base64url');
  }
  const s = sodium();
  let bytes: Uint8Array;
  try {
    bytes = s.from_base64(text, s.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new FormatError('fromBase64: not unpadded base64url');
  }
  // Reject non-canonical encodings (stray low bits), so one byte string has one spelling.
  if (toBase64(bytes) !== text) throw new FormatError('fromBase64: non-canonical base64url');
  return bytes;
}

/** `fromBase64` for a named input of a public function: FormatError `${fn}: ${name} ...` (internal). */
export function base64Field(fn: string, name: string, text: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch {
    throw new FormatError(`${fn}: ${name} is not canonical unpadded base64url`);
  }
}

// Base64url characters whose 6-bit value has its low 2 (or 4) bits clear: the only ones that can end
// a canonical encoding of n bytes when n % 3 is 2 (or 1), since the spare bits must be zero.
const LAST_CHAR_2_SPARE = 'AEIMQUYcgkosw048';
const LAST_CHAR_4_SPARE = 'AQgw';

/**
 * zod schema of a canonical unpadded base64url string that encodes exactly `n` bytes: charset,
 * length and zero spare bits, without libsodium (so the relay can use it before `ready()`).
 */
export function base64UrlOf(n: number) {
  const chars = Math.ceil((n * 8) / 6);
  const last = n % 3 === 1 ? LAST_CHAR_4_SPARE : LAST_CHAR_2_SPARE;
  const pattern = n % 3 === 0 ? `^[A-Za-z0-9_-]{${chars}}$` : `^[A-Za-z0-9_-]{${chars - 1}}[${last}]$`;
  return z.string().regex(new RegExp(pattern), `expected ${n} bytes as canonical unpadded base64url`);
}

export function toHex(bytes: Uint8Array): string {
  bytesArg('toHex', 'input', bytes);
  return sodium().to_hex(bytes);
}

/** Decodes lowercase or uppercase hex. Throws FormatError on anything else. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
    throw new FormatError('fromHex: not hex');
  }
  return sodium().from_hex(text);
}

/** Constant-time equality for equal-length inputs (sodium_memcmp); false when lengths differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  bytesArg('constantTimeEqual', 'a', a);
  bytesArg('constantTimeEqual', 'b', b);
  if (a.length !== b.length) return false;
  return sodium().memcmp(a, b);
}

/** Overwrites secret buffers with zeros (sodium_memzero). Skips undefined. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  const s = sodium();
  for (const [i, b] of buffers.entries()) {
    if (b === undefined) continue;
    bytesArg('wipe', `buffer ${i}`, b);
    s.memzero(b);
  }
}

// ---- Checks used at every public entry (internal; not re-exported from index.ts) ----

/** Throws KeyError `${fn}: ${name} must be N bytes` unless `value` is a Uint8Array of that length. */
export function checkBytes(fn: string, name: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new KeyError(`${fn}: ${name} must be a Uint8Array`);
  if (value.length !== length) {
    throw new KeyError(`${fn}: ${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Throws FormatError `${fn}: ${name} must be an object` unless `value` is a non-null object. */
export function checkObject<T>(fn: string, name: string, value: T): T {
  if (typeof value !== 'object' || value === null) throw new FormatError(`${fn}: ${name} must be an object`);
  return value;
}

/** Throws FormatError unless `value` is an integer in 0..2^32-1. */
export function checkU32(fn: string, name: string, value: unknown): number {
  if (!isU32(value)) throw new FormatError(`${fn}: ${name} must be an integer in 0..2^32-1`);
  return value;
}

/** Throws FormatError unless `value` is an integer in 0..2^53-1 (a JavaScript safe integer). */
export function checkSafeNat(fn: string, name: string, value: unknown): number {
  if (!isSafeNat(value)) throw new FormatError(`${fn}: ${name} must be an integer in 0..2^53-1`);
  return value;
}

/** UTF-8 of a non-empty id of at most MAX_ID_BYTES bytes; throws FormatError otherwise. */
export function idBytes(fn: string, name: string, value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FormatError(`${fn}: ${name} must be a non-empty string`);
  }
  if (LONE_SURROGATE.test(value)) throw new FormatError(`${fn}: ${name} contains a lone surrogate`);
  const bytes = sodium().from_string(value);
  if (bytes.length > MAX_ID_BYTES)
    throw new FormatError(`${fn}: ${name} is longer than ${MAX_ID_BYTES} bytes`);
  return bytes;
}

/** The wire form of an id (checked in full, as UTF-8 bytes, by idBytes). */
export const wireId = z.string().min(1).max(MAX_ID_BYTES);

/**
 * Parses an already JSON-parsed wire value with `schema`; FormatError naming the first problem's
 * path (or `what`) otherwise.
 */
export function parseWire<T>(fn: string, what: string, schema: z.ZodType<T>, wire: unknown): T {
  const parsed = schema.safeParse(wire);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new FormatError(`${fn}: ${issue?.path.join('.') || what}: ${issue?.message ?? `bad ${what}`}`);
}
