// The embedded SQLite backend (libsql through drizzle). One process owns the file: writers are
// serialized in process and every transaction is BEGIN IMMEDIATE; readers run alongside in WAL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
  sql,
} from 'drizzle-orm';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import {
  type Backend,
  errorChain,
  first,
  type MembershipRow,
  type Queries,
  type SendFactRow,
} from './backend';
import { DrizzleStore } from './drizzle-store';
import { migrationsFolder } from './migrations';
import { Mutex } from './mutex';
import {
  avatars,
  channels,
  contactPins,
  ktBindings,
  ktHeads,
  ktLease,
  members,
  membershipLog,
  messages,
  readMarkers,
  senderKeyShares,
  senderKeys,
  sessions,
  users,
} from './schema.sqlite';
import { sendFactsFromRow, sendFactsSelection } from './send-facts';
import type {
  AvatarRow,
  ChannelRow,
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
import { drizzleOver, openSqliteConnection, type SqliteConnection } from './sqlite-connection';
import type { Store, StoreStats } from './store';

/** How long a writer from another process may hold the database before we give up. */
const BUSY_TIMEOUT_MS = 5_000;

/** A database handle or a transaction: both run the same queries. */
type Conn = BaseSQLiteDatabase<'sync', { changes: number }>;

class SqliteQueries implements Queries {
  constructor(private readonly db: Conn) {}

  // ---- users ----
  async insertUser(row: UserRow): Promise<void> {
    await this.db.insert(users).values(row);
  }
  userById(id: string): Promise<UserRow | undefined> {
    return first(this.db.select().from(users).where(eq(users.id, id)).limit(1));
  }
  userByUsername(username: string): Promise<UserRow | undefined> {
    return first(this.db.select().from(users).where(eq(users.username, username)).limit(1));
  }
  listUsers(): Promise<UserRow[]> {
    return this.db.select().from(users).orderBy(users.createdAt, users.username);
  }
  countUsers(): Promise<number> {
    return this.db.$count(users);
  }
  async updateUser(id: string, patch: UserPatch): Promise<void> {
    await this.db.update(users).set(patch).where(eq(users.id, id));
  }
  async deleteUser(id: string): Promise<void> {
    await this.db.delete(users).where(eq(users.id, id));
  }
  async messageCountsBySender(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ senderId: messages.senderId, n: count() })
      .from(messages)
      .where(and(eq(messages.kind, 'msg'), eq(messages.deleted, false)))
      .groupBy(messages.senderId);
    return new Map(rows.flatMap((r) => (r.senderId === null ? [] : [[r.senderId, r.n] as const])));
  }

  // ---- sessions ----
  async insertSession(row: SessionRow): Promise<void> {
    await this.db.insert(sessions).values(row);
  }
  sessionByHash(tokenHash: string): Promise<SessionRow | undefined> {
    return first(this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1));
  }
  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
  }
  async deleteSessionsOf(userId: string, keepTokenHash: string | undefined): Promise<void> {
    const keep = keepTokenHash === undefined ? undefined : ne(sessions.tokenHash, keepTokenHash);
    await this.db.delete(sessions).where(and(eq(sessions.userId, userId), keep));
  }
  async deleteExpiredSessions(now: number): Promise<number> {
    const result = await this.db.delete(sessions).where(lte(sessions.expiresAt, now));
    return result.changes;
  }

  // ---- avatars and pins ----
  async upsertAvatar(row: AvatarRow): Promise<void> {
    await this.db
      .insert(avatars)
      .values(row)
      .onConflictDoUpdate({
        target: avatars.userId,
        set: { mime: row.mime, data: row.data, version: row.version },
      });
  }
  avatarOf(userId: string): Promise<AvatarRow | undefined> {
    return first(this.db.select().from(avatars).where(eq(avatars.userId, userId)).limit(1));
  }
  async deleteAvatar(userId: string): Promise<void> {
    await this.db.delete(avatars).where(eq(avatars.userId, userId));
  }
  async upsertPins(row: PinsRow): Promise<void> {
    await this.db
      .insert(contactPins)
      .values(row)
      .onConflictDoUpdate({ target: contactPins.userId, set: { blob: row.blob } });
  }
  pinsOf(userId: string): Promise<PinsRow | undefined> {
    return first(this.db.select().from(contactPins).where(eq(contactPins.userId, userId)).limit(1));
  }
  async deletePins(userId: string): Promise<void> {
    await this.db.delete(contactPins).where(eq(contactPins.userId, userId));
  }

  // ---- channels and members ----
  async insertChannelIfAbsent(row: ChannelRow): Promise<void> {
    await this.db.insert(channels).values(row).onConflictDoNothing();
  }
  channelById(id: string): Promise<ChannelRow | undefined> {
    return first(this.db.select().from(channels).where(eq(channels.id, id)).limit(1));
  }
  lockChannel(id: string): Promise<ChannelRow | undefined> {
    // Transactions begin IMMEDIATE and writers are serialized: the whole database is ours.
    return this.channelById(id);
  }
  async updateChannel(
    id: string,
    patch: { lastSeq: number; memberEpoch: number; logLength?: number },
  ): Promise<void> {
    await this.db.update(channels).set(patch).where(eq(channels.id, id));
  }
  async insertMember(row: MemberRow): Promise<void> {
    await this.db.insert(members).values(row);
  }
  async setMemberRole(channelId: string, userId: string, role: MemberRow['role']): Promise<void> {
    await this.db
      .update(members)
      .set({ role })
      .where(and(eq(members.channelId, channelId), eq(members.userId, userId)));
  }
  async deleteMember(channelId: string, userId: string): Promise<void> {
    await this.db.delete(members).where(and(eq(members.channelId, channelId), eq(members.userId, userId)));
  }
  member(channelId: string, userId: string): Promise<MemberRow | undefined> {
    return first(
      this.db
        .select()
        .from(members)
        .where(and(eq(members.channelId, channelId), eq(members.userId, userId)))
        .limit(1),
    );
  }
  membersOf(channelId: string): Promise<MemberRow[]> {
    return this.db.select().from(members).where(eq(members.channelId, channelId)).orderBy(members.joinedSeq);
  }
  async channelIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: members.channelId })
      .from(members)
      .where(eq(members.userId, userId));
    return rows.map((r) => r.id);
  }
  async membershipsOf(userId: string, channelId?: string): Promise<MembershipRow[]> {
    const floor = sql`max(coalesce(${readMarkers.seq}, 0), ${members.joinedSeq})`;
    const unread = this.db
      .select({ n: count() })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, members.channelId),
          gt(messages.seq, floor),
          eq(messages.kind, 'msg'),
          eq(messages.deleted, false),
          ne(messages.senderId, userId),
        ),
      );
    const rows = await this.db
      .select({
        channel: channels,
        member: members,
        readSeq: readMarkers.seq,
        unread: sql<number>`(${unread})`.mapWith(Number),
      })
      .from(members)
      .innerJoin(channels, eq(channels.id, members.channelId))
      .leftJoin(
        readMarkers,
        and(eq(readMarkers.userId, members.userId), eq(readMarkers.channelId, members.channelId)),
      )
      .where(
        and(
          eq(members.userId, userId),
          channelId === undefined ? undefined : eq(members.channelId, channelId),
        ),
      )
      .orderBy(channels.createdAt, channels.id);
    return rows.map((r) => ({ ...r, readSeq: r.readSeq ?? 0 }));
  }
  async raiseReadMarker(userId: string, channelId: string, seq: number): Promise<void> {
    await this.db
      .insert(readMarkers)
      .values({ userId, channelId, seq })
      .onConflictDoUpdate({
        target: [readMarkers.userId, readMarkers.channelId],
        set: { seq: sql`max(${readMarkers.seq}, ${seq})` },
      });
  }
  async deleteReadMarker(userId: string, channelId: string): Promise<void> {
    await this.db
      .delete(readMarkers)
      .where(and(eq(readMarkers.userId, userId), eq(readMarkers.channelId, channelId)));
  }

  // ---- membership log ----
  async insertLogEntries(rows: LogRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(membershipLog).values(rows);
  }
  logEntries(channelId: string, from: number, limit: number): Promise<LogRow[]> {
    return this.db
      .select()
      .from(membershipLog)
      .where(and(eq(membershipLog.channelId, channelId), gte(membershipLog.idx, from)))
      .orderBy(asc(membershipLog.idx))
      .limit(limit);
  }

  // ---- sender keys and shares ----
  async insertSenderKeyIfAbsent(row: SenderKeyRow): Promise<void> {
    await this.db.insert(senderKeys).values(row).onConflictDoNothing();
  }
  senderKey(channelId: string, senderId: string, keyId: number): Promise<SenderKeyRow | undefined> {
    return first(
      this.db
        .select()
        .from(senderKeys)
        .where(
          and(
            eq(senderKeys.channelId, channelId),
            eq(senderKeys.senderId, senderId),
            eq(senderKeys.keyId, keyId),
          ),
        )
        .limit(1),
    );
  }
  async upsertShares(rows: ShareRow[]): Promise<void> {
    await this.db
      .insert(senderKeyShares)
      .values(rows)
      .onConflictDoUpdate({
        target: [
          senderKeyShares.channelId,
          senderKeyShares.senderId,
          senderKeyShares.keyId,
          senderKeyShares.recipientId,
        ],
        set: { sealed: sql`excluded.sealed` },
      });
  }
  async sendFacts(channelId: string, senderId: string, keyId: number): Promise<SendFactRow> {
    const tables = { members, senderKeys, shares: senderKeyShares };
    const [row] = await this.db
      .select(sendFactsSelection(tables, channelId, senderId, keyId))
      .from(channels)
      .where(eq(channels.id, channelId));
    return sendFactsFromRow(row);
  }
  async membersWithoutShare(channelId: string, senderId: string, keyId: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: members.userId })
      .from(members)
      .leftJoin(
        senderKeyShares,
        and(
          eq(senderKeyShares.channelId, members.channelId),
          eq(senderKeyShares.senderId, senderId),
          eq(senderKeyShares.keyId, keyId),
          eq(senderKeyShares.recipientId, members.userId),
        ),
      )
      .where(and(eq(members.channelId, channelId), isNull(senderKeyShares.recipientId)))
      .orderBy(members.userId);
    return rows.map((r) => r.id);
  }
  sharesFor(
    channelId: string,
    recipientId: string,
    filter: { senderId?: string; keyId?: number },
  ): Promise<{ share: ShareRow; epoch: number }[]> {
    return this.db
      .select({ share: senderKeyShares, epoch: senderKeys.epoch })
      .from(senderKeyShares)
      .innerJoin(
        senderKeys,
        and(
          eq(senderKeys.channelId, senderKeyShares.channelId),
          eq(senderKeys.senderId, senderKeyShares.senderId),
          eq(senderKeys.keyId, senderKeyShares.keyId),
        ),
      )
      .where(
        and(
          eq(senderKeyShares.channelId, channelId),
          eq(senderKeyShares.recipientId, recipientId),
          filter.senderId === undefined ? undefined : eq(senderKeyShares.senderId, filter.senderId),
          filter.keyId === undefined ? undefined : eq(senderKeyShares.keyId, filter.keyId),
        ),
      )
      .orderBy(senderKeyShares.senderId, senderKeyShares.keyId);
  }
  async retireSenderKeys(channelId: string): Promise<void> {
    await this.db.update(senderKeys).set({ epoch: 0 }).where(eq(senderKeys.channelId, channelId));
  }
  async deleteKeysAndSharesOf(userId: string): Promise<void> {
    await this.db
      .delete(senderKeyShares)
      .where(sql`${senderKeyShares.senderId} = ${userId} or ${senderKeyShares.recipientId} = ${userId}`);
    await this.db.delete(senderKeys).where(eq(senderKeys.senderId, userId));
  }

  // ---- messages ----
  async insertMessages(rows: MessageRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(messages).values(rows);
  }
  messageAt(channelId: string, seq: number): Promise<MessageRow | undefined> {
    return first(
      this.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channelId), eq(messages.seq, seq)))
        .limit(1),
    );
  }
  messagesByClientIds(senderIds: string[], clientMsgIds: string[]): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(and(inArray(messages.senderId, senderIds), inArray(messages.clientMsgId, clientMsgIds)));
  }
  messagesAfter(channelId: string, after: number, below: number, limit: number): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), gt(messages.seq, after), lt(messages.seq, below)))
      .orderBy(asc(messages.seq))
      .limit(limit);
  }
  messagesBefore(channelId: string, before: number, from: number, limit: number): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), lt(messages.seq, before), gte(messages.seq, from)))
      .orderBy(desc(messages.seq))
      .limit(limit);
  }
  async markDeleted(channelId: string, seq: number): Promise<void> {
    await this.db
      .update(messages)
      .set({ ciphertext: null, deleted: true })
      .where(and(eq(messages.channelId, channelId), eq(messages.seq, seq)));
  }
  async wipeMessagesOf(senderId: string): Promise<void> {
    await this.db
      .update(messages)
      .set({ ciphertext: null, deleted: true })
      .where(and(eq(messages.senderId, senderId), eq(messages.kind, 'msg')));
  }

  // ---- key transparency ----
  async insertKtBindings(rows: KtBindingRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insert(ktBindings).values(rows);
  }
  ktPending(limit: number): Promise<KtBindingRow[]> {
    return this.db
      .select()
      .from(ktBindings)
      .where(isNull(ktBindings.epoch))
      .orderBy(ktBindings.userId, ktBindings.version)
      .limit(limit);
  }
  ktPublished(after: number, upTo: number): Promise<KtBindingRow[]> {
    return this.db
      .select()
      .from(ktBindings)
      .where(and(gt(ktBindings.epoch, after), lte(ktBindings.epoch, upTo)))
      .orderBy(ktBindings.epoch, ktBindings.userId, ktBindings.version);
  }
  ktLatestBinding(userId: string): Promise<KtBindingRow | undefined> {
    return first(
      this.db
        .select()
        .from(ktBindings)
        .where(eq(ktBindings.userId, userId))
        .orderBy(desc(ktBindings.version))
        .limit(1),
    );
  }
  ktLatestHead(): Promise<KtHeadRow | undefined> {
    return first(this.db.select().from(ktHeads).orderBy(desc(ktHeads.epoch)).limit(1));
  }
  ktHeads(from: number, limit: number): Promise<KtHeadRow[]> {
    return this.db
      .select()
      .from(ktHeads)
      .where(gte(ktHeads.epoch, from))
      .orderBy(asc(ktHeads.epoch))
      .limit(limit);
  }
  async insertKtHead(row: KtHeadRow): Promise<void> {
    await this.db.insert(ktHeads).values(row);
  }
  async publishKtBindings(epoch: number, keys: { userId: string; version: number }[]): Promise<void> {
    if (keys.length === 0) return;
    const which = or(
      ...keys.map((k) => and(eq(ktBindings.userId, k.userId), eq(ktBindings.version, k.version))),
    );
    await this.db
      .update(ktBindings)
      .set({ epoch })
      .where(and(isNull(ktBindings.epoch), which));
  }
  async takeKtLease(holder: string, now: number, expiresAt: number): Promise<boolean> {
    await this.db.insert(ktLease).values({ id: 1, holder, expiresAt }).onConflictDoNothing();
    const result = await this.db
      .update(ktLease)
      .set({ holder, expiresAt })
      .where(and(eq(ktLease.id, 1), or(eq(ktLease.holder, holder), lt(ktLease.expiresAt, now))));
    return result.changes > 0;
  }
  usersWithoutBinding(): Promise<UserRow[]> {
    return this.db
      .select({ user: users })
      .from(users)
      .leftJoin(ktBindings, eq(ktBindings.userId, users.id))
      .where(isNull(ktBindings.userId))
      .then((rows) => rows.map((r) => r.user));
  }

  async stats(now: number): Promise<StoreStats> {
    const live: SQL | undefined = and(eq(messages.kind, 'msg'), eq(messages.deleted, false));
    const [bytes] = await this.db
      .select({ n: sql<number>`coalesce(sum(length(${messages.ciphertext})), 0)`.mapWith(Number) })
      .from(messages)
      .where(live);
    return {
      users: await this.db.$count(users),
      disabledUsers: await this.db.$count(users, eq(users.disabled, true)),
      channels: await this.db.$count(channels),
      messages: await this.db.$count(messages, live),
      ciphertextBytes: bytes?.n ?? 0,
      activeSessions: await this.db.$count(sessions, gt(sessions.expiresAt, now)),
    };
  }
}

