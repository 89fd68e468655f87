// The relay's one narrow storage interface. Two implementations (SQLite via libsql, MySQL via
// mysql2) pass the same conformance suite. All byte columns hold opaque client data: ciphertext,
// sealed shares, wrapped key blobs. Times are milliseconds since the epoch.
import type { MemberEntry } from '@parley/crypto-core';
import type { ChannelKind, KdfParams, WireBundle } from '../protocol';

export type Role = 'user' | 'admin';
export type MemberRole = 'owner' | 'member';
export type SystemEventKind = 'create' | 'join' | 'leave' | 'remove';

export interface UserRecord {
  id: string;
  /** Lower-cased; unique. */
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  disabled: boolean;
  kdfSalt: Uint8Array;
  kdf: KdfParams;
  /** Slow hash of the client's authKey (never the authKey itself). */
  verifier: string;
  bundle: WireBundle;
  keyBlob: Uint8Array;
  recoveryVerifier: string | null;
  recoveryBlob: Uint8Array | null;
  avatarVersion: number | null;
  createdAt: number;
  lastSeenAt: number | null;
}

export type NewUser = Omit<UserRecord, 'disabled' | 'avatarVersion' | 'lastSeenAt'>;

export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ChannelRecord {
  id: string;
  kind: ChannelKind;
  name: string | null;
  memberEpoch: number;
  lastSeq: number;
  /** Entries in a group's membership log; 0 for DMs, broadcast and groups made before the log. */
  logLength: number;
  createdAt: number;
}

export interface MemberRecord {
  channelId: string;
  userId: string;
  role: MemberRole;
  /** Seq of the member's join entry: the first entry they may read. */
  joinedSeq: number;
}

/** A channel as one member sees it. */
export interface MembershipView {
  channel: ChannelRecord;
  member: MemberRecord;
  readSeq: number;
  /** Messages (not system entries, not own, not deleted) after readSeq. */
  unread: number;
}

export interface ShareRecord {
  channelId: string;
  senderId: string;
  keyId: number;
  recipientId: string;
  sealed: Uint8Array;
  /** The channel's memberEpoch when this sender key was first shared. */
  epoch: number;
}

export interface MessageRecord {
  channelId: string;
  seq: number;
  kind: 'msg' | 'system';
  senderId: string | null;
  keyId: number | null;
  clientMsgId: string | null;
  /** null once deleted (the tombstone stays) and for system entries. */
  ciphertext: Uint8Array | null;
  sentAt: number;
  deleted: boolean;
  system: {
    event: SystemEventKind;
    userId: string;
    actorId: string | null;
    /** In a group with a membership log: the index of the signed entry this notice reports. */
    logIndex: number | null;
  } | null;
}

/** A signed membership-log entry as stored, with the hash the relay computed when it appended it. */
export interface LogEntryRecord extends MemberEntry {
  hash: Uint8Array;
}

/**
 * Signed entries to append to a group's log, already verified by the caller against the log of
 * `expectLength` entries ending in `expectHead`. The store appends them only if that is still the
 * log's head (compare-and-append), and applies each to its member table in the same transaction.
 */
export interface LogAppend {
  channelId: string;
  expectLength: number;
  expectHead: Uint8Array;
  entries: LogEntryRecord[];
  /** The owner after the entries, as every reader computes it (null when nobody is left). */
  owner: string | null;
  /**
   * `create`: a new group (the id must be unused). `append`: a group with a log. `adopt`: a group
   * made before the log, whose owner re-signs the current members; their rows stay, and every
   * sender key made before becomes stale.
   */
  mode: 'create' | 'append' | 'adopt';
  name?: string;
  createdAt: number;
}

export type LogAppendResult =
  | { ok: true; channel: ChannelRecord; entries: MessageRecord[] }
  | { ok: false; code: 'not_found' }
  /** Someone else appended first: the log is `length` entries long now. */
  | { ok: false; code: 'log_conflict'; length: number };

