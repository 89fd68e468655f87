// Account keys from the password (DESIGN §3, zero-knowledge login): Argon2id13 stretches the
// NFKC password into a master key; crypto_kdf splits it into authKey (sent to the relay, which
// stores only a slow hash of it) and wrapKey (never leaves the client). wrapKey seals the private
// keys with XChaCha20-Poly1305 bound to the identity key, so the relay holds only ciphertext that
// it can attack by guessing passwords, at Argon2id cost per guess.
import { z } from 'zod';
import { AEAD_OVERHEAD_BYTES, aeadOpen, aeadSeal } from './aead';
import {
  BOX_SECRET_KEY_BYTES,
  checkBytes,
  concatBytes,
  encodeFields,
  KEY_BYTES,
  LONE_SURROGATE,
  SALT_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  utf8,
  wipe,
} from './bytes';
import { DecryptError, FormatError, KeyError } from './errors';
import { checkIdentity, type IdentityKeys, identityFromSecretKeys } from './keys';
import { randomBytes } from './random';
import { sodium } from './sodium';
import { KDF_CONTEXTS, TAGS } from './tags';

/** crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE: the minimum Parley accepts. */
export const MIN_OPSLIMIT = 2;
/** crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE (64 MiB): the minimum Parley accepts. */
export const MIN_MEMLIMIT = 67_108_864;
/** Upper bounds, so a hostile relay cannot make a client hang or exhaust memory at login. */
export const MAX_OPSLIMIT = 32;
export const MAX_MEMLIMIT = 1_073_741_824; // 1 GiB (crypto_pwhash_MEMLIMIT_SENSITIVE)

/** Stored per user, so they can be raised later (DESIGN §3, account keys, step 1). */
export const KdfParamsSchema = z.object({
  alg: z.literal('argon2id13'),
  opslimit: z.int().min(MIN_OPSLIMIT).max(MAX_OPSLIMIT),
  memlimit: z.int().min(MIN_MEMLIMIT).max(MAX_MEMLIMIT),
});
export type KdfParams = z.infer<typeof KdfParamsSchema>;

/** libsodium's INTERACTIVE values: the minimum and the default. */
export const INTERACTIVE_KDF_PARAMS: KdfParams = Object.freeze({
  alg: 'argon2id13',
  opslimit: MIN_OPSLIMIT,
  memlimit: MIN_MEMLIMIT,
});

/** Length of a key blob: nonce || (signSk || boxSk) || tag. */
export const KEY_BLOB_BYTES = AEAD_OVERHEAD_BYTES + SIGN_SECRET_KEY_BYTES + BOX_SECRET_KEY_BYTES;

export interface AccountKeys {
  /** Sent to the relay at registration and login; the relay stores only a slow hash of it. */
  authKey: Uint8Array;
  /** Wraps the private keys. Never sent anywhere. */
  wrapKey: Uint8Array;
}

/** Options of the key-blob functions. The nonce is for published test vectors only. */
export interface WrapOptions {
  dangerousTestOnlyNonce?: Uint8Array;
}

/** A fresh 16-byte Argon2id salt, made by the client at registration and at password change. */
export function newSalt(): Uint8Array {
  return randomBytes(SALT_BYTES);
}

/**
 * master = Argon2id13(32, NFKC(password), salt, opslimit, memlimit);
 * authKey = kdf(32, 1, "parleyau", master); wrapKey = kdf(32, 2, "parleywr", master).
 * Slow by design (a fraction of a second to a second at INTERACTIVE in a browser). Throws KeyError
 * on a wrong salt length, params below INTERACTIVE or above the caps, or an empty password, and
 * FormatError on a password with lone surrogates (which UTF-8 cannot encode unambiguously).
 */
