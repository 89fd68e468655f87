// Store records as the wire shapes of server/src/protocol (bytes as unpadded base64url).

import { memberEntryToWire } from '@parley/crypto-core';
import { inviteState } from '../auth/invites';
import type {
  AdminUserRecord,
  InviteRecord,
  LogEntryRecord,
  MemberRecord,
  MembershipView,
  MessageRecord,
  ShareRecord,
  UserRecord,
} from '../db/store';
import type {
  AdminInvite,
  AdminUser,
  ChannelSummary,
  LogEntry,
  Me,
  PublicUser,
  WireMessage,
  WireShare,
} from '../protocol';

export const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
/** Decodes a string the zod schema already checked as unpadded base64url. */
export const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

export function toMe(u: UserRecord): Me {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    avatarVersion: u.avatarVersion,
    hasRecovery: u.recoveryVerifier !== null,
    createdAt: u.createdAt,
  };
}

export function toPublicUser(u: UserRecord): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    bundle: u.bundle,
    avatarVersion: u.avatarVersion,
  };
}

export function toAdminUser(u: AdminUserRecord): AdminUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt,
    lastSeenAt: u.lastSeenAt,
    messageCount: u.messageCount,
  };
}

/** An invite for the admin's list: never the code (the relay has only its hash), nor the hash. */
export function toAdminInvite(i: InviteRecord, usernames: Map<string, string>, now: number): AdminInvite {
  return {
    id: i.id,
    source: i.source,
    createdBy: i.createdBy === null ? null : (usernames.get(i.createdBy) ?? null),
    label: i.label,
    username: i.username,
    role: i.role,
    maxUses: i.maxUses,
    uses: i.uses,
    expiresAt: i.expiresAt,
    createdAt: i.createdAt,
    state: inviteState(i, now),
  };
}

export function toChannelSummary(view: MembershipView, members: MemberRecord[]): ChannelSummary {
  return {
    id: view.channel.id,
    kind: view.channel.kind,
    name: view.channel.name,
    memberEpoch: view.channel.memberEpoch,
    logLength: view.channel.logLength,
    lastSeq: view.channel.lastSeq,
    joinedSeq: view.member.joinedSeq,
    readSeq: view.readSeq,
    unread: view.unread,
    members: members.map((m) => ({ userId: m.userId, role: m.role, joinedSeq: m.joinedSeq })),
  };
}

export function toWireMessage(m: MessageRecord): WireMessage {
  return {
    channelId: m.channelId,
    seq: m.seq,
    kind: m.kind,
    senderId: m.senderId,
    keyId: m.keyId,
    clientMsgId: m.clientMsgId,
    ciphertext: m.ciphertext ? toB64(m.ciphertext) : null,
    sentAt: m.sentAt,
    deleted: m.deleted,
    system: m.system,
  };
}

export function toWireShare(s: ShareRecord): WireShare {
  return {
    channelId: s.channelId,
    senderId: s.senderId,
    keyId: s.keyId,
    recipientId: s.recipientId,
    sealed: toB64(s.sealed),
    epoch: s.epoch,
  };
}

export function toWireLogEntry(e: LogEntryRecord): LogEntry {
  return memberEntryToWire(e);
}
