// Message envelope (DESIGN §3): XChaCha20-Poly1305 under the sender key with ad = encodeFields(
// "parley/msg/ad/v1", channelId, senderId, u32be(keyId), clientMsgId), around an Ed25519 signature
// over encodeFields("parley/msg/sig/v1", ad, payload). The AEAD keeps the payload from everyone
// outside the channel and pins it to its channel, sender, key and id; the signature stops channel
// members, who all hold the sender key, from forging messages in the sender's name.
// The payload is plain JSON: never compressed before encryption.
import { z } from 'zod';
import { AEAD_OVERHEAD_BYTES, aeadOpen, aeadSeal } from './aead';
import {
  base64UrlOf,
  checkBytes,
  checkObject,
  checkU32,
  concatBytes,
  encodeFields,
  fromUtf8,
  idBytes,
  KEY_BYTES,
  MAX_ID_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  U32_MAX,
  u32be,
  utf8,
  wipe,
} from './bytes';
import { DecryptError, FormatError, SignatureError } from './errors';
import { KT_HASH_BYTES } from './kt-tree';
import { MEMBER_HASH_BYTES } from './membership-entry';
import { randomUuid } from './random';
import { sodium } from './sodium';
import { TAGS } from './tags';

/** Longest `text`, in UTF-16 code units (JavaScript string length). */
export const MAX_TEXT_CHARS = 16_000;
/** Most user ids one message may mention. */
export const MAX_MENTIONS = 50;
/** Longest reaction `emoji`, in UTF-16 code units (an emoji with modifiers and joiners fits). */
export const MAX_EMOJI_CHARS = 16;

const sentAt = z.int().min(0); // milliseconds since the epoch, from the sender's clock
const msgRef = z.string().min(1).max(MAX_ID_BYTES); // a clientMsgId in the same channel
const text = z.string().max(MAX_TEXT_CHARS);
/** User ids the text mentions (`@username`), resolved by the sender against the channel's members. */
const mentions = z.array(z.string().min(1).max(MAX_ID_BYTES)).max(MAX_MENTIONS).optional();

/** `mh` (DESIGN §7.3): the sender's verified membership-log head in a group, {index, hash}. */
export const MembershipHeadSchema = z.object({
  /** Index of the newest entry of the sender's verified log (its length - 1). */
  index: z.int().min(0).max(U32_MAX),
  /** That entry's hash (MEMBER_HASH_BYTES), base64url. */
  hash: base64UrlOf(MEMBER_HASH_BYTES),
});
export type MembershipHead = z.infer<typeof MembershipHeadSchema>;

/**
 * `kt` (DESIGN §7.3, §7.5): the newest key-transparency head the sender verified, {epoch, hash}.
 * It carries the epoch as well as the hash, like `mh`, so a receiver finds the head without scanning.
 */
export const KtHeadRefSchema = z.object({
  /** The head's epoch (a JSON safe integer). */
  epoch: z.int().min(0),
  /** ktHeadHash of that head (KT_HASH_BYTES), base64url. */
  hash: base64UrlOf(KT_HASH_BYTES),
});
export type KtHeadRef = z.infer<typeof KtHeadRefSchema>;

// Timeline-integrity fields every kind may carry (DESIGN §7.3); signed like the rest of the payload.
const timeline = {
  /** The newest clientMsgId in the sender's view of the channel; absent only when it was empty. */
  after: msgRef.optional(),
  mh: MembershipHeadSchema.optional(),
  kt: KtHeadRefSchema.optional(),
};

/**
 * The decrypted payload, validated on receipt. A discriminated union on `kind`, versioned by `v`;
 * unknown fields are dropped, unknown kinds are rejected (FormatError), so new kinds and fields are
 * additive (`after`, `mh` and `kt` were added under v: 1, as were `mentions` and `reaction`, which
 * clients from before them reject as an unknown kind).
 */
export const PayloadSchema = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('text'),
    sentAt,
    text,
    replyTo: msgRef.optional(),
    mentions,
    ...timeline,
  }),
  // Replaces the text of `target`; receivers apply it only when it is signed by the target's sender.
  z.object({ v: z.literal(1), kind: z.literal('edit'), sentAt, target: msgRef, text, mentions, ...timeline }),
  z.object({ v: z.literal(1), kind: z.literal('delete'), sentAt, target: msgRef, ...timeline }),
  // Puts (`on`) or takes back one emoji of the sender's on `target`; the newest per sender and emoji wins.
  z.object({
    v: z.literal(1),
    kind: z.literal('reaction'),
    sentAt,
    target: msgRef,
    emoji: z.string().min(1).max(MAX_EMOJI_CHARS),
    on: z.boolean(),
    ...timeline,
  }),
]);
export type Payload = z.infer<typeof PayloadSchema>;