export function deriveAccountKeys(password: string, salt: Uint8Array, params: KdfParams): AccountKeys {
  const fn = 'deriveAccountKeys';
  checkBytes(fn, 'salt', salt, SALT_BYTES);
  const p = KdfParamsSchema.safeParse(params);
  if (!p.success) {
    const issue = p.error.issues[0];
    const where = issue?.path.join('.') || 'params';
    throw new KeyError(
      `${fn}: KDF params rejected (${where}: ${issue?.message}); the minimum is INTERACTIVE`,
    );
  }
  if (typeof password !== 'string' || password.length === 0) throw new KeyError(`${fn}: empty password`);
  if (LONE_SURROGATE.test(password)) throw new FormatError(`${fn}: password contains a lone surrogate`);
  const s = sodium();
  const pw = utf8(password.normalize('NFKC'));
  let master: Uint8Array;
  try {
    master = s.crypto_pwhash(
      KEY_BYTES,
      pw,
      salt,
      p.data.opslimit,
      p.data.memlimit,
      s.crypto_pwhash_ALG_ARGON2ID13,
    );
  } catch {
    // libsodium's untyped error, in practice an allocation failure at a high memlimit.
    throw new KeyError(`${fn}: Argon2id failed with memlimit ${p.data.memlimit} (out of memory?)`);
  } finally {
    wipe(pw);
  }
  const keys = {
    authKey: s.crypto_kdf_derive_from_key(KEY_BYTES, 1, KDF_CONTEXTS.accountAuth, master),
    wrapKey: s.crypto_kdf_derive_from_key(KEY_BYTES, 2, KDF_CONTEXTS.accountWrap, master),
  };
  wipe(master);
  return keys;
}

function keyBlobAd(identityPk: Uint8Array): Uint8Array {
  return encodeFields(TAGS.keyBlob, identityPk);
}

/**
 * keyBlob = nonce24 || XChaCha20-Poly1305(wrapKey, signSk || boxSk, ad = encodeFields(
 * "parley/keyblob/v1", identityPk)). Used with the password wrapKey and the recovery wrapKey alike.
 */
export function wrapKeys(wrapKey: Uint8Array, identity: IdentityKeys, opts: WrapOptions = {}): Uint8Array {
  return wrap('wrapKeys', wrapKey, identity, opts);
}

function wrap(fn: string, wrapKey: Uint8Array, identity: IdentityKeys, opts: WrapOptions): Uint8Array {
  checkBytes(fn, 'wrapKey', wrapKey, KEY_BYTES);
  checkIdentity(fn, identity);
  const secrets = concatBytes(identity.signSk, identity.boxSk);
  try {
    return aeadSeal(fn, wrapKey, secrets, keyBlobAd(identity.signPk), opts.dangerousTestOnlyNonce);
  } finally {
    wipe(secrets);
  }
}

/**
 * Opens a key blob and rebuilds the identity. Throws DecryptError on a wrong key (wrong password),
 * a tampered blob or a blob made for another identity; KeyError if the unwrapped signing key's
 * public half is not `identityPk`.
 */
export function unwrapKeys(wrapKey: Uint8Array, keyBlob: Uint8Array, identityPk: Uint8Array): IdentityKeys {
  return unwrap('unwrapKeys', wrapKey, keyBlob, identityPk);
}

function unwrap(fn: string, wrapKey: Uint8Array, keyBlob: Uint8Array, identityPk: Uint8Array): IdentityKeys {
  checkBytes(fn, 'wrapKey', wrapKey, KEY_BYTES);
  checkBytes(fn, 'identityPk', identityPk, SIGN_PUBLIC_KEY_BYTES);
  if (!(keyBlob instanceof Uint8Array) || keyBlob.length !== KEY_BLOB_BYTES) {
    throw new DecryptError(`${fn}: keyBlob must be ${KEY_BLOB_BYTES} bytes`);
  }
  const secrets = aeadOpen(fn, wrapKey, keyBlob, keyBlobAd(identityPk));
  try {
    const signSk = secrets.subarray(0, SIGN_SECRET_KEY_BYTES);
    const boxSk = secrets.subarray(SIGN_SECRET_KEY_BYTES);
    let identity: IdentityKeys;
    try {
      identity = identityFromSecretKeys(signSk, boxSk);
    } catch {
      throw new KeyError(`${fn}: unwrapped signing key is inconsistent`);
    }
    if (!sodium().memcmp(identity.signPk, identityPk)) {
      wipe(identity.signSk, identity.boxSk);
      throw new KeyError(`${fn}: unwrapped signing key does not belong to identityPk`);
    }
    return identity;
  } finally {
    wipe(secrets);
  }
}

/** Password change (DESIGN §3, step 6): the same private keys, re-wrapped under a new wrapKey. */
export function rewrapKeys(
  oldWrapKey: Uint8Array,
  newWrapKey: Uint8Array,
  keyBlob: Uint8Array,
  identityPk: Uint8Array,
  opts: WrapOptions = {},
): Uint8Array {
  const fn = 'rewrapKeys';
  checkBytes(fn, 'newWrapKey', newWrapKey, KEY_BYTES);
  const identity = unwrap(fn, oldWrapKey, keyBlob, identityPk);
  try {
    return wrap(fn, newWrapKey, identity, opts);
  } finally {
    wipe(identity.signSk, identity.boxSk);
  }
}
