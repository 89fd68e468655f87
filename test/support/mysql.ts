// MySQL/MariaDB for integration tests: MYSQL_URL names the server (required under CI=true), each
// test gets a fresh database on it, and every table's rows can be dumped as raw bytes.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** MYSQL_URL, or undefined (the caller skips); under CI=true a missing MYSQL_URL is an error. */
export function mysqlUrlFromEnv(): string | undefined {
  const url = process.env.MYSQL_URL?.trim();
  if (url) return url;
  if (process.env.CI === 'true') throw new Error('MYSQL_URL must be set under CI=true');
  return undefined;
}

/** A URL on the same server naming a new, unused database (the relay creates it at start). */
export function freshDatabaseUrl(baseUrl: string, prefix = 'parley_it'): { url: string; name: string } {
  const u = new URL(baseUrl);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  u.pathname = `/${name}`;
  return { url: u.toString(), name };
}

function serverUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/';
  return u.toString();
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`refusing to drop ${name}`);
  const conn = await mysql.createConnection(serverUrl(url));
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Every cell of every table in the database, concatenated as bytes (strings as UTF-8, blobs raw). */
export async function dumpDatabase(url: string): Promise<{ bytes: Buffer; rows: number; tables: string[] }> {
  const conn = await mysql.createConnection(url);
  try {
    const [tableRows] = await conn.query('SHOW TABLES');
    const tables = (tableRows as Record<string, unknown>[]).map((r) => String(Object.values(r)[0]));
    const parts: Buffer[] = [];
    let rows = 0;
    for (const table of tables) {
      const [data] = await conn.query(`SELECT * FROM \`${table}\``);
      for (const row of data as Record<string, unknown>[]) {
        rows++;
        for (const cell of Object.values(row)) parts.push(cellBytes(cell), Buffer.from('\n'));
      }
    }
    return { bytes: Buffer.concat(parts), rows, tables };
  } finally {
    await conn.end();
  }
}

function cellBytes(cell: unknown): Buffer {
  if (cell === null || cell === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(cell)) return cell;
  if (cell instanceof Uint8Array) return Buffer.from(cell);
  if (cell instanceof Date) return Buffer.from(cell.toISOString());
  if (typeof cell === 'object') return Buffer.from(JSON.stringify(cell));
  return Buffer.from(String(cell));
}
