// Sender-key shares (DESIGN §3, channels and sender keys): a sealed box (X25519 + XSalsa20-Poly1305,
// sender-anonymous, only the recipient can open it) carrying sign(share) || key, where share =
// encodeFields("parley/share/v1", channelId, senderId, u32be(keyId), recipientId, key). The
// signature inside authenticates the sender and binds the key to its channel, keyId and recipient;
// the relay can drop or replay a share but cannot forge, redirect or alter one.
import {
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  checkBytes,
  checkObject,
  checkU32,
  concatBytes,
  encodeFields,
  idBytes,
  KEY_BYTES,
  SEAL_OVERHEAD_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  u32be,
  wipe,
} from './bytes';
import { DecryptError, KeyError, SignatureError } from './errors';
import { checkEncKey } from './public-keys';
import { randomBytes } from './random';
import { sodium } from './sodium';
import { TAGS } from './tags';

/** Length of a sealed share: box overhead + signature + key. */
export const SEALED_SHARE_BYTES = SEAL_OVERHEAD_BYTES + SIGNATURE_BYTES + KEY_BYTES;

/** What identifies a sender key and who a share is for. `keyId` is a u32 the sender increases. */
export interface ShareContext {
  channelId: string;
  senderId: string;
  keyId: number;
  recipientId: string;
}

export interface SealShareInput extends ShareContext {
  key: Uint8Array;
  senderSignSk: Uint8Array;
  recipientEncPk: Uint8Array;
}

export interface OpenShareInput extends ShareContext {
  sealed: Uint8Array;
  /** The sender's pinned identity key, never one taken from the share's transport. */
  senderIdentityPk: Uint8Array;
  recipientEncPk: Uint8Array;
  recipientEncSk: Uint8Array;
}

/** A fresh 32-byte sender key from the platform CSPRNG (crypto.getRandomValues). */
export function generateSenderKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

/** The signed share body (internal; used by tests and vectors). The wire carries only `sealed`. */
export function shareBody(fn: string, ctx: ShareContext, key: Uint8Array): Uint8Array {
  return encodeFields(
    TAGS.share,
    idBytes(fn, 'channelId', ctx.channelId),
    idBytes(fn, 'senderId', ctx.senderId),
    u32be(checkU32(fn, 'keyId', ctx.keyId)),
    idBytes(fn, 'recipientId', ctx.recipientId),
    key,
  );
}

/** sealed = crypto_box_seal(sign_detached(share, senderSignSk) || key, recipientEncPk). */
export function sealShare(input: SealShareInput): Uint8Array {
  const fn = 'sealShare';
  checkObject(fn, 'input', input);
  checkBytes(fn, 'key', input.key, KEY_BYTES);
  checkBytes(fn, 'senderSignSk', input.senderSignSk, SIGN_SECRET_KEY_BYTES);
  // A small-order recipient key would make the box's shared secret predictable; libsodium refuses
  // it with an untyped "invalid usage", so name the problem first.
  checkEncKey(fn, 'recipientEncPk', input.recipientEncPk);
  const s = sodium();
  const share = shareBody(fn, input, input.key);
  const sig = s.crypto_sign_detached(share, input.senderSignSk);
  const plaintext = concatBytes(sig, input.key);
  try {
    return s.crypto_box_seal(plaintext, input.recipientEncPk);
  } catch {
    throw new KeyError(`${fn}: recipientEncPk is not a usable X25519 key`);
  } finally {
    wipe(share, plaintext);
  }
}

/**
 * Opens a share addressed to the caller. The share body is rebuilt from the outer fields with the
 * caller as recipient, so a share made for another recipient, channel, sender or keyId fails.
 * Throws DecryptError if the box does not open, SignatureError if the signature does not verify
 * under `senderIdentityPk` (DESIGN §3: drop and report such a share).
 */
export function openShare(input: OpenShareInput): Uint8Array {
  const fn = 'openShare';
  checkObject(fn, 'input', input);
  checkBytes(fn, 'senderIdentityPk', input.senderIdentityPk, SIGN_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'recipientEncPk', input.recipientEncPk, BOX_PUBLIC_KEY_BYTES);
  checkBytes(fn, 'recipientEncSk', input.recipientEncSk, BOX_SECRET_KEY_BYTES);
  if (!(input.sealed instanceof Uint8Array) || input.sealed.length !== SEALED_SHARE_BYTES) {
    throw new DecryptError(`${fn}: sealed share must be ${SEALED_SHARE_BYTES} bytes`);
  }
  // Validate the context before touching the box, so a bad keyId is a FormatError, not a DecryptError.
  shareBody(fn, input, new Uint8Array(KEY_BYTES));
  const s = sodium();
  let plaintext: Uint8Array;
  try {
    plaintext = s.crypto_box_seal_open(input.sealed, input.recipientEncPk, input.recipientEncSk);
  } catch {
    throw new DecryptError(`${fn}: sealed box did not open (not addressed to this key, or tampered)`);
  }
  const sig = plaintext.subarray(0, SIGNATURE_BYTES);
  const key = plaintext.slice(SIGNATURE_BYTES);
  const share = shareBody(fn, input, key);
  const ok = s.crypto_sign_verify_detached(sig, share, input.senderIdentityPk);
  wipe(plaintext, share);
  if (!ok) {
    wipe(key);
    throw new SignatureError(`${fn}: bad signature (wrong sender, channel, keyId or recipient)`);
  }
  return key;
}
