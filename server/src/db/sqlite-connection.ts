// SQLite connections for the embedded store: libsql's synchronous, better-sqlite3-compatible API
// (a prebuilt binary from the registry, the same engine @libsql/client wraps), driven by drizzle's
// better-sqlite3 driver. Drizzle prepares a statement on every call; here each connection keeps
// its statements by SQL text and reuses them, so a hot query is compiled once per process.
import { BetterSQLiteSession } from 'drizzle-orm/better-sqlite3/session';
import { BaseSQLiteDatabase, SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import Database from 'libsql';

/** Distinct statements kept per connection; batch sizes make at most a few hundred texts. */
const MAX_STATEMENTS = 1_000;

export type SqliteConnection = InstanceType<typeof Database>;
type Statement = ReturnType<SqliteConnection['prepare']>;

/** Opens `path` with a busy timeout; every statement it prepares is cached and reused. */
export function openSqliteConnection(path: string, busyTimeoutMs: number): SqliteConnection {
  const db = new Database(path, { timeout: busyTimeoutMs });
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const statements = new Map<string, Statement>();
  const cached = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = positionalOnly(prepare(sql));
      if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
    }
    // drizzle switches a read to raw (array) rows for some calls; start each use as new.
    return statement.reader ? statement.raw(false) : statement;
  };
  db.prepare = cached as SqliteConnection['prepare'];
  return db;
}

/**
 * libsql reads a call with one object argument as named parameters, so a statement whose only
 * parameter is a blob (a Uint8Array) would be bound by name, and libsql panics. Every call here
 * passes its parameters as one positional array (`all` reads through `iterate`).
 */
function positionalOnly(statement: Statement): Statement {
  const run = statement.run.bind(statement);
  const get = statement.get.bind(statement);
  const iterate = statement.iterate.bind(statement);
  statement.run = (...params: unknown[]) => run(params);
  statement.get = (...params: unknown[]) => get(params);
  statement.iterate = (...params: unknown[]) => iterate(params);
  return statement;
}

/**
 * Drizzle over a connection, built from the better-sqlite3 driver's session (its entry point
 * imports the better-sqlite3 package itself, which libsql replaces).
 */
export function drizzleOver(conn: SqliteConnection) {
  const dialect = new SQLiteSyncDialect();
  const session = new BetterSQLiteSession(conn as never, dialect, undefined);
  return new BaseSQLiteDatabase<'sync', { changes: number }>('sync', dialect, session as never, undefined);
}
