// Identity keys: an Ed25519 signing pair (the identity key, what fingerprints cover) and an X25519
// box pair (the encryption key), bound by encKeySig = Ed25519(encodeFields("parley/enckey/v1",
// identityPk, encPk)). A bundle proves only that the identity key vouches for the encryption key;
// whether the identity key is the right one for a user is the job of pinning and safety numbers.
import { z } from 'zod';
import {
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  base64Field,
  base64UrlOf,
  checkBytes,
  constantTimeEqual,
  encodeFields,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  toBase64,
  wipe,
} from './bytes';
import { FormatError, KeyError, SignatureError } from './errors';
import { checkPublicKeys } from './public-keys';
import { sodium } from './sodium';
import { TAGS } from './tags';

/** A user's private and public keys. `signSk` is libsodium's 64-byte form (seed || public key). */
export interface IdentityKeys {
  signPk: Uint8Array;
  signSk: Uint8Array;
  boxPk: Uint8Array;
  boxSk: Uint8Array;
}

/** The public half a user publishes: identity key, encryption key and the binding signature. */
export interface PublicBundle {
  v: 1;
  identityKey: Uint8Array;
  encKey: Uint8Array;
  encKeySig: Uint8Array;
}

/** The bundle on the wire: the same fields as base64url strings. */
export const WireBundleSchema = z.object({
  v: z.literal(1),
  identityKey: base64UrlOf(SIGN_PUBLIC_KEY_BYTES),
  encKey: base64UrlOf(BOX_PUBLIC_KEY_BYTES),
  encKeySig: base64UrlOf(SIGNATURE_BYTES),
});
export type WireBundle = z.infer<typeof WireBundleSchema>;

/** Fresh Ed25519 and X25519 key pairs from libsodium's keypair functions (its randombytes). */
export function generateIdentity(): IdentityKeys {
  const s = sodium();
  const sign = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  return { signPk: sign.publicKey, signSk: sign.privateKey, boxPk: box.publicKey, boxSk: box.privateKey };
}

/**
 * Rebuilds an identity from its two secret keys, recomputing both public keys. Throws KeyError if
 * the public half stored inside `signSk` does not match its seed (a corrupt or spliced key).
 */
export function identityFromSecretKeys(signSk: Uint8Array, boxSk: Uint8Array): IdentityKeys {
  const fn = 'identityFromSecretKeys';
  checkBytes(fn, 'signSk', signSk, SIGN_SECRET_KEY_BYTES);
  checkBytes(fn, 'boxSk', boxSk, BOX_SECRET_KEY_BYTES);
  const s = sodium();
  const seed = s.crypto_sign_ed25519_sk_to_seed(signSk);
  const sign = s.crypto_sign_seed_keypair(seed);
  wipe(seed);
  const consistent = constantTimeEqual(sign.privateKey, signSk);
  wipe(sign.privateKey);
  if (!consistent) throw new KeyError(`${fn}: signSk's public half does not match its seed`);
  return {
    signPk: sign.publicKey,
    signSk: signSk.slice(),
    boxPk: s.crypto_scalarmult_base(boxSk),
    boxSk: boxSk.slice(),
  };
}

/** Checks the keys that wrapping or sealing under an identity uses: signPk, signSk, boxSk (internal). */
export function checkIdentity(fn: string, identity: IdentityKeys): void {
  if (typeof identity !== 'object' || identity === null) {
    throw new KeyError(`${fn}: identity must be an object of key pairs`);
  }
  checkBytes(fn, 'signPk', identity.signPk, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'signSk', identity.signSk, SIGN_SECRET_KEY_BYTES);
  checkBytes(fn, 'boxSk', identity.boxSk, BOX_SECRET_KEY_BYTES);
}

function encKeyMessage(identityKey: Uint8Array, encKey: Uint8Array): Uint8Array {
  return encodeFields(TAGS.encKey, identityKey, encKey);
}

/** The public bundle of an identity, with a fresh encKeySig (Ed25519 signatures are deterministic). */
export function makeBundle(identity: IdentityKeys): PublicBundle {
  const fn = 'makeBundle';
  if (typeof identity !== 'object' || identity === null) {
    throw new KeyError(`${fn}: identity must be an object of key pairs`);
  }
  checkBytes(fn, 'signPk', identity.signPk, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'signSk', identity.signSk, SIGN_SECRET_KEY_BYTES);
  checkBytes(fn, 'boxPk', identity.boxPk, BOX_PUBLIC_KEY_BYTES);
  const encKeySig = sodium().crypto_sign_detached(
    encKeyMessage(identity.signPk, identity.boxPk),
    identity.signSk,
  );
  return { v: 1, identityKey: identity.signPk.slice(), encKey: identity.boxPk.slice(), encKeySig };
}

/**
 * Checks a bundle (DESIGN §3: reject bad bundles): FormatError for another version; KeyError for a
 * wrong length, an identityKey that is not a valid Ed25519 point (small order, non-canonical, off
 * the curve or outside the prime-order subgroup) or an encKey that is not a usable X25519 key
 * (small order or non-canonical); SignatureError if encKeySig does not verify. In that order.
 */
export function verifyBundle(bundle: PublicBundle): void {
  checkBundle('verifyBundle', bundle);
}

function checkBundle(fn: string, bundle: PublicBundle): void {
  if (typeof bundle !== 'object' || bundle === null) throw new FormatError(`${fn}: bundle must be an object`);
  if (bundle.v !== 1) throw new FormatError(`${fn}: unsupported bundle version`);
  checkBytes(fn, 'identityKey', bundle.identityKey, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKey', bundle.encKey, BOX_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKeySig', bundle.encKeySig, SIGNATURE_BYTES);
  checkPublicKeys(fn, bundle.identityKey, bundle.encKey);
  const ok = sodium().crypto_sign_verify_detached(
    bundle.encKeySig,
    encKeyMessage(bundle.identityKey, bundle.encKey),
    bundle.identityKey,
  );
  if (!ok) throw new SignatureError(`${fn}: bad encKeySig`);
}

export function bundleToWire(bundle: PublicBundle): WireBundle {
  const fn = 'bundleToWire';
  if (typeof bundle !== 'object' || bundle === null) throw new FormatError(`${fn}: bundle must be an object`);
  checkBytes(fn, 'identityKey', bundle.identityKey, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKey', bundle.encKey, BOX_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'encKeySig', bundle.encKeySig, SIGNATURE_BYTES);
  return {
    v: 1,
    identityKey: toBase64(bundle.identityKey),
    encKey: toBase64(bundle.encKey),
    encKeySig: toBase64(bundle.encKeySig),
  };
}

/**
 * Parses a wire bundle (an already JSON-parsed value) and checks it as `verifyBundle` does, so a
 * bundle that comes out of here has sound keys and is one the identity key signed. Throws
 * FormatError (schema, base64url), KeyError (unsafe key) or SignatureError (encKeySig).
 */
export function bundleFromWire(json: unknown): PublicBundle {
  const fn = 'bundleFromWire';
  const parsed = WireBundleSchema.safeParse(json);
  if (!parsed.success) throw new FormatError(`${fn}: ${parsed.error.issues[0]?.message ?? 'bad bundle'}`);
  const w = parsed.data;
  const bundle: PublicBundle = {
    v: 1,
    identityKey: base64Field(fn, 'identityKey', w.identityKey),
    encKey: base64Field(fn, 'encKey', w.encKey),
    encKeySig: base64Field(fn, 'encKeySig', w.encKeySig),
  };
  checkBundle(fn, bundle);
  return bundle;
}
