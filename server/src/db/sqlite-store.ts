// The embedded SQLite backend (libsql through drizzle). One process owns the file: writers are
// serialized in process and every transaction is BEGIN IMMEDIATE; readers run alongside in WAL.
// The queries are common-queries.ts; SqliteQueries holds only SQLite's upserts, lock and max().
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { and, eq, lt, lte, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { type Backend, errorChain } from './backend';
import { type CommonDb, CommonQueries } from './common-queries';
import { DrizzleStore } from './drizzle-store';
import { migrationsFolder } from './migrations';
import { Mutex } from './mutex';
import * as schema from './schema.sqlite';
import {
  avatars,
  channels,
  contactPins,
  invites,
  ktLease,
  readMarkers,
  senderKeyShares,
  senderKeys,
  sessions,
} from './schema.sqlite';
import type { AvatarRow, ChannelRow, PinsRow, SenderKeyRow, ShareRow } from './shared';
import { drizzleOver, openSqliteConnection, type SqliteConnection } from './sqlite-connection';
import type { Store } from './store';

/** How long a writer from another process may hold the database before we give up. */
const BUSY_TIMEOUT_MS = 5_000;

/** A database handle or a transaction: both run the same queries. */
type Conn = BaseSQLiteDatabase<'sync', { changes: number }>;

class SqliteQueries extends CommonQueries {
  constructor(private readonly conn: Conn) {
    super(conn as unknown as CommonDb, schema);
  }

  protected greatest(a: SQLWrapper, b: SQLWrapper): SQL {
    return sql`max(${a}, ${b})`;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const result = await this.conn.delete(sessions).where(lte(sessions.expiresAt, now));
    return result.changes;
  }

  // ---- avatars and pins ----
  async upsertAvatar(row: AvatarRow): Promise<void> {
    await this.conn
      .insert(avatars)
      .values(row)
      .onConflictDoUpdate({
        target: avatars.userId,
        set: { mime: row.mime, data: row.data, version: row.version },
      });
  }
  async upsertPins(row: PinsRow): Promise<void> {
    await this.conn
      .insert(contactPins)
      .values(row)
      .onConflictDoUpdate({ target: contactPins.userId, set: { blob: row.blob } });
  }
  async insertChannelIfAbsent(row: ChannelRow): Promise<void> {
    await this.conn.insert(channels).values(row).onConflictDoNothing();
  }
  lockChannel(id: string): Promise<ChannelRow | undefined> {
    // Transactions begin IMMEDIATE and writers are serialized: the whole database is ours.
    return this.channelById(id);
  }
  async raiseReadMarker(userId: string, channelId: string, seq: number): Promise<void> {
    await this.conn
      .insert(readMarkers)
      .values({ userId, channelId, seq })
      .onConflictDoUpdate({
        target: [readMarkers.userId, readMarkers.channelId],
        set: { seq: sql`max(${readMarkers.seq}, ${seq})` },
      });
  }
  async insertSenderKeyIfAbsent(row: SenderKeyRow): Promise<void> {
    await this.conn.insert(senderKeys).values(row).onConflictDoNothing();
  }
  async upsertShares(rows: ShareRow[]): Promise<void> {
    await this.conn
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
  async takeKtLease(holder: string, now: number, expiresAt: number): Promise<boolean> {
    await this.conn.insert(ktLease).values({ id: 1, holder, expiresAt }).onConflictDoNothing();
    const result = await this.conn
      .update(ktLease)
      .set({ holder, expiresAt })
      .where(and(eq(ktLease.id, 1), or(eq(ktLease.holder, holder), lt(ktLease.expiresAt, now))));
    return result.changes > 0;
  }
  async takeInviteUse(id: string, now: number): Promise<boolean> {
    const result = await this.conn
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(this.inviteUsable(id, now));
    return result.changes === 1;
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
      newestMigration: async () => {
        const [when] = (reader as SqliteConnection)
          .prepare('SELECT MAX(created_at) FROM __drizzle_migrations')
          .raw()
          .get() as [number | bigint | null];
        return when === null ? null : Number(when);
      },
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
