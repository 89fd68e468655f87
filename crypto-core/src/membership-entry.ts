// Membership-log entries (DESIGN §7.1): body = encodeFields("parley/member/v1", channelId,
// u32be(index), prev, action, actorId, subjectId, subjectIdentityPk), signed with Ed25519 by the
// actor, and hashed with BLAKE2b-256 over encodeFields("parley/member/hash/v1", body, sig) to give
// the next entry's `prev`. This file is the entry format only (bytes, signature, hash, wire form);
// whether an entry may follow a log is MembershipLog's job (membership.ts).
import { z } from 'zod';
import {
  base64Field,
  base64UrlOf,
  checkBytes,
  checkObject,
  checkU32,
  constantTimeEqual,
  encodeFields,
  idBytes,
  parseWire,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  toBase64,
  U32_MAX,
  u32be,
  utf8,
  wireId,
} from './bytes';
import { FormatError, KeyError } from './errors';
import { checkIdentityKey } from './public-keys';
import { sodium } from './sodium';
import { TAGS } from './tags';

const ACTIONS = ['create', 'add', 'remove', 'leave'] as const;
export type MemberAction = (typeof ACTIONS)[number];
export const MEMBER_ACTIONS: readonly MemberAction[] = Object.freeze([...ACTIONS]);
/** Length of an entry hash and of `prev` (BLAKE2b-256). */
export const MEMBER_HASH_BYTES = 32;

export interface MemberEntryFields {
  channelId: string;
  /** Position in the log, from 0. */
  index: number;
  /** Hash of the previous entry; 32 zero bytes at index 0. */
  prev: Uint8Array;
  action: MemberAction;
  actorId: string;
  subjectId: string;
  /** The subject's Ed25519 identity key (32 bytes) for create and add; empty for remove and leave. */
  subjectIdentityPk: Uint8Array;
}

export interface MemberEntry extends MemberEntryFields {
  /** Ed25519 signature of the body by the actor. */
  sig: Uint8Array;
}

/** Whether an action binds the subject's key (create, add) or carries an empty one (remove, leave). */
export function bindsKey(action: MemberAction): boolean {
  return action === 'create' || action === 'add';
}

/** Checks every field and encodes the body; errors are `${fn}: …` (internal). */
export function entryBody(fn: string, fields: MemberEntryFields): Uint8Array {
  checkObject(fn, 'entry', fields);
  const channelId = idBytes(fn, 'channelId', fields.channelId);
  const index = checkU32(fn, 'index', fields.index);
  checkBytes(fn, 'prev', fields.prev, MEMBER_HASH_BYTES);
  if (!MEMBER_ACTIONS.includes(fields.action)) {
    throw new FormatError(`${fn}: action must be one of ${MEMBER_ACTIONS.join(', ')}`);
  }
  const actorId = idBytes(fn, 'actorId', fields.actorId);
  const subjectId = idBytes(fn, 'subjectId', fields.subjectId);
  if (bindsKey(fields.action)) {
    checkIdentityKey(fn, 'subjectIdentityPk', fields.subjectIdentityPk);
  } else if (!(fields.subjectIdentityPk instanceof Uint8Array) || fields.subjectIdentityPk.length !== 0) {
    throw new KeyError(`${fn}: subjectIdentityPk must be empty (0 bytes) for ${fields.action}`);
  }
  return encodeFields(
    TAGS.memberEntry,
    channelId,
    u32be(index),
    fields.prev,
    utf8(fields.action),
    actorId,
    subjectId,
    fields.subjectIdentityPk,
  );
}

/** hash = BLAKE2b-256(encodeFields("parley/member/hash/v1", body, sig)) (internal). */
export function hashOf(body: Uint8Array, sig: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(MEMBER_HASH_BYTES, encodeFields(TAGS.memberHash, body, sig), null);
}

/** The signed bytes of an entry. Throws FormatError (ids, index, action) or KeyError (lengths, key). */
export function memberEntryBody(fields: MemberEntryFields): Uint8Array {
  return entryBody('memberEntryBody', fields);
}

