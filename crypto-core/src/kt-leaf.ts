// Key-transparency leaves (DESIGN §7.5): leaf = encodeFields("parley/kt/leaf/v1", userId,
// username, u32be(version), identityKey, encKey, encKeySig), stored in the map under the key
// BLAKE2b-256(utf8(userId)) with the value BLAKE2b-256(leaf). A leaf records which bundle the relay
// publishes for a user, at which version; it does not vouch for the bundle (verifyBundle does), and
// the version only means something to a reader who checks that it never goes down.
import { z } from 'zod';
import {
  BOX_PUBLIC_KEY_BYTES,
  base64Field,
  base64UrlOf,
  checkBytes,
  checkObject,
  encodeFields,
  idBytes,
  parseWire,
  SIGN_PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  toBase64,
  U32_MAX,
  u32be,
  wireId,
} from './bytes';
import { FormatError } from './errors';
import { KT_HASH_BYTES } from './kt-tree';
import { checkPublicKeys } from './public-keys';
import { sodium } from './sodium';
import { TAGS } from './tags';

/** One user's key binding as the relay publishes it. */
export interface KtBinding {
  /** The immutable user id. */
  userId: string;
  username: string;
  /** 1 for the first bundle, + 1 at each key change of this user. */
  version: number;
  /** The bundle: Ed25519 identity key, X25519 encryption key and the signature binding them. */
  identityKey: Uint8Array;
  encKey: Uint8Array;
  encKeySig: Uint8Array;
}

/** Checks every field and encodes the leaf; errors are `${fn}: …` (internal). */
function leafBytes(fn: string, b: KtBinding): Uint8Array {
  checkObject(fn, 'binding', b);
  const userId = idBytes(fn, 'userId', b.userId);
  const username = idBytes(fn, 'username', b.username);
  const { version } = b;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > U32_MAX) {
    throw new FormatError(`${fn}: version must be an integer in 1..2^32-1`);
  }
  checkBytes(fn, 'identityKey', b.identityKey, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKey', b.encKey, BOX_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKeySig', b.encKeySig, SIGNATURE_BYTES);
  return encodeFields(TAGS.ktLeaf, userId, username, u32be(version), b.identityKey, b.encKey, b.encKeySig);
}

/** The leaf bytes. Throws FormatError (ids, version) or KeyError (key and signature lengths). */
export function ktLeafBytes(b: KtBinding): Uint8Array {
  return leafBytes('ktLeafBytes', b);
}

/** The map key of a user: BLAKE2b-256(utf8(userId)). FormatError for an invalid id. */
export function ktMapKey(userId: string): Uint8Array {
  return sodium().crypto_generichash(KT_HASH_BYTES, idBytes('ktMapKey', 'userId', userId), null);
}

/** The map value of a binding: BLAKE2b-256(leaf). Errors as ktLeafBytes. */
export function ktLeafValue(b: KtBinding): Uint8Array {
  return sodium().crypto_generichash(KT_HASH_BYTES, leafBytes('ktLeafValue', b), null);
}

/** A binding on the wire (JSON), bytes as canonical unpadded base64url. */
export const WireKtBindingSchema = z.object({
  userId: wireId,
  username: wireId,
  version: z.int().min(1).max(U32_MAX),
  identityKey: base64UrlOf(SIGN_PUBLIC_KEY_BYTES),
  encKey: base64UrlOf(BOX_PUBLIC_KEY_BYTES),
  encKeySig: base64UrlOf(SIGNATURE_BYTES),
});
export type WireKtBinding = z.infer<typeof WireKtBindingSchema>;

export function ktBindingToWire(b: KtBinding): WireKtBinding {
  leafBytes('ktBindingToWire', b);
  return {
    userId: b.userId,
    username: b.username,
    version: b.version,
    identityKey: toBase64(b.identityKey),
    encKey: toBase64(b.encKey),
    encKeySig: toBase64(b.encKeySig),
  };
}

/**
 * Parses a wire binding (an already JSON-parsed value) and checks it as ktLeafBytes does, and that
 * its keys are sound (README "Safe public keys"). Throws FormatError (schema, ids, version) or
 * KeyError (lengths, weak keys). Does not verify encKeySig: check the bundle with verifyBundle.
 */
export function ktBindingFromWire(wire: unknown): KtBinding {
  const fn = 'ktBindingFromWire';
  const w = parseWire(fn, 'binding', WireKtBindingSchema, wire);
  const binding: KtBinding = {
    userId: w.userId,
    username: w.username,
    version: w.version,
    identityKey: base64Field(fn, 'identityKey', w.identityKey),
    encKey: base64Field(fn, 'encKey', w.encKey),
    encKeySig: base64Field(fn, 'encKeySig', w.encKeySig),
  };
  leafBytes(fn, binding);
  checkPublicKeys(fn, binding.identityKey, binding.encKey);
  return binding;
}
