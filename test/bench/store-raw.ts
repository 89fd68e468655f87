// The raw-driver baselines of the store section, on the same database file or server as the Store:
// - `appendBatch` runs, in the same kind of transaction (SQLite: BEGIN IMMEDIATE; MySQL: READ
//   COMMITTED), the statements the Store's appendBatch runs per batch (server/src/db/append-batch.ts
//   and the dialects' Queries): one channel lock, one duplicate lookup, one send-facts query per
//   (channel, sender, key), one multi-row INSERT (chunks of 500), one UPDATE of last_seq. The SQL
//   text is what drizzle renders for those queries, so what is left to compare is the ORM and the
//   Store's own logic.
// - `autocommit` is the naive writer: one single-row INSERT per message, each its own implicit
//   transaction, with the seq counted in process and written back once at the end of a run.
import { pathToFileURL } from 'node:url';
import { type Client, createClient, type InValue } from '@libsql/client';
import Database from 'libsql';
import mysql from 'mysql2/promise';
import type { NewMessage } from '../../server/src/db/store';
import { type RawSql, rawSql } from './store-sql';

/** libsql's synchronous API, @libsql/client's async one, or mysql2. */
export type DriverKind = 'libsql' | 'libsql-client' | 'mysql2';

export interface RawAppender {
  appendBatch(batch: NewMessage[], now: number): Promise<void>;
  /** Starts a run of single-row autocommit inserts into `channelId`. */
  autocommit(
    channelId: string,
  ): Promise<{ insert(m: NewMessage, now: number): Promise<void>; end(): Promise<void> }>;
  close(): Promise<void>;
}

/** Rows as arrays of cells, in select order (as drizzle reads them). */
type Exec = (sql: string, args: unknown[]) => Promise<unknown[][]>;

interface Driver {
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T>;
  /** One statement alone, in autocommit. */
  once: Exec;
  close(): Promise<void>;
}

const MESSAGE_CHUNK = 500;

export async function openRawAppender(kind: DriverKind, location: string): Promise<RawAppender> {
  const driver =
    kind === 'libsql'
      ? libsqlDriver(location)
      : kind === 'libsql-client'
        ? clientDriver(location)
        : mysqlDriver(location);
  const sql = rawSql(kind === 'mysql2' ? 'mysql' : 'sqlite');
  return {
    appendBatch: (batch, now) => driver.transaction((exec) => appendBatch(exec, sql, batch, now)),
    async autocommit(channelId) {
      const [row] = await driver.once(sql.lastSeq, [channelId]);
      let seq = Number(row?.[0]);
      return {
        insert: async (m, now) => {
          seq += 1;
          await driver.once(sql.insert(1), sql.messageArgs(m, seq, now));
        },
        end: async () => {
          const [channel] = await driver.once(sql.lock, [channelId, 1]);
          await driver.once(sql.update, [Number(channel?.[sql.memberEpochColumn]), seq, channelId]);
        },
      };
    },
    close: () => driver.close(),
  };
}

/** The Store's appendBatch for the case the bench sends: no retries, every send accepted. */
async function appendBatch(exec: Exec, sql: RawSql, batch: NewMessage[], now: number): Promise<void> {
  const channels = new Map<string, { lastSeq: number; memberEpoch: number }>();
  for (const id of [...new Set(batch.map((m) => m.channelId))].sort()) {
    const [row] = await exec(sql.lock, [id, 1]);
    if (row) {
      channels.set(id, {
        lastSeq: Number(row[sql.lastSeqColumn]),
        memberEpoch: Number(row[sql.memberEpochColumn]),
      });
    }
  }
  const senders = [...new Set(batch.map((m) => m.senderId))];
  const ids = [...new Set(batch.map((m) => m.clientMsgId))];
  const originals = await exec(sql.originals(senders.length, ids.length), [...senders, ...ids]);
  if (originals.length > 0) throw new Error('raw appendBatch: the bench never retries a send');
  const checked = new Set<string>();
  const rows: unknown[][] = [];
  for (const m of batch) {
    const channel = channels.get(m.channelId);
    if (!channel) throw new Error('raw appendBatch: no channel');
    const key = `${m.channelId}\u0000${m.senderId}\u0000${m.keyId}`;
    if (!checked.has(key)) {
      const c = m.channelId;
      const [facts] = await exec(sql.facts, [
        c,
        m.senderId,
        c,
        m.senderId,
        m.keyId,
        c,
        m.senderId,
        m.keyId,
        c,
      ]);
      const [member, keyEpoch, missing] = (facts ?? []).map(Number);
      if (member !== 1 || !((keyEpoch ?? -1) >= channel.memberEpoch) || missing !== 0) {
        throw new Error('raw appendBatch: the send check failed');
      }
      checked.add(key);
    }
    channel.lastSeq += 1;
    rows.push(sql.messageArgs(m, channel.lastSeq, now));
  }
  for (let i = 0; i < rows.length; i += MESSAGE_CHUNK) {
    const chunk = rows.slice(i, i + MESSAGE_CHUNK);
    await exec(sql.insert(chunk.length), chunk.flat());
  }
  for (const [id, channel] of channels) await exec(sql.update, [channel.memberEpoch, channel.lastSeq, id]);
}

/** libsql's synchronous API with statements prepared once per text, as the Store's connection does. */
function libsqlDriver(file: string): Driver {
  const db = new Database(file, { timeout: 5_000 });
  db.exec('PRAGMA foreign_keys = ON'); // the Store turns them on for each of its connections
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  const exec: Exec = async (sql, args) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    if (!statement.reader) {
      statement.run(args);
      return [];
    }
    return statement.raw(true).all(args) as unknown[][];
  };
  return {
    async transaction(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(exec);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
    once: exec,
    close: async () => void db.close(),
  };
}

/** @libsql/client, whose "write" transactions begin IMMEDIATE (as drizzle's libsql driver uses it). */
function clientDriver(file: string): Driver {
  const client: Client = createClient({ url: pathToFileURL(file).href, timeout: 5_000 });
  const rows = (r: { rows: ArrayLike<unknown>[] }) => r.rows.map((row) => Array.from(row));
  return {
    async transaction(fn) {
      const tx = await client.transaction('write');
      try {
        const result = await fn(async (sql, args) =>
          rows(await tx.execute({ sql, args: args as InValue[] })),
        );
        await tx.commit();
        return result;
      } catch (err) {
        await tx.rollback();
        throw err;
      } finally {
        tx.close();
      }
    },
    once: async (sql, args) => rows(await client.execute({ sql, args: args as InValue[] })),
    close: async () => client.close(),
  };
}

/** mysql2's pool and text protocol, READ COMMITTED transactions: as drizzle's mysql2 driver runs them. */
function mysqlDriver(url: string): Driver {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10 });
  const rows = (result: unknown) => (Array.isArray(result) ? (result as unknown[][]) : []);
  return {
    async transaction(fn) {
      const conn = await pool.getConnection();
      try {
        await conn.query('set transaction isolation level read committed');
        await conn.query('begin');
        try {
          const result = await fn(async (sql, args) =>
            rows((await conn.query({ sql, rowsAsArray: true }, args))[0]),
          );
          await conn.query('commit');
          return result;
        } catch (err) {
          await conn.query('rollback');
          throw err;
        }
      } finally {
        conn.release();
      }
    },
    once: async (sql, args) => rows((await pool.query({ sql, rowsAsArray: true }, args))[0]),
    close: () => pool.end(),
  };
}