/**
 * Signs an entry as its actor: sig = Ed25519(body, actorSignSk). Does not check that the entry may
 * follow any log (use `MembershipLog.next` to get fields that may). For `create`, refuses a key
 * pair that is not the one the entry binds (KeyError), since no reader could verify it.
 */
export function signMemberEntry(fields: MemberEntryFields, actorSignSk: Uint8Array): MemberEntry {
  const fn = 'signMemberEntry';
  const body = entryBody(fn, fields);
  checkBytes(fn, 'actorSignSk', actorSignSk, SIGN_SECRET_KEY_BYTES);
  if (fields.action === 'create' && !constantTimeEqual(actorSignSk.subarray(32), fields.subjectIdentityPk)) {
    throw new KeyError(`${fn}: a create must be signed with the key it binds (subjectIdentityPk)`);
  }
  return { ...copyFields(fields), sig: sodium().crypto_sign_detached(body, actorSignSk) };
}

/** The entry's hash, the `prev` of the entry after it. Does not verify the signature. */
export function memberEntryHash(entry: MemberEntry): Uint8Array {
  const fn = 'memberEntryHash';
  const body = entryBody(fn, entry);
  checkBytes(fn, 'sig', entry.sig, SIGNATURE_BYTES);
  return hashOf(body, entry.sig);
}

/** An entry with its own copies of the byte fields (internal). */
export function copyFields(f: MemberEntryFields): MemberEntryFields {
  return {
    channelId: f.channelId,
    index: f.index,
    prev: f.prev.slice(),
    action: f.action,
    actorId: f.actorId,
    subjectId: f.subjectId,
    subjectIdentityPk: f.subjectIdentityPk.slice(),
  };
}

/**
 * An entry on the wire (JSON), bytes as canonical unpadded base64url. `channelId` is not on the
 * wire: it is the channel the entry is fetched from or posted to, and is passed in when parsing.
 */
export const WireMemberEntrySchema = z.object({
  index: z.int().min(0).max(U32_MAX),
  prev: base64UrlOf(MEMBER_HASH_BYTES),
  action: z.enum(ACTIONS),
  actorId: wireId,
  subjectId: wireId,
  /** 32 bytes for create and add; the empty string for remove and leave. */
  subjectIdentityPk: z.union([base64UrlOf(0), base64UrlOf(SIGN_PUBLIC_KEY_BYTES)]),
  sig: base64UrlOf(SIGNATURE_BYTES),
});
export type WireMemberEntry = z.infer<typeof WireMemberEntrySchema>;

export function memberEntryToWire(entry: MemberEntry): WireMemberEntry {
  const fn = 'memberEntryToWire';
  entryBody(fn, entry);
  checkBytes(fn, 'sig', entry.sig, SIGNATURE_BYTES);
  return {
    index: entry.index,
    prev: toBase64(entry.prev),
    action: entry.action,
    actorId: entry.actorId,
    subjectId: entry.subjectId,
    subjectIdentityPk: toBase64(entry.subjectIdentityPk),
    sig: toBase64(entry.sig),
  };
}

/**
 * Parses a wire entry (an already JSON-parsed value) of channel `channelId` and checks every field
 * as `memberEntryBody` does. Throws FormatError (schema, ids) or KeyError (key lengths, invalid
 * subject key). Does not verify the signature: only a log knows the actor's key (`MembershipLog`).
 */
export function memberEntryFromWire(channelId: string, wire: unknown): MemberEntry {
  const fn = 'memberEntryFromWire';
  const w = parseWire(fn, 'entry', WireMemberEntrySchema, wire);
  const entry: MemberEntry = {
    channelId,
    index: w.index,
    prev: base64Field(fn, 'prev', w.prev),
    action: w.action,
    actorId: w.actorId,
    subjectId: w.subjectId,
    subjectIdentityPk: base64Field(fn, 'subjectIdentityPk', w.subjectIdentityPk),
    sig: base64Field(fn, 'sig', w.sig),
  };
  entryBody(fn, entry);
  return entry;
}
