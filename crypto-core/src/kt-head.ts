// Key-transparency heads (DESIGN §7.5): head = encodeFields("parley/kt/head/v1", u64be(epoch),
// root, prevHash, u64be(timeMs)), Ed25519-signed by the relay's log key and hashed as
// BLAKE2b-256(encodeFields("parley/kt/head/hash/v1", head, sig)); each prevHash is the hash of the
// head before, so verified heads form one linear history of map roots. A relay can still show two
// readers two histories (a fork): readers notice when they compare heads (gossip, DESIGN §7.5).
import { z } from 'zod';
import {
  base64Field,
  base64UrlOf,
  checkBytes,
  checkObject,
  checkSafeNat,
  constantTimeEqual,
  encodeFields,
  parseWire,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  toBase64,
  toHex,
  u64be,
  wipe,
} from './bytes';
import { FormatError, KeyError, KtChainError, SignatureError } from './errors';
import { KT_HASH_BYTES } from './kt-tree';
import { checkIdentityKey } from './public-keys';
import { sodium } from './sodium';
import { TAGS } from './tags';

export interface KtHeadFields {
  /** Counts from 0. */
  epoch: number;
  /** The map's root at this epoch. */
  root: Uint8Array;
  /** ktHeadHash of the head of epoch - 1; KT_GENESIS_PREV at epoch 0. */
  prevHash: Uint8Array;
  /** When the relay made the epoch, in milliseconds since the Unix epoch. */
  timeMs: number;
}

export interface KtHead extends KtHeadFields {
  /** Ed25519 signature of ktHeadBytes by the log key. */
  sig: Uint8Array;
}

/** 32 zero bytes: the prevHash of epoch 0. Do not modify. */
export const KT_GENESIS_PREV = new Uint8Array(KT_HASH_BYTES);
const ZERO_HASH = new Uint8Array(KT_HASH_BYTES); // private: KT_GENESIS_PREV is exported, so mutable
/** Length of a log-key fingerprint, in bytes (40 hex digits). */
const FINGERPRINT_BYTES = 20;

/** Checks the fields and encodes the signed bytes; errors are `${fn}: …` (internal). */
function headBytes(fn: string, f: KtHeadFields): Uint8Array {
  checkObject(fn, 'head', f);
  const epoch = checkSafeNat(fn, 'epoch', f.epoch);
  checkBytes(fn, 'root', f.root, KT_HASH_BYTES);
  checkBytes(fn, 'prevHash', f.prevHash, KT_HASH_BYTES);
  const timeMs = checkSafeNat(fn, 'timeMs', f.timeMs);
  return encodeFields(TAGS.ktHead, u64be(epoch), f.root, f.prevHash, u64be(timeMs));
}

function hashOf(body: Uint8Array, sig: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(KT_HASH_BYTES, encodeFields(TAGS.ktHeadHash, body, sig), null);
}

/** The signed bytes of a head. Throws FormatError (epoch, timeMs) or KeyError (lengths). */
export function ktHeadBytes(f: KtHeadFields): Uint8Array {
  return headBytes('ktHeadBytes', f);
}

/**
 * Signs a head with the log key (libsodium's 64-byte seed || public key). Refuses a key whose
 * public half is not its seed's (KeyError), since nobody could verify what it signs. Does not
 * check that the head follows any chain.
 */
export function signKtHead(f: KtHeadFields, logSignSk: Uint8Array): KtHead {
  const fn = 'signKtHead';
  const body = headBytes(fn, f);
  checkBytes(fn, 'logSignSk', logSignSk, SIGN_SECRET_KEY_BYTES);
  const s = sodium();
  const derived = s.crypto_sign_seed_keypair(logSignSk.subarray(0, 32));
  const consistent = constantTimeEqual(derived.publicKey, logSignSk.subarray(32));
  wipe(derived.privateKey);
  if (!consistent) throw new KeyError(`${fn}: logSignSk's public half does not match its seed`);
  return {
    epoch: f.epoch,
    root: f.root.slice(),
    prevHash: f.prevHash.slice(),
    timeMs: f.timeMs,
    sig: s.crypto_sign_detached(body, logSignSk),
  };
}

/** Throws SignatureError unless `head` is signed by `logPk`; FormatError/KeyError if malformed. */
export function verifyKtHead(head: KtHead, logPk: Uint8Array): void {
  const fn = 'verifyKtHead';
  const body = headBytes(fn, head);
  checkBytes(fn, 'sig', head.sig, SIGNATURE_BYTES);
  checkIdentityKey(fn, 'logPk', logPk);
  if (!sodium().crypto_sign_verify_detached(head.sig, body, logPk)) {
    throw new SignatureError(`${fn}: epoch ${head.epoch}: bad signature (not by this log key)`);
  }
}

