// Backup and restore as docs/operations.md describes them, for the embedded SQLite store
// (`sqlite3 .backup` while the relay runs) and for MySQL (`mysqldump --single-transaction`):
// a fresh relay on the restored data, with the kept key-log key and server secret, lets every
// user log in and decrypt the whole history, with no key-log alarm.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { requireBinary } from '../support/own-services';
import { type Relay, startRelay } from '../support/relay';
import { connected, loginAgain, makeUser, type TestUser, texts } from '../support/users';

const mysqlBase = mysqlUrlFromEnv();
const DATA_FILES = ['kt-log-key', 'server-secret'];

interface Filled {
  users: TestUser[];
  /** Channel id -> the texts sent in it, in order. */
  history: Map<string, string[]>;
}

/** DMs and a group with messages from everyone, over REST and the socket. */
async function fill(relay: Relay): Promise<Filled> {
  const alice = await makeUser(relay, 'alice');
  const bob = await makeUser(relay, 'bob');
  const carol = await makeUser(relay, 'carol');
  const history = new Map<string, string[]>();
  const say = async (u: TestUser, channelId: string, text: string) => {
    await u.client.send(channelId, text);
    history.set(channelId, [...(history.get(channelId) ?? []), text]);
  };
  const dm = await alice.client.openDm(bob.id);
  await say(alice, dm.id, 'before the backup: hello Bob');
  await say(bob, dm.id, 'before the backup: hi Alice');
  const group = await alice.client.createGroup('plans');
  await alice.client.invite(group.id, bob.id);
  await alice.client.invite(group.id, carol.id);
  await connected(carol);
  for (let i = 0; i < 5; i++) await say(i % 2 ? carol : alice, group.id, `group message ${i} — ünïcødé 中文`);
  carol.client.disconnect();
  return { users: [alice, bob, carol], history };
}

/** Every user logs in on the restored relay and reads every channel's whole history. */
async function expectHistoryReadsBack(relay: Relay, filled: Filled): Promise<void> {
  for (const user of filled.users) {
    const reader = await loginAgain(relay, user);
    try {
      for (const [channelId, sent] of filled.history) {
        const summary = (await reader.client.refreshChannels()).find((c) => c.id === channelId);
        if (!summary) continue; // not a member (carol is not in the DM)
        let page = await reader.client.loadOlder(channelId, 50);
        while (page.hasMore) page = await reader.client.loadOlder(channelId, 50);
        expect(texts(reader.client, channelId)).toEqual(sent);
        expect(reader.client.alerts(channelId)).toEqual([]);
      }
      expect(reader.client.keyLogAlarm).toBeNull();
    } finally {
      reader.client.lock();
    }
  }
}

/** A data directory for the restored relay holding the kept key-log key and server secret. */
function restoredDataDir(from: Relay): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-restored-'));
  for (const file of DATA_FILES) copyFileSync(join(from.dataDir, file), join(dir, file));
  return dir;
}

describe('backup and restore', () => {
  const relays: Relay[] = [];
  const databases: string[] = [];
  afterAll(async () => {
    for (const r of relays) await r.dispose();
    for (const url of databases) await dropDatabase(url);
  });

  it.skipIf(!requireBinary('sqlite3', 'sqlite3'))(
    'restores an online SQLite backup into a fresh relay',
    async () => {
      const live = await startRelay({ name: 'backup-sqlite' });
      relays.push(live);
      const filled = await fill(live);
      const backup = join(live.dataDir, 'backup.db');
      execFileSync('sqlite3', [live.sqliteFile as string, `.backup '${backup}'`]);
      await live.stop();

      const dataDir = restoredDataDir(live);
      copyFileSync(backup, join(dataDir, 'parley.db'));
      const restored = await startRelay({ dataDir, name: 'restored-sqlite' });
      relays.push(restored);
      await expectHistoryReadsBack(restored, filled);
    },
    120_000,
  );

  it.skipIf(!mysqlBase || !requireBinary('mysqldump', 'mysqldump'))(
    'restores a mysqldump into a fresh database and relay',
    async () => {
      const source = freshDatabaseUrl(mysqlBase as string, 'parley_backup');
      const target = freshDatabaseUrl(mysqlBase as string, 'parley_restore');
      databases.push(source.url, target.url);
      const live = await startRelay({ databaseUrl: source.url, name: 'backup-mysql' });
      relays.push(live);
      const filled = await fill(live);
      const dump = join(live.dataDir, 'parley.sql');
      writeFileSync(
        dump,
        execFileSync('mysqldump', [
          ...mysqlArgs(source.url),
          '--single-transaction',
          '--default-character-set=utf8mb4',
          source.name,
        ]),
      );
      await live.stop();

      execFileSync('mysql', [
        ...mysqlArgs(target.url),
        '-e',
        `CREATE DATABASE \`${target.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      ]);
      execFileSync('mysql', [...mysqlArgs(target.url), '--default-character-set=utf8mb4', target.name], {
        input: readFileSync(dump),
      });
      const restored = await startRelay({
        databaseUrl: target.url,
        dataDir: restoredDataDir(live),
        name: 'restored-mysql',
      });
      relays.push(restored);
      await expectHistoryReadsBack(restored, filled);
    },
    120_000,
  );
});

/** Command-line options of the mysql tools for a mysql:// URL. */
function mysqlArgs(url: string): string[] {
  const u = new URL(url);
  return [
    '-h',
    u.hostname,
    '-P',
    u.port || '3306',
    '-u',
    decodeURIComponent(u.username || 'root'),
    ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []),
  ];
}
