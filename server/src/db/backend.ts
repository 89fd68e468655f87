// The seam between the store's logic (drizzle-store.ts, written once) and a SQL dialect: the
// queries (common-queries.ts, over each dialect's own drizzle tables) and how to run a
// transaction. Every method is one statement (or a fixed few) with no decisions in it.
import type {
  AvatarRow,
  ChannelRow,
  InviteRow,
  KtBindingRow,
  KtHeadRow,
  LogRow,
  MemberRow,
  MessageRow,
  PinsRow,
  SenderKeyRow,
  SessionRow,
  ShareRow,
  UserPatch,
  UserRow,
} from './shared';
import type { StoreStats } from './store';

export interface MembershipRow {
  channel: ChannelRow;
  member: MemberRow;
  readSeq: number;
  unread: number;
}

export interface SendFactRow {
  senderIsMember: boolean;
  keyEpoch: number | undefined;
  missingCount: number;
}

export interface Queries {
  // users
  insertUser(row: UserRow): Promise<void>;
  userById(id: string): Promise<UserRow | undefined>;
  userByUsername(username: string): Promise<UserRow | undefined>;
  listUsers(): Promise<UserRow[]>;
  countUsers(): Promise<number>;
  updateUser(id: string, patch: UserPatch): Promise<void>;
  deleteUser(id: string): Promise<void>;
  touchLastSeen(ids: string[], at: number): Promise<void>;
  /** Stored, not deleted `msg` entries per sender. */
  messageCountsBySender(): Promise<Map<string, number>>;

  // sessions
  insertSession(row: SessionRow): Promise<void>;
  sessionByHash(tokenHash: string): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(userId: string, keepTokenHash: string | undefined): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  // avatars and pins
  upsertAvatar(row: AvatarRow): Promise<void>;
  avatarOf(userId: string): Promise<AvatarRow | undefined>;
  deleteAvatar(userId: string): Promise<void>;
  upsertPins(row: PinsRow): Promise<void>;
  pinsOf(userId: string): Promise<PinsRow | undefined>;
  deletePins(userId: string): Promise<void>;

  // channels and members
  insertChannelIfAbsent(row: ChannelRow): Promise<void>;
  channelById(id: string): Promise<ChannelRow | undefined>;
  /** Reads the channel row and holds its write lock until the transaction ends. */
  lockChannel(id: string): Promise<ChannelRow | undefined>;
  updateChannel(
    id: string,
    patch: { lastSeq: number; memberEpoch: number; logLength?: number },
  ): Promise<void>;
  insertMember(row: MemberRow): Promise<void>;
  setMemberRole(channelId: string, userId: string, role: MemberRow['role']): Promise<void>;
  deleteMember(channelId: string, userId: string): Promise<void>;
  member(channelId: string, userId: string): Promise<MemberRow | undefined>;
  /** Ordered by joinedSeq. */
  membersOf(channelId: string): Promise<MemberRow[]>;
  channelIdsOf(userId: string): Promise<string[]>;
  /**
   * With read marker (0 when none) and unread count of messages after max(readSeq, joinedSeq).
   * Only the membership of `channelId` when given.
   */
  membershipsOf(userId: string, channelId?: string): Promise<MembershipRow[]>;
  /** Moves the marker forward only. */
  raiseReadMarker(userId: string, channelId: string, seq: number): Promise<void>;
  deleteReadMarker(userId: string, channelId: string): Promise<void>;

  // membership log
  insertLogEntries(rows: LogRow[]): Promise<void>;
  /** index >= from, ascending, at most limit. */
  logEntries(channelId: string, from: number, limit: number): Promise<LogRow[]>;

  // sender keys and shares
  insertSenderKeyIfAbsent(row: SenderKeyRow): Promise<void>;
  senderKey(channelId: string, senderId: string, keyId: number): Promise<SenderKeyRow | undefined>;
  /** Inserts the shares, replacing the sealed value of any that exist. At most SHARE_CHUNK rows. */
  upsertShares(rows: ShareRow[]): Promise<void>;
  /**
   * One statement: whether the sender is a member, the key's epoch (undefined when it was never
   * shared) and how many current members hold no share of it.
   */
  sendFacts(channelId: string, senderId: string, keyId: number): Promise<SendFactRow>;
  /** Current members holding no share of the key, sorted by id. */
  membersWithoutShare(channelId: string, senderId: string, keyId: number): Promise<string[]>;
  sharesFor(
    channelId: string,
    recipientId: string,
    filter: { senderId?: string; keyId?: number },
  ): Promise<{ share: ShareRow; epoch: number }[]>;
  /** Marks every sender key of the channel as made before epoch 1, so that none is current. */
  retireSenderKeys(channelId: string): Promise<void>;
  /** Sender keys of the user and every share to or from them. */
  deleteKeysAndSharesOf(userId: string): Promise<void>;