export interface NewMessage {
  channelId: string;
  senderId: string;
  keyId: number;
  clientMsgId: string;
  ciphertext: Uint8Array;
}

/**
 * Outcome of one send. Checks run inside the appending transaction, so a membership change can
 * never slip between the coverage check and the insert.
 */
export type AppendResult =
  | { ok: true; message: MessageRecord; duplicate: boolean }
  | { ok: false; code: 'not_member' | 'not_found' | 'stale_key' }
  /** The sender already used this clientMsgId for a message in another channel. */
  | { ok: false; code: 'id_conflict' }
  | { ok: false; code: 'missing_shares'; missing: string[] };

/** Result of a membership change: the system entry and the channel after it. */
export interface MembershipChange {
  channel: ChannelRecord;
  entry: MessageRecord;
}

/** A key binding of the key-transparency map (DESIGN §7.5); `epoch` null until published. */
export interface KtBindingRecord {
  userId: string;
  version: number;
  username: string;
  identityKey: Uint8Array;
  encKey: Uint8Array;
  encKeySig: Uint8Array;
  epoch: number | null;
}

/** A signed head of the key map. */
export interface KtHeadRecord {
  epoch: number;
  root: Uint8Array;
  prevHash: Uint8Array;
  timeMs: number;
  sig: Uint8Array;
  /** ktHeadHash of the head, as the relay computed it. */
  hash: Uint8Array;
}

/** Who made an invite: an admin in the web panel, or the admin CLI on the server. */
export type InviteSource = 'panel' | 'cli';

/** A registration invite (REGISTRATION=invite|closed). The code itself is never stored. */
export interface InviteRecord {
  id: string;
  /** SHA-256 of the code's bytes, hex. */
  codeHash: string;
  source: InviteSource;
  /** The admin who made it in the panel; null for the CLI. */
  createdBy: string | null;
  label: string | null;
  /** The only username that may use it (lower-cased); null: any. */
  username: string | null;
  /** The role the new account gets. */
  role: Role;
  maxUses: number;
  uses: number;
  expiresAt: number;
  revoked: boolean;
  createdAt: number;
}

export type NewInvite = Omit<InviteRecord, 'uses' | 'revoked'>;

export interface AdminUserRecord extends UserRecord {
  messageCount: number;
}

export interface StoreStats {
  users: number;
  disabledUsers: number;
  channels: number;
  messages: number;
  ciphertextBytes: number;
  activeSessions: number;
}

export interface Store {
  readonly dialect: 'sqlite' | 'mysql';
  close(): Promise<void>;
  /**
   * The journal time of the newest applied migration, or null before any; it also proves the
   * database answers (readiness).
   */
  newestMigration(): Promise<number | null>;

