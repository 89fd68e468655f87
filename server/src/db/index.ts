// Opens the store named by DATABASE_URL: mysql://... for MySQL / MariaDB, file:... or a plain path
// for SQLite, nothing for ./data/parley.db. ':memory:' gives a throwaway SQLite file in the OS
// temp directory, removed on close (libsql's real in-memory mode allows a single connection).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openMysqlStore } from './mysql-store';
import { openSqliteStore } from './sqlite-store';
import type { Store } from './store';

export type { Store } from './store';
export { RecordNotFound, UniqueViolation } from './store';

const DEFAULT_SQLITE_PATH = './data/parley.db';

/** The SQLite file a non-MySQL database URL names. */
export function sqlitePath(databaseUrl: string): string {
  if (databaseUrl.startsWith('file://')) return fileURLToPath(databaseUrl);
  if (databaseUrl.startsWith('file:')) return resolve(databaseUrl.slice('file:'.length));
  return resolve(databaseUrl);
}

export async function openStore(databaseUrl: string | undefined): Promise<Store> {
  const url = databaseUrl?.trim() || DEFAULT_SQLITE_PATH;
  if (/^mysql:\/\//i.test(url)) return openMysqlStore(url);
  if (url === ':memory:' || url === 'file::memory:') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    return openSqliteStore(join(dir, 'parley.db'), () => rmSync(dir, { recursive: true, force: true }));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:')) {
    throw new Error('openStore: DATABASE_URL must be mysql://..., file:... or a path');
  }
  return openSqliteStore(sqlitePath(url));
}