function isSqliteUniqueViolation(err: unknown): boolean {
  return errorChain(err).some((e) => {
    if (typeof e !== 'object' || e === null) return false;
    const code = 'code' in e ? String(e.code) : '';
    const extended = 'extendedCode' in e ? String(e.extendedCode) : '';
    const unique = /SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/;
    return unique.test(code) || unique.test(extended);
  });
}

/**
 * Opens (creating if needed) the SQLite database at `path`, switches it to WAL and applies the
 * migrations. Two connections: one for writers, serialized in process, whose transactions begin
 * IMMEDIATE; one for reads, which in WAL see the last commit and never wait for a writer.
 * Foreign keys are a per-connection setting: each connection switches them on, and checks.
 */
export async function openSqliteStore(path: string, onClose?: () => void): Promise<Store> {
  mkdirSync(dirname(path), { recursive: true });
  const writer = openSqliteConnection(path, BUSY_TIMEOUT_MS);
  let reader: SqliteConnection | null = null;
  try {
    writer.exec('PRAGMA journal_mode = WAL');
    writer.exec('PRAGMA foreign_keys = ON');
    const db = drizzleOver(writer);
    migrate(db, { migrationsFolder: migrationsFolder('sqlite') });
    reader = openSqliteConnection(path, BUSY_TIMEOUT_MS);
    for (const conn of [writer, reader]) {
      conn.exec('PRAGMA foreign_keys = ON');
      const [on] = conn.prepare('PRAGMA foreign_keys').raw().get() as [number];
      if (on !== 1) {
        throw new Error('openSqliteStore: SQLite foreign keys are off');
      }
    }
    const reads = drizzleOver(reader);
    const writers = new Mutex();
    const backend: Backend = {
      dialect: 'sqlite',
      reads: new SqliteQueries(reads),
      transaction: (fn) =>
        writers.run(async () => {
          writer.exec('BEGIN IMMEDIATE');
          try {
            const result = await fn(new SqliteQueries(db));
            writer.exec('COMMIT');
            return result;
          } catch (err) {
            if (writer.inTransaction) writer.exec('ROLLBACK');
            throw err;
          }
        }),
      write: (fn) => writers.run(() => fn(new SqliteQueries(db))),
      isUniqueViolation: isSqliteUniqueViolation,
      close: async () => {
        await writers.run(async () => {
          writer.close();
          reader?.close();
        });
        onClose?.();
      },
    };
    return new DrizzleStore(backend);
  } catch (err) {
    writer.close();
    reader?.close();
    throw err;
  }
}
