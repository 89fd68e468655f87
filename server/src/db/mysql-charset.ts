// Whether a MySQL database can hold Parley's text: every table and text column must be utf8mb4
// with the binary collation. latin1 or utf8mb3 columns refuse "中文", "Ω" or an emoji (a 500 on
// a profile or channel name), and a case-insensitive collation makes ids that differ in case equal.
import type { Connection } from 'mysql2/promise';

export const CHARSET = 'utf8mb4';
export const COLLATION = 'utf8mb4_bin';
/** drizzle's own bookkeeping table holds ASCII hashes only. */
const IGNORED_TABLES = ['__drizzle_migrations'];

/**
 * Sets the database's default to utf8mb4_bin, so that tables a migration creates without options
 * get it too. Only the default changes; existing tables are checked by `requireUtf8mb4Tables`.
 */
export async function setDatabaseDefault(conn: Connection, database: string): Promise<void> {
  const [rows] = await conn.query(
    'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  const schema = (rows as Array<{ charset: string; collation: string }>)[0];
  if (schema && schema.charset === CHARSET && schema.collation === COLLATION) return;
  await conn.query(`ALTER DATABASE \`${database}\` CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`);
}

/** Refuses, naming the tables, when a table or text column is not utf8mb4_bin. */
export async function requireUtf8mb4Tables(conn: Connection, database: string): Promise<void> {
  // Two plain selections rather than one correlated query: information_schema joins make the
  // server build temporary tables, and this runs at every start.
  const [tables] = await conn.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION <> ?",
    [database, COLLATION],
  );
  const [columns] = await conn.query(
    'SELECT TABLE_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME <> ?',
    [database, COLLATION],
  );
  const rows = [...(tables as Array<{ name: string }>), ...(columns as Array<{ name: string }>)];
  const wrong = [...new Set(rows.map((r) => r.name))].filter((name) => !IGNORED_TABLES.includes(name)).sort();
  if (wrong.length === 0) return;
  throw new Error(
    `database ${database}: tables ${wrong.join(', ')} are not ${CHARSET} with collation ${COLLATION}, so non-Latin text would be refused; back up the database and convert it as docs/operations.md "MySQL charset" says`,
  );
}
