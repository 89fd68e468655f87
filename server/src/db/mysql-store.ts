// The MySQL / MariaDB backend (mysql2 pool through drizzle), safe for several relays on one
// database: transactions run READ COMMITTED, writers lock the channel row (SELECT ... FOR UPDATE)
// so that seqs are assigned one at a time, and deadlock victims are retried. The queries are
// common-queries.ts; MysqlQueries holds only what differs: upserts, row locks, affected rows,
// greatest().
import { and, eq, lt, lte, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { drizzle, type MySql2PreparedQueryHKT, type MySql2QueryResultHKT } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { type Backend, errorChain, first } from './backend';
import { type CommonDb, CommonQueries, type QueryTables } from './common-queries';
import { DrizzleStore } from './drizzle-store';
import { migrationsFolder } from './migrations';
import { requireUtf8mb4Tables, setDatabaseDefault } from './mysql-charset';
import * as schema from './schema.mysql';
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
} from './schema.mysql';
import type { AvatarRow, ChannelRow, PinsRow, SenderKeyRow, ShareRow } from './shared';
import type { Store } from './store';

/** A pool or a transaction: both run the same queries. */
type Conn = MySqlDatabase<MySql2QueryResultHKT, MySql2PreparedQueryHKT>;

class MysqlQueries extends CommonQueries {
  constructor(private readonly conn: Conn) {
    // Typed as SQLite's builders, which MySQL's match for every common query.
    super(conn as unknown as CommonDb, schema as unknown as QueryTables);
  }

  protected greatest(a: SQLWrapper, b: SQLWrapper): SQL {
    return sql`greatest(${a}, ${b})`;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const [header] = await this.conn.delete(sessions).where(lte(sessions.expiresAt, now));
    return header.affectedRows;
  }

  // ---- avatars and pins ----
  async upsertAvatar(row: AvatarRow): Promise<void> {
    await this.conn
      .insert(avatars)
      .values(row)
      .onDuplicateKeyUpdate({ set: { mime: row.mime, data: row.data, version: row.version } });
  }
  async upsertPins(row: PinsRow): Promise<void> {
    await this.conn
      .insert(contactPins)
      .values(row)
      .onDuplicateKeyUpdate({ set: { blob: row.blob } });
  }
  async insertChannelIfAbsent(row: ChannelRow): Promise<void> {
    await this.conn
      .insert(channels)
      .values(row)
      .onDuplicateKeyUpdate({ set: { id: sql`${channels.id}` } });
  }
  lockChannel(id: string): Promise<ChannelRow | undefined> {
    return first(this.conn.select().from(channels).where(eq(channels.id, id)).limit(1).for('update'));
  }
  async raiseReadMarker(userId: string, channelId: string, seq: number): Promise<void> {
    await this.conn
      .insert(readMarkers)
      .values({ userId, channelId, seq })
      .onDuplicateKeyUpdate({ set: { seq: sql`greatest(${readMarkers.seq}, ${seq})` } });
  }
  async insertSenderKeyIfAbsent(row: SenderKeyRow): Promise<void> {
    await this.conn
      .insert(senderKeys)
      .values(row)
      .onDuplicateKeyUpdate({ set: { epoch: sql`${senderKeys.epoch}` } });
  }
  async upsertShares(rows: ShareRow[]): Promise<void> {
    await this.conn
      .insert(senderKeyShares)
      .values(rows)
      .onDuplicateKeyUpdate({ set: { sealed: sql`values(${sql.identifier('sealed')})` } });
  }
  async takeKtLease(holder: string, now: number, expiresAt: number): Promise<boolean> {
    await this.conn
      .insert(ktLease)
      .values({ id: 1, holder, expiresAt })
      .onDuplicateKeyUpdate({ set: { id: sql`${ktLease.id}` } });
    const result = await this.conn
      .update(ktLease)
      .set({ holder, expiresAt })
      .where(and(eq(ktLease.id, 1), or(eq(ktLease.holder, holder), lt(ktLease.expiresAt, now))));
    return result[0].affectedRows > 0; // changed rows: expiresAt always moves on a renewal
  }
  async takeInviteUse(id: string, now: number): Promise<boolean> {
    // The row lock of the UPDATE re-reads the committed row, so racing takes queue and recheck.
    const [header] = await this.conn
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(this.inviteUsable(id, now));
    return header.affectedRows === 1;
  }
}

/** mysql2 error numbers worth knowing. */
const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;
const TRANSACTION_ATTEMPTS = 4;

function hasErrno(err: unknown, ...errnos: number[]): boolean {
  return errorChain(err).some(
    (e) => typeof e === 'object' && e !== null && 'errno' in e && errnos.includes(Number(e.errno)),
  );
}

/** Runs `fn`, again when MySQL chose it as a deadlock victim (the transaction was rolled back). */
async function retryingDeadlocks<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= TRANSACTION_ATTEMPTS || !hasErrno(err, ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT))
        throw err;
      await new Promise((resolve) => setTimeout(resolve, attempt * 10 + Math.random() * 20));
    }
  }
}

/** Parses `mysql://user:pass@host:port/database` and checks the database name. */
function parseMysqlUrl(databaseUrl: string): { serverUrl: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(database)) {
    throw new Error('openMysqlStore: the URL must name a database (letters, digits, _ $ -)');
  }
  url.pathname = '/';
  return { serverUrl: url.href, database };
}

/**
 * Creates the database if needed and applies the migrations, holding a server-wide named lock so
 * that relays starting together migrate one at a time.
 */
async function prepareDatabase(serverUrl: string, database: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
    await conn.query(`USE \`${database}\``);
    await conn.query("SELECT GET_LOCK('parley_migrations', 60)");
    try {
      // A database made before the first start may default to latin1.
      await setDatabaseDefault(conn, database);
      await migrate(drizzle({ client: conn }), { migrationsFolder: migrationsFolder('mysql') });
      await requireUtf8mb4Tables(conn, database);
    } finally {
      await conn.query("SELECT RELEASE_LOCK('parley_migrations')");
    }
  } finally {
    await conn.end();
  }
}

/** Opens the MySQL store at `databaseUrl` (mysql://...), creating the database if it is missing. */
export async function openMysqlStore(
  databaseUrl: string,
  opts: { connectionLimit?: number } = {},
): Promise<Store> {
  const { serverUrl, database } = parseMysqlUrl(databaseUrl);
  await prepareDatabase(serverUrl, database);
  const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: opts.connectionLimit ?? 10 });
  const db = drizzle({ client: pool });
  const backend: Backend = {
    dialect: 'mysql',
    reads: new MysqlQueries(db),
    transaction: (fn) =>
      retryingDeadlocks(() =>
        db.transaction((tx) => fn(new MysqlQueries(tx)), { isolationLevel: 'read committed' }),
      ),
    write: (fn) => retryingDeadlocks(() => fn(new MysqlQueries(db))),
    isUniqueViolation: (err) => hasErrno(err, ER_DUP_ENTRY),
    newestMigration: async () => {
      const [rows] = await pool.query('SELECT MAX(created_at) AS newest FROM __drizzle_migrations');
      const newest = (rows as Array<{ newest: string | number | null }>)[0]?.newest ?? null;
      return newest === null ? null : Number(newest);
    },
    close: () => pool.end(),
  };
  return new DrizzleStore(backend);
}
