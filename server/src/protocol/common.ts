// Wire primitives shared by every REST body and WebSocket frame: ids, byte strings, errors.
import { KdfParamsSchema, WireBundleSchema } from '@parley/crypto-core';
import { z } from 'zod';

/** Bytes travel as base64url without padding (libsodium's default variant). */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decoded length of an unpadded base64url string, or -1 when the length is impossible. */
export function base64urlDecodedLength(s: string): number {
  if (s.length % 4 === 1) return -1;
  return Math.floor((s.length * 3) / 4);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when the unused low bits of the last character are zero, so the string is the one
 * encoding of its bytes (clients decode strictly and would refuse anything else).
 */
export function isCanonicalBase64url(s: string): boolean {
  const rest = s.length % 4;
  if (rest === 0) return true;
  const last = ALPHABET.indexOf(s.charAt(s.length - 1));
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** A canonical base64url byte string whose decoded length lies in [min, max]. */
export function bytes(min: number, max: number) {
  return z
    .string()
    .max(Math.ceil((max * 4) / 3))
    .regex(BASE64URL, 'must be unpadded base64url')
    .refine(
      (s) => {
        const n = base64urlDecodedLength(s);
        return n >= min && n <= max;
      },
      `must decode to ${min === max ? `${min}` : `${min}..${max}`} bytes`,
    )
    .refine(isCanonicalBase64url, 'must be canonical base64url (unused trailing bits set)');
}

export const UserId = z.uuid();
export const ChannelId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9-]+$/, 'bad channel id');
/**
 * Lower case only: an id and its upper-case spelling must not be two messages on one database and
 * one on another (MySQL's case-insensitive collations), so only the canonical form is accepted.
 */
export const ClientMsgId = z.uuid().regex(/^[0-9a-f-]+$/, 'must be a lower-case UUID');
export const Seq = z.number().int().min(0);
export const KeyId = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9._-]+$/i, 'use 3-32 of a-z 0-9 . _ -')
  .transform((s) => s.toLowerCase());
export const DisplayName = z.string().trim().min(1).max(64);
export const Email = z.email().max(254);

export const BROADCAST_CHANNEL_ID = 'broadcast';
export const ChannelKind = z.enum(['broadcast', 'dm', 'group']);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** Signed public bundle as crypto-core's `bundleToWire` writes it (strict on the wire). */
export const WireBundle = z.strictObject(WireBundleSchema.shape);
export type WireBundle = z.infer<typeof WireBundle>;

/** Argon2id parameters, bounded as crypto-core bounds them so that the relay never stores an account its clients could not open. */
export const KdfParams = z.strictObject(KdfParamsSchema.shape);
export type KdfParams = z.infer<typeof KdfParams>;

export const ErrorCode = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'invalid_credentials',
  'account_disabled',
  'username_taken',
  'dm_self',
  'not_member',
  'missing_shares',
  'stale_key',
  'channel_full',
  'log_conflict',
  'invite_required',
  'invite_invalid',
  'registration_closed',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /**
     * For `missing_shares`: `{ missing: userId[] }`; for `log_conflict`: `{ length }`; for
     * `invite_invalid`: `{ reason }`; for `bad_request`: zod issues.
     */
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
