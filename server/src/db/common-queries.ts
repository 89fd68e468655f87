// The store's queries, written once for both dialects. Drizzle's query builders have the same
// shape in SQLite and MySQL, and both schemas infer identical rows (shared.ts checks), so one body
// serves both: each dialect passes its own database and tables, and implements only what differs
// (upserts, row locks, affected rows, greatest()). Typed against the SQLite builders.
import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  ne,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { first, type MembershipRow, type Queries, type SendFactRow } from './backend';
import type * as schema from './schema.sqlite';
import { sendFactsFromRow, sendFactsSelection } from './send-facts';
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

/** The tables every query reads, from either schema. */
export type QueryTables = Pick<
  typeof schema,
  | 'avatars'
  | 'channels'
  | 'contactPins'
  | 'invites'
  | 'ktBindings'
  | 'ktHeads'
  | 'ktLease'
  | 'members'
  | 'membershipLog'
  | 'messages'
  | 'readMarkers'
  | 'senderKeyShares'
  | 'senderKeys'
  | 'sessions'
  | 'users'
>;

/** A database handle or a transaction, seen through the SQLite builders' types. */
export type CommonDb = BaseSQLiteDatabase<'sync', unknown>;

export abstract class CommonQueries implements Queries {
  constructor(
    protected readonly db: CommonDb,
    protected readonly t: QueryTables,
  ) {}

  /** The larger of two values: SQLite's two-argument max(), MySQL's greatest(). */
  protected abstract greatest(a: SQLWrapper, b: SQLWrapper): SQL;

  abstract deleteExpiredSessions(now: number): Promise<number>;
  abstract upsertAvatar(row: AvatarRow): Promise<void>;
  abstract upsertPins(row: PinsRow): Promise<void>;
  abstract insertChannelIfAbsent(row: ChannelRow): Promise<void>;
  abstract lockChannel(id: string): Promise<ChannelRow | undefined>;
  abstract raiseReadMarker(userId: string, channelId: string, seq: number): Promise<void>;
  abstract insertSenderKeyIfAbsent(row: SenderKeyRow): Promise<void>;
  abstract upsertShares(rows: ShareRow[]): Promise<void>;
  abstract takeKtLease(holder: string, now: number, expiresAt: number): Promise<boolean>;
  abstract takeInviteUse(id: string, now: number): Promise<boolean>;

