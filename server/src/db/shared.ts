// Dialect-free pieces of the store: the row types both schemas infer, row <-> record mapping, and
// avatar versions. Nothing here touches a database.
import { WireBundle } from '../protocol/common';
import type * as mysql from './schema.mysql';
import type * as sqlite from './schema.sqlite';
import type {
  ChannelRecord,
  InviteRecord,
  LogEntryRecord,
  MemberRecord,
  MessageRecord,
  NewMessage,
  NewUser,
  ShareRecord,
  SystemEventKind,
  UserRecord,
} from './store';

export type UserRow = typeof sqlite.users.$inferSelect;
export type SessionRow = typeof sqlite.sessions.$inferSelect;
export type ChannelRow = typeof sqlite.channels.$inferSelect;
export type MemberRow = typeof sqlite.members.$inferSelect;
export type SenderKeyRow = typeof sqlite.senderKeys.$inferSelect;
export type ShareRow = typeof sqlite.senderKeyShares.$inferSelect;
export type MessageRow = typeof sqlite.messages.$inferSelect;
export type AvatarRow = typeof sqlite.avatars.$inferSelect;
export type PinsRow = typeof sqlite.contactPins.$inferSelect;
export type LogRow = typeof sqlite.membershipLog.$inferSelect;
export type KtBindingRow = typeof sqlite.ktBindings.$inferSelect;
export type KtHeadRow = typeof sqlite.ktHeads.$inferSelect;
export type InviteRow = typeof sqlite.invites.$inferSelect;

// Both schemas must infer identical rows, so that one body of logic serves both dialects.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RowsMatch = [
  Same<UserRow, typeof mysql.users.$inferSelect>,
  Same<SessionRow, typeof mysql.sessions.$inferSelect>,
  Same<ChannelRow, typeof mysql.channels.$inferSelect>,
  Same<MemberRow, typeof mysql.members.$inferSelect>,
  Same<SenderKeyRow, typeof mysql.senderKeys.$inferSelect>,
  Same<ShareRow, typeof mysql.senderKeyShares.$inferSelect>,
  Same<MessageRow, typeof mysql.messages.$inferSelect>,
  Same<AvatarRow, typeof mysql.avatars.$inferSelect>,
  Same<PinsRow, typeof mysql.contactPins.$inferSelect>,
  Same<LogRow, typeof mysql.membershipLog.$inferSelect>,
  Same<KtBindingRow, typeof mysql.ktBindings.$inferSelect>,
  Same<KtHeadRow, typeof mysql.ktHeads.$inferSelect>,
  Same<InviteRow, typeof mysql.invites.$inferSelect>,
  // An invite record is its row: the store hands rows out as they are.
  Same<InviteRow, InviteRecord>,
];
export const rowsMatch: RowsMatch = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];

/** The columns a user update may set. */
export type UserPatch = Partial<Omit<UserRow, 'id' | 'createdAt'>>;

// ---- users ----

export function userToRow(user: NewUser): UserRow {
  return {
    id: user.id,
    username: user.username.toLowerCase(),
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    disabled: false,
    kdfSalt: user.kdfSalt,
    kdfAlg: user.kdf.alg,
    kdfOpslimit: user.kdf.opslimit,
    kdfMemlimit: user.kdf.memlimit,
    verifier: user.verifier,
    bundle: JSON.stringify(user.bundle),
    keyBlob: user.keyBlob,
    recoveryVerifier: user.recoveryVerifier,
    recoveryBlob: user.recoveryBlob,
    avatarVersion: null,
    createdAt: user.createdAt,
    lastSeenAt: null,
  };
}

export function userFromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    role: row.role,
    disabled: row.disabled,
    kdfSalt: row.kdfSalt,
    kdf: { alg: row.kdfAlg, opslimit: row.kdfOpslimit, memlimit: row.kdfMemlimit },
    verifier: row.verifier,
    bundle: WireBundle.parse(JSON.parse(row.bundle)),
    keyBlob: row.keyBlob,
    recoveryVerifier: row.recoveryVerifier,
    recoveryBlob: row.recoveryBlob,
    avatarVersion: row.avatarVersion,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
  };
}

// ---- channels, members, shares ----

export function channelFromRow(row: ChannelRow): ChannelRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    memberEpoch: row.memberEpoch,
    lastSeq: row.lastSeq,
    logLength: row.logLength,
    createdAt: row.createdAt,
  };
}

export function memberFromRow(row: MemberRow): MemberRecord {
  return { channelId: row.channelId, userId: row.userId, role: row.role, joinedSeq: row.joinedSeq };
}

export function logEntryFromRow(row: LogRow): LogEntryRecord {
  return {
    channelId: row.channelId,
    index: row.idx,
    prev: row.prev,
    action: row.action,
    actorId: row.actorId,
    subjectId: row.subjectId,
    subjectIdentityPk: row.subjectIdentityPk,
    sig: row.sig,
    hash: row.hash,
  };
}

export function logRow(entry: LogEntryRecord): LogRow {
  return {
    channelId: entry.channelId,
    idx: entry.index,
    prev: entry.prev,
    action: entry.action,
    actorId: entry.actorId,
    subjectId: entry.subjectId,
    subjectIdentityPk: entry.subjectIdentityPk,
    sig: entry.sig,
    hash: entry.hash,
  };
}

export function shareFromRow(row: ShareRow, epoch: number): ShareRecord {
  return {
    channelId: row.channelId,
    senderId: row.senderId,
    keyId: row.keyId,
    recipientId: row.recipientId,
    sealed: row.sealed,
    epoch,
  };
}

// ---- messages ----

export function messageFromRow(row: MessageRow): MessageRecord {
  const system =
    row.kind === 'system' && row.systemEvent !== null && row.systemUserId !== null
      ? {
          event: row.systemEvent,
          userId: row.systemUserId,
          actorId: row.systemActorId,
          logIndex: row.systemLogIndex,
        }
      : null;
  return {
    channelId: row.channelId,
    seq: row.seq,
    kind: row.kind,
    senderId: row.senderId,
    keyId: row.keyId,
    clientMsgId: row.clientMsgId,
    ciphertext: row.ciphertext,
    sentAt: row.sentAt,
    deleted: row.deleted,
    system,
  };
}

export function messageRow(message: NewMessage, seq: number, sentAt: number): MessageRow {
  return {
    channelId: message.channelId,
    seq,
    kind: 'msg',
    senderId: message.senderId,
    keyId: message.keyId,
    clientMsgId: message.clientMsgId,
    ciphertext: message.ciphertext,
    sentAt,
    deleted: false,
    systemEvent: null,
    systemUserId: null,
    systemActorId: null,
    systemLogIndex: null,
  };
}

export function systemRow(
  channelId: string,
  seq: number,
  sentAt: number,
  event: SystemEventKind,
  userId: string,
  actorId: string | null,
  logIndex: number | null = null,
): MessageRow {
  return {
    channelId,
    seq,
    kind: 'system',
    senderId: null,
    keyId: null,
    clientMsgId: null,
    ciphertext: null,
    sentAt,
    deleted: false,
    systemEvent: event,
    systemUserId: userId,
    systemActorId: actorId,
    systemLogIndex: logIndex,
  };
}

/** First free avatar version: time-based so a re-upload after a delete never reuses a version. */
export function nextAvatarVersion(previous: number | null, now: number): number {
  return Math.max(now, (previous ?? 0) + 1);
}