  // messages
  /** One multi-row INSERT; at most MESSAGE_CHUNK rows. */
  insertMessages(rows: MessageRow[]): Promise<void>;
  messageAt(channelId: string, seq: number): Promise<MessageRow | undefined>;
  /** The stored messages whose sender is one of `senderIds` and whose clientMsgId is one of `clientMsgIds`. */
  messagesByClientIds(senderIds: string[], clientMsgIds: string[]): Promise<MessageRow[]>;
  /** after < seq < below, ascending. */
  messagesAfter(channelId: string, after: number, below: number, limit: number): Promise<MessageRow[]>;
  /** from <= seq < before, descending. */
  messagesBefore(channelId: string, before: number, from: number, limit: number): Promise<MessageRow[]>;
  markDeleted(channelId: string, seq: number): Promise<void>;
  /** Drops the ciphertext of every message the user sent; the tombstones stay. */
  wipeMessagesOf(senderId: string): Promise<void>;

  stats(now: number): Promise<StoreStats>;

  // invites
  insertInvite(row: InviteRow): Promise<void>;
  inviteByCodeHash(codeHash: string): Promise<InviteRow | undefined>;
  inviteById(id: string): Promise<InviteRow | undefined>;
  /** Newest first. */
  listInvites(): Promise<InviteRow[]>;
  revokeInvite(id: string): Promise<void>;
  /**
   * One conditional UPDATE: uses + 1 where the invite is unrevoked, unexpired at `now` and not
   * used up. Whether it took the use; two racing registrations cannot both take the last one.
   */
  takeInviteUse(id: string, now: number): Promise<boolean>;

  // key transparency
  insertKtBindings(rows: KtBindingRow[]): Promise<void>;
  ktPending(limit: number): Promise<KtBindingRow[]>;
  /** epoch in (after, upTo], ordered by epoch, user, version. */
  ktPublished(after: number, upTo: number): Promise<KtBindingRow[]>;
  ktLatestBinding(userId: string): Promise<KtBindingRow | undefined>;
  ktLatestHead(): Promise<KtHeadRow | undefined>;
  ktHeads(from: number, limit: number): Promise<KtHeadRow[]>;
  insertKtHead(row: KtHeadRow): Promise<void>;
  /** Sets `epoch` on these pending bindings (at most KT_CHUNK). */
  publishKtBindings(epoch: number, keys: { userId: string; version: number }[]): Promise<void>;
  /** Takes the lease when free, expired or already ours; returns whether we hold it. */
  takeKtLease(holder: string, now: number, expiresAt: number): Promise<boolean>;
  /** Accounts without any key binding. */
  usersWithoutBinding(): Promise<UserRow[]>;
}

/** Bindings published per UPDATE (an OR of key pairs). */
export const KT_CHUNK = 200;

/** Rows per multi-row insert: far below SQLite's bound-parameter limit. */
export const SHARE_CHUNK = 500;

/** Messages per multi-row insert (13 columns each): below SQLite's and MySQL's parameter limits. */
export const MESSAGE_CHUNK = 500;

export interface Backend {
  readonly dialect: 'sqlite' | 'mysql';
  /** Queries outside any transaction: use for reads only. */
  readonly reads: Queries;
  /**
   * Runs `fn` in one transaction. Transactions that touch a channel lock its row first
   * (`lockChannel`), in sorted id order when there are several, so that writers queue per channel.
   */
  transaction<T>(fn: (q: Queries) => Promise<T>): Promise<T>;
  /** Runs a single-statement write (no transaction needed, but serialized where the dialect must). */
  write<T>(fn: (q: Queries) => Promise<T>): Promise<T>;
  isUniqueViolation(err: unknown): boolean;
  /** When the newest applied migration was made (its journal `when`), or null before any. */
  newestMigration(): Promise<number | null>;
  close(): Promise<void>;
}

/** The first row of a result, if any. */
export async function first<T>(rows: Promise<T[]>): Promise<T | undefined> {
  return (await rows)[0];
}

/** Walks an error's `cause` chain (drizzle wraps driver errors in DrizzleQueryError). */
export function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}
