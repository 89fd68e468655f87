// A MySQL database made before Parley's first start, with a latin1 default: the tables Parley
// creates must still hold any text, and a table left in another charset stops the relay at start
// with the statement that fixes it.
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { type Relay, startRelay } from '../support/relay';
import { makeUser } from '../support/users';

const baseUrl = mysqlUrlFromEnv();
const TEXT = '中文 Ω 😀';

async function createLatin1Database(url: string, name: string): Promise<void> {
  const server = new URL(url);
  server.pathname = '/';
  const conn = await mysql.createConnection(server.toString());
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
  } finally {
    await conn.end();
  }
}

describe.skipIf(!baseUrl)('MySQL charset', () => {
  const relays: Relay[] = [];
  const databases: string[] = [];
  afterAll(async () => {
    for (const r of relays) await r.dispose();
    for (const url of databases) await dropDatabase(url);
  });

  it('stores non-Latin names in a database that existed with a latin1 default', async () => {
    const { url, name } = freshDatabaseUrl(baseUrl as string, 'parley_latin1');
    databases.push(url);
    await createLatin1Database(url, name);
    const relay = await startRelay({ databaseUrl: url, name: 'charset' });
    relays.push(relay);

    const alice = await makeUser(relay, 'alice');
    const me = await alice.client.api.updateProfile({ displayName: TEXT });
    expect(me.displayName).toBe(TEXT);
    expect((await alice.client.api.me()).displayName).toBe(TEXT);
    const group = await alice.client.createGroup(TEXT);
    const listed = (await alice.client.refreshChannels()).find((c) => c.id === group.id);
    expect(listed?.name).toBe(TEXT);
  });

  it('refuses to start on a latin1 column, naming the fix', async () => {
    const { url } = freshDatabaseUrl(baseUrl as string, 'parley_latin1');
    databases.push(url);
    const first = await startRelay({ databaseUrl: url, name: 'charset' });
    relays.push(first);
    await first.stop();
    const conn = await mysql.createConnection(url);
    try {
      await conn.query(
        'ALTER TABLE `users` MODIFY `display_name` varchar(128) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL',
      );
    } finally {
      await conn.end();
    }
    await expect(first.restart()).rejects.toThrow();
    expect(first.logs()).toContain(`tables users are not utf8mb4 with collation utf8mb4_bin`);
    expect(first.logs()).toContain('docs/operations.md');
  });
});
