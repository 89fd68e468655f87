// Contact pins: the user's own trust-on-first-use record of contacts' identity keys and verified
// flags, stored on the relay as nonce24 || XChaCha20-Poly1305(pinsKey, sig || json, ad), with
// pinsKey derived from the user's box secret key and sig an Ed25519 signature by the user's
// identity key. The relay can neither read nor edit it. It can still serve an older blob
// (rollback): clients keep the highest `version` they have seen and refuse anything lower.
import { z } from 'zod';
import { AEAD_OVERHEAD_BYTES, aeadOpen, aeadSeal } from './aead';
import {
  base64UrlOf,
  concatBytes,
  encodeFields,
  fromUtf8,
  KEY_BYTES,
  MAX_ID_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  U32_MAX,
  utf8,
  wipe,
} from './bytes';
import { DecryptError, FormatError, SignatureError } from './errors';
import { checkIdentity, type IdentityKeys } from './keys';
import { KT_HASH_BYTES } from './kt-tree';
import { sodium } from './sodium';
import { KDF_CONTEXTS, TAGS } from './tags';

const timestamp = z.int().min(0); // milliseconds since the epoch
const ktVersion = z.int().min(1).max(U32_MAX); // a key-transparency binding version (a u32 from 1)

export const ContactPinSchema = z.object({
  /** The pinned Ed25519 identity key, base64url. */
  identityKey: base64UrlOf(SIGN_PUBLIC_KEY_BYTES),
  firstSeenAt: timestamp,
  verified: z.boolean(),
  verifiedAt: timestamp.optional(),
  /** The highest version of this contact's key-transparency binding seen (DESIGN §7.5). */
  ktVersion: ktVersion.optional(),
});
export type ContactPin = z.infer<typeof ContactPinSchema>;

/** Key-transparency state (DESIGN §7.5): what the user pinned and last verified of the relay's key log. */
export const KtPinsSchema = z.object({
  /** The relay's log key (Ed25519), pinned on first use. */
  logKey: base64UrlOf(SIGN_PUBLIC_KEY_BYTES),
  /** The newest head verified: its epoch and ktHeadHash. */
  epoch: z.int().min(0),
  headHash: base64UrlOf(KT_HASH_BYTES),
  /** The version of the user's own binding, as the user made it. */
  ownVersion: ktVersion,
});
export type KtPins = z.infer<typeof KtPinsSchema>;

export const ContactPinsSchema = z.object({
  v: z.literal(1),
  /** Monotonic counter, increased on every save; the defence against rollback by the relay. */
  version: z.int().min(0),
  /** Keyed by the contact's immutable user id. */
  contacts: z.record(z.string().min(1).max(MAX_ID_BYTES), ContactPinSchema),
  /** Optional, so blobs saved before key transparency stay valid. */
  kt: KtPinsSchema.optional(),
});
export type ContactPins = z.infer<typeof ContactPinsSchema>;

export interface SealPinsOptions {
  dangerousTestOnlyNonce?: Uint8Array;
}

/** pinsKey = kdf(32, 1, "parleypn", BLAKE2b-256(encodeFields("parley/pins/key/v1", boxSk))). Internal. */
export function pinsKey(boxSk: Uint8Array): Uint8Array {
  const s = sodium();
  const input = encodeFields(TAGS.pinsKey, boxSk);
  const root = s.crypto_generichash(KEY_BYTES, input, null);
  const key = s.crypto_kdf_derive_from_key(KEY_BYTES, 1, KDF_CONTEXTS.pins, root);
  wipe(input, root);
  return key;
}

/**
 * blob = nonce24 || XChaCha20-Poly1305(pinsKey, sig || json, ad) with ad = encodeFields(
 * "parley/pins/ad/v1", identityPk) and sig = Ed25519(encodeFields("parley/pins/sig/v1", ad, json)).
 */
export function sealPins(pins: ContactPins, identity: IdentityKeys, opts: SealPinsOptions = {}): Uint8Array {
  const fn = 'sealPins';
  checkIdentity(fn, identity);
  const parsed = ContactPinsSchema.safeParse(pins);
  if (!parsed.success) throw new FormatError(`${fn}: invalid pins: ${parsed.error.issues[0]?.message}`);
  const s = sodium();
  const ad = encodeFields(TAGS.pinsAd, identity.signPk);
  const json = utf8(JSON.stringify(parsed.data));
  const sig = s.crypto_sign_detached(encodeFields(TAGS.pinsSig, ad, json), identity.signSk);
  const plaintext = concatBytes(sig, json);
  const key = pinsKey(identity.boxSk);
  try {
    return aeadSeal(fn, key, plaintext, ad, opts.dangerousTestOnlyNonce);
  } finally {
    wipe(key, plaintext, json);
  }
}

/**
 * Opens and checks the user's pins blob. Throws DecryptError (not ours, or tampered),
 * SignatureError (not signed by our identity key) or FormatError (bad JSON or schema).
 * The caller must still compare `version` with the highest it has seen.
 */
export function openPins(blob: Uint8Array, identity: IdentityKeys): ContactPins {
  const fn = 'openPins';
  checkIdentity(fn, identity);
  if (!(blob instanceof Uint8Array) || blob.length < AEAD_OVERHEAD_BYTES + SIGNATURE_BYTES) {
    throw new DecryptError(`${fn}: blob too short`);
  }
  const s = sodium();
  const ad = encodeFields(TAGS.pinsAd, identity.signPk);
  const key = pinsKey(identity.boxSk);
  let plaintext: Uint8Array;
  try {
    plaintext = aeadOpen(fn, key, blob, ad);
  } finally {
    wipe(key);
  }
  try {
    const sig = plaintext.subarray(0, SIGNATURE_BYTES);
    const json = plaintext.subarray(SIGNATURE_BYTES);
    if (!s.crypto_sign_verify_detached(sig, encodeFields(TAGS.pinsSig, ad, json), identity.signPk)) {
      throw new SignatureError(`${fn}: bad signature`);
    }
    let value: unknown;
    try {
      value = JSON.parse(fromUtf8(json));
    } catch {
      throw new FormatError(`${fn}: not UTF-8 JSON`);
    }
    const parsed = ContactPinsSchema.safeParse(value);
    if (!parsed.success) throw new FormatError(`${fn}: invalid pins: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  } finally {
    wipe(plaintext);
  }
}