/** The fields the relay routes on; all of them are bound into the AEAD associated data. */
export interface EnvelopeContext {
  channelId: string;
  senderId: string;
  keyId: number;
  clientMsgId: string;
}

export interface EncryptMessageInput extends EnvelopeContext {
  senderKey: Uint8Array;
  senderSignSk: Uint8Array;
  payload: Payload;
  /** Fixes the nonce for published vectors. Throws outside a test runner. */
  dangerousTestOnlyNonce?: Uint8Array;
}

export interface DecryptMessageInput extends EnvelopeContext {
  senderKey: Uint8Array;
  /** The sender's pinned identity key. */
  senderIdentityPk: Uint8Array;
  ciphertext: Uint8Array;
}

/** Smallest possible envelope: nonce, tag and signature around an empty payload. */
export const MIN_ENVELOPE_BYTES = AEAD_OVERHEAD_BYTES + SIGNATURE_BYTES;

/** A random message id: a lowercase UUID v4 string (crypto.randomUUID, 122 random bits). */
export function newClientMsgId(): string {
  return randomUuid();
}

/** ad = encodeFields("parley/msg/ad/v1", channelId, senderId, u32be(keyId), clientMsgId). */
export function messageAd(fn: string, ctx: EnvelopeContext): Uint8Array {
  return encodeFields(
    TAGS.msgAd,
    idBytes(fn, 'channelId', ctx.channelId),
    idBytes(fn, 'senderId', ctx.senderId),
    u32be(checkU32(fn, 'keyId', ctx.keyId)),
    idBytes(fn, 'clientMsgId', ctx.clientMsgId),
  );
}

function signedMessage(ad: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  return encodeFields(TAGS.msgSig, ad, payloadBytes);
}

/**
 * ciphertext = nonce24 || XChaCha20-Poly1305(senderKey, sig || utf8(JSON(payload)), ad).
 * The payload is validated first (FormatError), so a client cannot send what others would reject.
 */
export function encryptMessage(input: EncryptMessageInput): Uint8Array {
  const fn = 'encryptMessage';
  checkObject(fn, 'input', input);
  checkBytes(fn, 'senderKey', input.senderKey, KEY_BYTES);
  checkBytes(fn, 'senderSignSk', input.senderSignSk, SIGN_SECRET_KEY_BYTES);
  const parsed = PayloadSchema.safeParse(input.payload);
  if (!parsed.success) throw new FormatError(`${fn}: invalid payload: ${parsed.error.issues[0]?.message}`);
  const ad = messageAd(fn, input);
  const payloadBytes = utf8(JSON.stringify(parsed.data));
  const sig = sodium().crypto_sign_detached(signedMessage(ad, payloadBytes), input.senderSignSk);
  const plaintext = concatBytes(sig, payloadBytes);
  try {
    return aeadSeal(fn, input.senderKey, plaintext, ad, input.dangerousTestOnlyNonce);
  } finally {
    wipe(plaintext, payloadBytes);
  }
}

/**
 * Decrypts, verifies and validates. Throws DecryptError if the AEAD fails (wrong key, tampering,
 * or a message moved to another channel/sender/keyId/clientMsgId), SignatureError if the sender's
 * signature fails, FormatError if the payload is not valid JSON of a known kind.
 */
export function decryptMessage(input: DecryptMessageInput): Payload {
  const fn = 'decryptMessage';
  checkObject(fn, 'input', input);
  checkBytes(fn, 'senderKey', input.senderKey, KEY_BYTES);
  checkBytes(fn, 'senderIdentityPk', input.senderIdentityPk, SIGN_PUBLIC_KEY_BYTES);
  if (!(input.ciphertext instanceof Uint8Array) || input.ciphertext.length < MIN_ENVELOPE_BYTES) {
    throw new DecryptError(`${fn}: ciphertext too short`);
  }
  const ad = messageAd(fn, input);
  const plaintext = aeadOpen(fn, input.senderKey, input.ciphertext, ad);
  try {
    const sig = plaintext.subarray(0, SIGNATURE_BYTES);
    const payloadBytes = plaintext.subarray(SIGNATURE_BYTES);
    if (!sodium().crypto_sign_verify_detached(sig, signedMessage(ad, payloadBytes), input.senderIdentityPk)) {
      throw new SignatureError(`${fn}: bad signature (not from this sender)`);
    }
    let json: unknown;
    try {
      json = JSON.parse(fromUtf8(payloadBytes));
    } catch {
      throw new FormatError(`${fn}: payload is not UTF-8 JSON`);
    }
    const parsed = PayloadSchema.safeParse(json);
    if (!parsed.success) throw new FormatError(`${fn}: invalid payload: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  } finally {
    wipe(plaintext);
  }
}