  // ---- users ----
  /**
   * Creates the user, makes them admin when they are the first user (or `forceAdmin`), adds them
   * to the broadcast channel (a `join` entry), stores their first pins blob and their key
   * binding (version 1, waiting for the next key-log epoch), all in one transaction. Throws
   * `UniqueViolation` when the username is taken. With `invite`, one use of that invite is taken
   * in the same transaction, only while it is unrevoked, unexpired at `now` and not used up;
   * otherwise it throws `InviteUnavailable` and creates nothing.
   */
  createUser(
    user: Omit<NewUser, 'role'>,
    opts?: { forceAdmin?: boolean; pins?: Uint8Array; invite?: { id: string; now: number } },
  ): Promise<UserRecord>;
  getUserById(id: string): Promise<UserRecord | null>;
  getUserByUsername(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  updateProfile(
    id: string,
    patch: { displayName?: string; email?: string | null },
  ): Promise<UserRecord | null>;
  updateCredentials(
    id: string,
    creds: { kdfSalt: Uint8Array; kdf: KdfParams; verifier: string; keyBlob: Uint8Array },
  ): Promise<void>;
  setRecovery(id: string, recovery: { verifier: string; blob: Uint8Array } | null): Promise<void>;
  setRole(id: string, role: Role): Promise<void>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  /** Sets lastSeenAt of these users (one statement). */
  touchLastSeen(ids: readonly string[], at: number): Promise<void>;
  /**
   * Deletes the account: sessions, avatar, pins, shares to and from it, memberships (each with a
   * `remove` entry and an epoch bump), and the ciphertext of its messages (tombstones stay).
   * A group with a membership log keeps the account in its log (only a member can sign it out)
   * and its epoch; the relay stops routing to the account and says so in an unsigned notice.
   */
  deleteUser(id: string): Promise<MembershipChange[]>;
  /**
   * Takes the account out of every channel as deleteUser does, keeping the account itself (for
   * accounts whose keys nobody can seal to). Returns the changes.
   */
  removeFromAllChannels(id: string): Promise<MembershipChange[]>;

  // ---- sessions ----
  createSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of the user except `keepTokenHash`. */
  deleteUserSessions(userId: string, keepTokenHash?: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  // ---- avatars and pins ----
  putAvatar(userId: string, mime: string, data: Uint8Array): Promise<number>;
  getAvatar(userId: string): Promise<{ mime: string; data: Uint8Array; version: number } | null>;
  deleteAvatar(userId: string): Promise<void>;
  getPins(userId: string): Promise<Uint8Array | null>;
  putPins(userId: string, blob: Uint8Array): Promise<void>;

  // ---- channels and membership ----
  /** Creates the broadcast channel if it does not exist. Idempotent. */
  ensureBroadcast(): Promise<ChannelRecord>;
  getChannel(id: string): Promise<ChannelRecord | null>;
  /**
   * Creates a dm with a `create` entry by the first member and a `join` entry per member; for a
   * dm that already exists, returns it unchanged (`created: false`). With kind `group` it makes a
   * group without a membership log, as relays did before the log existed (tests and migrations
   * only: new groups come from appendMembershipLog).
   */
  createChannel(input: {
    id: string;
    kind: 'dm' | 'group';
    name: string | null;
    members: { userId: string; role: MemberRole }[];
    createdAt: number;
  }): Promise<{ channel: ChannelRecord; created: boolean }>;
  /**
   * Appends signed membership-log entries to a group (see LogAppend), with a system entry per
   * log entry, and sets memberEpoch to the new log length. Throws UniqueViolation when `create`
   * names an existing channel.
   */
  appendMembershipLog(input: LogAppend): Promise<LogAppendResult>;
  /** Log entries with index >= from, ascending, at most `limit`. */
  getMembershipLog(channelId: string, from: number, limit: number): Promise<LogEntryRecord[]>;
  listMemberships(userId: string): Promise<MembershipView[]>;
  /** One channel as `userId` sees it, or null when they are not a member. */
  getMembership(userId: string, channelId: string): Promise<MembershipView | null>;
  getMembers(channelId: string): Promise<MemberRecord[]>;
  getMember(channelId: string, userId: string): Promise<MemberRecord | null>;
  /**
   * Appends a `join` entry, bumps memberEpoch (not for broadcast), adds the member. Throws
   * `RecordNotFound` (channel or user) or `UniqueViolation` (already a member).
   */
  addMember(channelId: string, userId: string, actorId: string | null): Promise<MembershipChange>;
  /**
   * Appends a `leave` (self) or `remove` entry, bumps memberEpoch (broadcast too: a ban), removes
   * the member and their read marker. Throws `RecordNotFound` (channel or membership).
   */
  removeMember(channelId: string, userId: string, actorId: string | null): Promise<MembershipChange>;

  // ---- sender-key shares ----
  /**
   * Stores shares for (channel, sender, keyId). The key's epoch is the channel's memberEpoch at
   * its first upload and never changes; re-uploading a share for a recipient replaces it.
   * Returns that epoch. Throws `RecordNotFound` when the channel does not exist.
   */
  putShares(
    channelId: string,
    senderId: string,
    keyId: number,
    shares: { recipientId: string; sealed: Uint8Array }[],
  ): Promise<number>;
  getShares(
    channelId: string,
    recipientId: string,
    filter?: { senderId?: string; keyId?: number },
  ): Promise<ShareRecord[]>;

  // ---- messages ----
  /**
   * Appends a batch of sends in ONE transaction, each checked (membership, key epoch, share
   * coverage of every current member) and idempotent on (senderId, clientMsgId): a retry returns
   * the original message with `duplicate: true`. Results are in input order.
   */
  appendMessages(batch: NewMessage[], now: number): Promise<AppendResult[]>;
  /** Timeline entries with seq > after (ascending), or < before (returned ascending), never below minSeq. */
  listMessages(
    channelId: string,
    query: { after?: number; before?: number; limit: number; minSeq: number },
  ): Promise<{ messages: MessageRecord[]; hasMore: boolean }>;
  getMessage(channelId: string, seq: number): Promise<MessageRecord | null>;
  /** Removes the ciphertext of the sender's own message and marks it deleted. */
  deleteMessage(
    channelId: string,
    seq: number,
    senderId: string,
  ): Promise<'deleted' | 'not_found' | 'forbidden'>;
  setReadMarker(userId: string, channelId: string, seq: number): Promise<void>;

  // ---- key transparency (DESIGN §7.5) ----
  /** Bindings waiting for an epoch, oldest first, at most `limit`. */
  ktPendingBindings(limit: number): Promise<KtBindingRecord[]>;
  /** Bindings published in epochs after `after` up to and including `upTo`, in epoch order. */
  ktPublishedBindings(after: number, upTo: number): Promise<KtBindingRecord[]>;
  /** The newest binding of a user, published or not. */
  ktLatestBinding(userId: string): Promise<KtBindingRecord | null>;
  ktLatestHead(): Promise<KtHeadRecord | null>;
  /** Heads with epoch >= from, ascending, at most `limit`. */
  ktHeads(from: number, limit: number): Promise<KtHeadRecord[]>;
  /**
   * Appends `head`, which must be the next epoch after the newest head, and publishes the given
   * pending bindings in it, in one transaction. False when another writer took that epoch.
   */
  ktCommitEpoch(head: KtHeadRecord, bindings: { userId: string; version: number }[]): Promise<boolean>;
  /** Takes or renews the lease on making epochs; true when `holder` holds it until `now + ttlMs`. */
  ktTakeLease(holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Adds a version-1 binding for each account without one (accounts older than the key log). */
  ktBackfill(): Promise<number>;

  // ---- invites ----
  /** Throws UniqueViolation when the id or code hash exists. */
  createInvite(invite: NewInvite): Promise<InviteRecord>;
  getInviteByCodeHash(codeHash: string): Promise<InviteRecord | null>;
  getInvite(id: string): Promise<InviteRecord | null>;
  /** Every invite, newest first. */
  listInvites(): Promise<InviteRecord[]>;
  /** Marks the invite revoked; false when there is no such invite. */
  revokeInvite(id: string): Promise<boolean>;

  // ---- admin ----
  listUsersForAdmin(): Promise<AdminUserRecord[]>;
  stats(now: number): Promise<StoreStats>;
}

/** Thrown by createUser when the username is taken. */
export class UniqueViolation extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'UniqueViolation';
  }
}

/** Thrown by createUser when its invite was used up, revoked or expired (perhaps a moment ago). */
export class InviteUnavailable extends Error {
  constructor() {
    super('invite used up, revoked or expired');
    this.name = 'InviteUnavailable';
  }
}

/** Thrown when an operation names a channel, user or membership that does not exist. */
export class RecordNotFound extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'RecordNotFound';
  }
}