  async insertUser(row: UserRow): Promise<void> {
    await this.db.insert(this.t.users).values(row);
  }
  userById(id: string): Promise<UserRow | undefined> {
    return first(this.db.select().from(this.t.users).where(eq(this.t.users.id, id)).limit(1));
  }
  userByUsername(username: string): Promise<UserRow | undefined> {
    return first(this.db.select().from(this.t.users).where(eq(this.t.users.username, username)).limit(1));
  }
  listUsers(): Promise<UserRow[]> {
    return this.db.select().from(this.t.users).orderBy(this.t.users.createdAt, this.t.users.username);
  }
  countUsers(): Promise<number> {
    return this.db.$count(this.t.users);
  }
  async touchLastSeen(ids: string[], at: number): Promise<void> {
    await this.db.update(this.t.users).set({ lastSeenAt: at }).where(inArray(this.t.users.id, ids));
  }
  async updateUser(id: string, patch: UserPatch): Promise<void> {
    await this.db.update(this.t.users).set(patch).where(eq(this.t.users.id, id));
  }
  async deleteUser(id: string): Promise<void> {
    await this.db.delete(this.t.users).where(eq(this.t.users.id, id));
  }
  async messageCountsBySender(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ senderId: this.t.messages.senderId, n: count() })
      .from(this.t.messages)
      .where(and(eq(this.t.messages.kind, 'msg'), eq(this.t.messages.deleted, false)))
      .groupBy(this.t.messages.senderId);
    return new Map(rows.flatMap((r) => (r.senderId === null ? [] : [[r.senderId, r.n] as const])));
  }

  // ---- this.t.sessions ----
  async insertSession(row: SessionRow): Promise<void> {
    await this.db.insert(this.t.sessions).values(row);
  }
  sessionByHash(tokenHash: string): Promise<SessionRow | undefined> {
    return first(
      this.db.select().from(this.t.sessions).where(eq(this.t.sessions.tokenHash, tokenHash)).limit(1),
    );
  }
  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(this.t.sessions).where(eq(this.t.sessions.tokenHash, tokenHash));
  }
  async deleteSessionsOf(userId: string, keepTokenHash: string | undefined): Promise<void> {
    const keep = keepTokenHash === undefined ? undefined : ne(this.t.sessions.tokenHash, keepTokenHash);
    await this.db.delete(this.t.sessions).where(and(eq(this.t.sessions.userId, userId), keep));
  }
  avatarOf(userId: string): Promise<AvatarRow | undefined> {
    return first(this.db.select().from(this.t.avatars).where(eq(this.t.avatars.userId, userId)).limit(1));
  }
  async deleteAvatar(userId: string): Promise<void> {
    await this.db.delete(this.t.avatars).where(eq(this.t.avatars.userId, userId));
  }
  pinsOf(userId: string): Promise<PinsRow | undefined> {
    return first(
      this.db.select().from(this.t.contactPins).where(eq(this.t.contactPins.userId, userId)).limit(1),
    );
  }
  async deletePins(userId: string): Promise<void> {
    await this.db.delete(this.t.contactPins).where(eq(this.t.contactPins.userId, userId));
  }

  // ---- this.t.channels and this.t.members ----
  channelById(id: string): Promise<ChannelRow | undefined> {
    return first(this.db.select().from(this.t.channels).where(eq(this.t.channels.id, id)).limit(1));
  }
  async updateChannel(
    id: string,
    patch: { lastSeq: number; memberEpoch: number; logLength?: number },
  ): Promise<void> {
    await this.db.update(this.t.channels).set(patch).where(eq(this.t.channels.id, id));
  }
  async insertMember(row: MemberRow): Promise<void> {
    await this.db.insert(this.t.members).values(row);
  }
  async setMemberRole(channelId: string, userId: string, role: MemberRow['role']): Promise<void> {
    await this.db
      .update(this.t.members)
      .set({ role })
      .where(and(eq(this.t.members.channelId, channelId), eq(this.t.members.userId, userId)));
  }
  async deleteMember(channelId: string, userId: string): Promise<void> {
    await this.db
      .delete(this.t.members)
      .where(and(eq(this.t.members.channelId, channelId), eq(this.t.members.userId, userId)));
  }
  member(channelId: string, userId: string): Promise<MemberRow | undefined> {
    return first(
      this.db
        .select()
        .from(this.t.members)
        .where(and(eq(this.t.members.channelId, channelId), eq(this.t.members.userId, userId)))
        .limit(1),
    );
  }
  membersOf(channelId: string): Promise<MemberRow[]> {
    return this.db
      .select()
      .from(this.t.members)
      .where(eq(this.t.members.channelId, channelId))
      .orderBy(this.t.members.joinedSeq);
  }
  async channelIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: this.t.members.channelId })
      .from(this.t.members)
      .where(eq(this.t.members.userId, userId));
    return rows.map((r) => r.id);
  }
  async membershipsOf(userId: string, channelId?: string): Promise<MembershipRow[]> {
    const floor = this.greatest(sql`coalesce(${this.t.readMarkers.seq}, 0)`, this.t.members.joinedSeq);
    const unread = this.db
      .select({ n: count() })
      .from(this.t.messages)
      .where(
        and(
          eq(this.t.messages.channelId, this.t.members.channelId),
          gt(this.t.messages.seq, floor),
          eq(this.t.messages.kind, 'msg'),
          eq(this.t.messages.deleted, false),
          ne(this.t.messages.senderId, userId),
        ),
      );
    const rows = await this.db
      .select({
        channel: this.t.channels,
        member: this.t.members,
        readSeq: this.t.readMarkers.seq,
        unread: sql<number>`(${unread})`.mapWith(Number),
      })
      .from(this.t.members)
      .innerJoin(this.t.channels, eq(this.t.channels.id, this.t.members.channelId))
      .leftJoin(
        this.t.readMarkers,
        and(
          eq(this.t.readMarkers.userId, this.t.members.userId),
          eq(this.t.readMarkers.channelId, this.t.members.channelId),
        ),
      )
      .where(
        and(
          eq(this.t.members.userId, userId),
          channelId === undefined ? undefined : eq(this.t.members.channelId, channelId),
        ),
      )
      .orderBy(this.t.channels.createdAt, this.t.channels.id);
    return rows.map((r) => ({ ...r, readSeq: r.readSeq ?? 0 }));
  }
  async deleteReadMarker(userId: string, channelId: string): Promise<void> {
    await this.db
      .delete(this.t.readMarkers)
      .where(and(eq(this.t.readMarkers.userId, userId), eq(this.t.readMarkers.channelId, channelId)));
  }

  // ---- membership log ----
  async insertLogEntries(rows: LogRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(this.t.membershipLog).values(rows);
  }
  logEntries(channelId: string, from: number, limit: number): Promise<LogRow[]> {
    return this.db
      .select()
      .from(this.t.membershipLog)
      .where(and(eq(this.t.membershipLog.channelId, channelId), gte(this.t.membershipLog.idx, from)))
      .orderBy(asc(this.t.membershipLog.idx))
      .limit(limit);
  }

  // ---- sender keys and shares ----
  senderKey(channelId: string, senderId: string, keyId: number): Promise<SenderKeyRow | undefined> {
    return first(
      this.db
        .select()
        .from(this.t.senderKeys)
        .where(
          and(
            eq(this.t.senderKeys.channelId, channelId),
            eq(this.t.senderKeys.senderId, senderId),
            eq(this.t.senderKeys.keyId, keyId),
          ),
        )
        .limit(1),
    );
  }
  async sendFacts(channelId: string, senderId: string, keyId: number): Promise<SendFactRow> {
    const tables = { members: this.t.members, senderKeys: this.t.senderKeys, shares: this.t.senderKeyShares };
    const [row] = await this.db
      .select(sendFactsSelection(tables, channelId, senderId, keyId))
      .from(this.t.channels)
      .where(eq(this.t.channels.id, channelId));
    return sendFactsFromRow(row);
  }
  async membersWithoutShare(channelId: string, senderId: string, keyId: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: this.t.members.userId })
      .from(this.t.members)
      .leftJoin(
        this.t.senderKeyShares,
        and(
          eq(this.t.senderKeyShares.channelId, this.t.members.channelId),
          eq(this.t.senderKeyShares.senderId, senderId),
          eq(this.t.senderKeyShares.keyId, keyId),
          eq(this.t.senderKeyShares.recipientId, this.t.members.userId),
        ),
      )
      .where(and(eq(this.t.members.channelId, channelId), isNull(this.t.senderKeyShares.recipientId)))
      .orderBy(this.t.members.userId);
    return rows.map((r) => r.id);
  }
  sharesFor(
    channelId: string,
    recipientId: string,
    filter: { senderId?: string; keyId?: number },
  ): Promise<{ share: ShareRow; epoch: number }[]> {
    return this.db
      .select({ share: this.t.senderKeyShares, epoch: this.t.senderKeys.epoch })
      .from(this.t.senderKeyShares)
      .innerJoin(
        this.t.senderKeys,
        and(
          eq(this.t.senderKeys.channelId, this.t.senderKeyShares.channelId),
          eq(this.t.senderKeys.senderId, this.t.senderKeyShares.senderId),
          eq(this.t.senderKeys.keyId, this.t.senderKeyShares.keyId),
        ),
      )
      .where(
        and(
          eq(this.t.senderKeyShares.channelId, channelId),
          eq(this.t.senderKeyShares.recipientId, recipientId),
          filter.senderId === undefined ? undefined : eq(this.t.senderKeyShares.senderId, filter.senderId),
          filter.keyId === undefined ? undefined : eq(this.t.senderKeyShares.keyId, filter.keyId),
        ),
      )
      .orderBy(this.t.senderKeyShares.senderId, this.t.senderKeyShares.keyId);
  }
  async retireSenderKeys(channelId: string): Promise<void> {
    await this.db
      .update(this.t.senderKeys)
      .set({ epoch: 0 })
      .where(eq(this.t.senderKeys.channelId, channelId));
  }
  async deleteKeysAndSharesOf(userId: string): Promise<void> {
    await this.db
      .delete(this.t.senderKeyShares)
      .where(
        sql`${this.t.senderKeyShares.senderId} = ${userId} or ${this.t.senderKeyShares.recipientId} = ${userId}`,
      );
    await this.db.delete(this.t.senderKeys).where(eq(this.t.senderKeys.senderId, userId));
  }

  // ---- this.t.messages ----
  async insertMessages(rows: MessageRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(this.t.messages).values(rows);
  }
  messageAt(channelId: string, seq: number): Promise<MessageRow | undefined> {
    return first(
      this.db
        .select()
        .from(this.t.messages)
        .where(and(eq(this.t.messages.channelId, channelId), eq(this.t.messages.seq, seq)))
        .limit(1),
    );
  }
  messagesByClientIds(senderIds: string[], clientMsgIds: string[]): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(this.t.messages)
      .where(
        and(inArray(this.t.messages.senderId, senderIds), inArray(this.t.messages.clientMsgId, clientMsgIds)),
      );
  }
  messagesAfter(channelId: string, after: number, below: number, limit: number): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(this.t.messages)
      .where(
        and(
          eq(this.t.messages.channelId, channelId),
          gt(this.t.messages.seq, after),
          lt(this.t.messages.seq, below),
        ),
      )
      .orderBy(asc(this.t.messages.seq))
      .limit(limit);
  }
  messagesBefore(channelId: string, before: number, from: number, limit: number): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(this.t.messages)
      .where(
        and(
          eq(this.t.messages.channelId, channelId),
          lt(this.t.messages.seq, before),
          gte(this.t.messages.seq, from),
        ),
      )
      .orderBy(desc(this.t.messages.seq))
      .limit(limit);
  }
  async markDeleted(channelId: string, seq: number): Promise<void> {
    await this.db
      .update(this.t.messages)
      .set({ ciphertext: null, deleted: true })
      .where(and(eq(this.t.messages.channelId, channelId), eq(this.t.messages.seq, seq)));
  }
  async wipeMessagesOf(senderId: string): Promise<void> {
    await this.db
      .update(this.t.messages)
      .set({ ciphertext: null, deleted: true })
      .where(and(eq(this.t.messages.senderId, senderId), eq(this.t.messages.kind, 'msg')));
  }

  // ---- key transparency ----
  async insertKtBindings(rows: KtBindingRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(this.t.ktBindings).values(rows);
  }
  ktPending(limit: number): Promise<KtBindingRow[]> {
    return this.db
      .select()
      .from(this.t.ktBindings)
      .where(isNull(this.t.ktBindings.epoch))
      .orderBy(this.t.ktBindings.userId, this.t.ktBindings.version)
      .limit(limit);
  }
  ktPublished(after: number, upTo: number): Promise<KtBindingRow[]> {
    return this.db
      .select()
      .from(this.t.ktBindings)
      .where(and(gt(this.t.ktBindings.epoch, after), lte(this.t.ktBindings.epoch, upTo)))
      .orderBy(this.t.ktBindings.epoch, this.t.ktBindings.userId, this.t.ktBindings.version);
  }
  ktLatestBinding(userId: string): Promise<KtBindingRow | undefined> {
    return first(
      this.db
        .select()
        .from(this.t.ktBindings)
        .where(eq(this.t.ktBindings.userId, userId))
        .orderBy(desc(this.t.ktBindings.version))
        .limit(1),
    );
  }
  ktLatestHead(): Promise<KtHeadRow | undefined> {
    return first(this.db.select().from(this.t.ktHeads).orderBy(desc(this.t.ktHeads.epoch)).limit(1));
  }
  ktHeads(from: number, limit: number): Promise<KtHeadRow[]> {
    return this.db
      .select()
      .from(this.t.ktHeads)
      .where(gte(this.t.ktHeads.epoch, from))
      .orderBy(asc(this.t.ktHeads.epoch))
      .limit(limit);
  }
  async insertKtHead(row: KtHeadRow): Promise<void> {
    await this.db.insert(this.t.ktHeads).values(row);
  }
  async publishKtBindings(epoch: number, keys: { userId: string; version: number }[]): Promise<void> {
    if (keys.length === 0) return;
    const which = or(
      ...keys.map((k) =>
        and(eq(this.t.ktBindings.userId, k.userId), eq(this.t.ktBindings.version, k.version)),
      ),
    );
    await this.db
      .update(this.t.ktBindings)
      .set({ epoch })
      .where(and(isNull(this.t.ktBindings.epoch), which));
  }
  usersWithoutBinding(): Promise<UserRow[]> {
    return this.db
      .select({ user: this.t.users })
      .from(this.t.users)
      .leftJoin(this.t.ktBindings, eq(this.t.ktBindings.userId, this.t.users.id))
      .where(isNull(this.t.ktBindings.userId))
      .then((rows) => rows.map((r) => r.user));
  }

  // ---- invites ----
  async insertInvite(row: InviteRow): Promise<void> {
    await this.db.insert(this.t.invites).values(row);
  }
  inviteByCodeHash(codeHash: string): Promise<InviteRow | undefined> {
    return first(this.db.select().from(this.t.invites).where(eq(this.t.invites.codeHash, codeHash)).limit(1));
  }
  inviteById(id: string): Promise<InviteRow | undefined> {
    return first(this.db.select().from(this.t.invites).where(eq(this.t.invites.id, id)).limit(1));
  }
  listInvites(): Promise<InviteRow[]> {
    return this.db.select().from(this.t.invites).orderBy(desc(this.t.invites.createdAt), this.t.invites.id);
  }
  async revokeInvite(id: string): Promise<void> {
    await this.db.update(this.t.invites).set({ revoked: true }).where(eq(this.t.invites.id, id));
  }
  /** The WHERE of takeInviteUse: the invite may still be used at `now`. */
  protected inviteUsable(id: string, now: number): SQL | undefined {
    return and(
      eq(this.t.invites.id, id),
      eq(this.t.invites.revoked, false),
      gt(this.t.invites.expiresAt, now),
      lt(this.t.invites.uses, this.t.invites.maxUses),
    );
  }

  async stats(now: number): Promise<StoreStats> {
    const live: SQL | undefined = and(eq(this.t.messages.kind, 'msg'), eq(this.t.messages.deleted, false));
    const [bytes] = await this.db
      .select({ n: sql<number>`coalesce(sum(length(${this.t.messages.ciphertext})), 0)`.mapWith(Number) })
      .from(this.t.messages)
      .where(live);
    return {
      users: await this.db.$count(this.t.users),
      disabledUsers: await this.db.$count(this.t.users, eq(this.t.users.disabled, true)),
      channels: await this.db.$count(this.t.channels),
      messages: await this.db.$count(this.t.messages, live),
      ciphertextBytes: bytes?.n ?? 0,
      activeSessions: await this.db.$count(this.t.sessions, gt(this.t.sessions.expiresAt, now)),
    };
  }
}