/** The head's hash, the prevHash of the next epoch. Does not verify the signature. */
export function ktHeadHash(head: KtHead): Uint8Array {
  const fn = 'ktHeadHash';
  const body = headBytes(fn, head);
  checkBytes(fn, 'sig', head.sig, SIGNATURE_BYTES);
  return hashOf(body, head.sig);
}

/**
 * Checks that `heads` are consecutive epochs, each signed by logPk, each prevHash the hash of the
 * one before; `after`, if given, is the verified head the first one must follow (its epoch + 1 and
 * hash); epoch 0 must have KT_GENESIS_PREV. Without `after`, the first head's own predecessor is
 * not checked (unless it is epoch 0): pass `after` to anchor the heads to a head verified before.
 * Throws KtChainError or SignatureError naming the epoch (FormatError/KeyError if malformed).
 * Returns the hash of the last head (of `after` when `heads` is empty).
 */
export function verifyKtChain(
  heads: readonly KtHead[],
  logPk: Uint8Array,
  after?: { epoch: number; hash: Uint8Array },
): Uint8Array {
  const fn = 'verifyKtChain';
  if (!Array.isArray(heads)) throw new FormatError(`${fn}: heads must be an array`);
  checkIdentityKey(fn, 'logPk', logPk);
  let prev: { epoch: number; hash: Uint8Array } | null = null;
  if (after !== undefined) {
    checkObject(fn, 'after', after);
    prev = {
      epoch: checkSafeNat(fn, 'after.epoch', after.epoch),
      hash: checkBytes(fn, 'after.hash', after.hash, KT_HASH_BYTES),
    };
  }
  for (const [i, head] of heads.entries()) {
    const body = headBytes(`${fn}: head ${i}`, head);
    const at = `${fn}: epoch ${head.epoch}`;
    checkBytes(at, 'sig', head.sig, SIGNATURE_BYTES);
    if (prev !== null) {
      if (head.epoch !== prev.epoch + 1) {
        throw new KtChainError(`${at}: expected epoch ${prev.epoch + 1} (an epoch is missing or repeated)`);
      }
      if (!constantTimeEqual(head.prevHash, prev.hash)) {
        throw new KtChainError(`${at}: prevHash is not the hash of epoch ${prev.epoch}`);
      }
    } else if (head.epoch === 0 && !constantTimeEqual(head.prevHash, ZERO_HASH)) {
      throw new KtChainError(`${at}: epoch 0 must have 32 zero bytes as prevHash`);
    }
    if (!sodium().crypto_sign_verify_detached(head.sig, body, logPk)) {
      throw new SignatureError(`${at}: bad signature (not by this log key)`);
    }
    prev = { epoch: head.epoch, hash: hashOf(body, head.sig) };
  }
  if (prev === null) throw new KtChainError(`${fn}: no heads, and no head to follow`);
  return prev.hash.slice();
}

/** A head on the wire (JSON), bytes as canonical unpadded base64url. */
export const WireKtHeadSchema = z.object({
  epoch: z.int().min(0),
  root: base64UrlOf(KT_HASH_BYTES),
  prevHash: base64UrlOf(KT_HASH_BYTES),
  timeMs: z.int().min(0),
  sig: base64UrlOf(SIGNATURE_BYTES),
});
export type WireKtHead = z.infer<typeof WireKtHeadSchema>;

export function ktHeadToWire(h: KtHead): WireKtHead {
  const fn = 'ktHeadToWire';
  headBytes(fn, h);
  checkBytes(fn, 'sig', h.sig, SIGNATURE_BYTES);
  return {
    epoch: h.epoch,
    root: toBase64(h.root),
    prevHash: toBase64(h.prevHash),
    timeMs: h.timeMs,
    sig: toBase64(h.sig),
  };
}

/** Parses a wire head (an already JSON-parsed value). FormatError. Does not verify the signature. */
export function ktHeadFromWire(wire: unknown): KtHead {
  const fn = 'ktHeadFromWire';
  const w = parseWire(fn, 'head', WireKtHeadSchema, wire);
  return {
    epoch: w.epoch,
    root: base64Field(fn, 'root', w.root),
    prevHash: base64Field(fn, 'prevHash', w.prevHash),
    timeMs: w.timeMs,
    sig: base64Field(fn, 'sig', w.sig),
  };
}

/**
 * Human-comparable fingerprint of the relay's log key: the first 20 bytes of
 * BLAKE2b-256(encodeFields("parley/kt/logkey/v1", logPk)) as 40 lowercase hex digits, in 10
 * groups of 4 separated by spaces. KeyError unless logPk is 32 bytes.
 */
export function ktLogKeyFingerprint(logPk: Uint8Array): string {
  checkBytes('ktLogKeyFingerprint', 'logPk', logPk, SIGN_PUBLIC_KEY_BYTES);
  const digest = sodium().crypto_generichash(KT_HASH_BYTES, encodeFields(TAGS.ktLogKey, logPk), null);
  return (toHex(digest.subarray(0, FINGERPRINT_BYTES)).match(/.{4}/g) ?? []).join(' ');
}
