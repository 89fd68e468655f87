// Zero knowledge, checked on the bytes: a canary text sent through every path (DM, private channel,
// broadcast; REST and WebSocket; after a key rotation; a deleted message) must never appear in
// the SQLite files, the MySQL tables or the relay's logs, as text or in base64/base64url/hex.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BROADCAST_CHANNEL_ID as B } from '@parley/server/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { findCanary, makeCanary } from '../support/canary';
import { dropDatabase, dumpDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, type TestUser, waitForText } from '../support/users';

/**
 * Sends the canary through every path and checks the recipients really got it. Returns the texts
 * sent and a username, a positive control that the bytes searched do hold what the relay stored.
 */
async function sendEverywhere(relay: Relay, canary: string): Promise<{ sent: string[]; control: string }> {
  const users: TestUser[] = [];
  try {
    const alice = await makeUser(relay, 'alice');
    const bob = await makeUser(relay, 'bob');
    const carol = await makeUser(relay, 'carol');
    users.push(alice, bob, carol);
    const sent: string[] = [];
    const say = async (u: TestUser, channelId: string, path: string) => {
      const text = `${canary} ${path}`;
      await u.client.send(channelId, text);
      sent.push(text);
      return text;
    };

    // REST.
    const dm = await alice.client.openDm(bob.id);
    await say(alice, dm.id, 'dm/rest');
    await say(bob, dm.id, 'dm/rest/reply');
    const group = await alice.client.createGroup('plans');
    await alice.client.invite(group.id, bob.id);
    await alice.client.invite(group.id, carol.id);
    await say(alice, group.id, 'group/rest');
    await say(alice, B, 'broadcast/rest');
    const doomed = await alice.client.send(B, `${canary} deleted`);
    await alice.client.deleteMessage(B, doomed.seq);

    // WebSocket.
    await connected(alice);
    await connected(bob);
    await say(alice, dm.id, 'dm/ws');
    await say(bob, B, 'broadcast/ws');
    await say(alice, group.id, 'group/ws');
    // After a removal: a rotated key.
    await alice.client.removeMember(group.id, carol.id);
    await say(alice, group.id, 'group/ws/rotated');
    await say(bob, group.id, 'group/ws/rotated/reply');

    // The texts really went through: the recipients decrypt them.
    await waitForText(bob.client, dm.id, `${canary} dm/ws`);
    await waitForText(alice.client, B, `${canary} broadcast/ws`);
    await waitForText(alice.client, group.id, `${canary} group/ws/rotated/reply`);
    await carol.client.loadNewer(B);
    expect(carol.client.timeline(B).some((m) => m.text === `${canary} broadcast/rest`)).toBe(true);
    return { sent, control: alice.username };
  } finally {
    for (const u of users) u.client.lock();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('canary', () => {
  it('finds a canary inside base64 and base64url blobs at every alignment (self-check)', () => {
    const canary = makeCanary();
    for (let pad = 0; pad < 3; pad++) {
      const blob = Buffer.concat([Buffer.alloc(5 + pad, 0xab), Buffer.from(canary), Buffer.alloc(7, 0xcd)]);
      expect(findCanary(Buffer.from(blob.toString('base64')), canary)).not.toEqual([]);
      expect(findCanary(Buffer.from(blob.toString('base64url')), canary)).not.toEqual([]);
      expect(findCanary(blob, canary)).toContain('utf8');
    }
    expect(findCanary(Buffer.from(makeCanary()), canary)).toEqual([]);
  });

  describe('on SQLite', () => {
    let relay: Relay | undefined;
    afterAll(async () => relay?.dispose());

    it('never appears in the database files or the logs', async () => {
      const canary = makeCanary();
      relay = await startRelay({ name: 'canary-sqlite', env: { LOG_LEVEL: 'trace' } });
      const { sent, control } = await sendEverywhere(relay, canary);
      expect(sent.length).toBeGreaterThanOrEqual(9);
      await relay.stop();
      const files = filesUnder(relay.dataDir);
      expect(files).toContain(relay.sqliteFile);
      const stored = Buffer.concat(
        files
          .filter((f) => f.startsWith(must(relay?.sqliteFile, 'the SQLite file')))
          .map((f) => readFileSync(f)),
      );
      expect(stored.includes(Buffer.from(control))).toBe(true);
      for (const file of files) {
        expect({ file, found: findCanary(readFileSync(file), canary) }).toEqual({ file, found: [] });
      }
      const logs = relay.logs();
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).toContain('"event":"send"');
      expect(findCanary(Buffer.from(logs), canary)).toEqual([]);
    });
  });

  describe('on MySQL', () => {
    const base = process.env.MYSQL_URL || process.env.CI === 'true' ? 'required' : undefined;
    let relay: Relay | undefined;
    let dbUrl: string | undefined;
    afterAll(async () => {
      await relay?.dispose();
      if (dbUrl) await dropDatabase(dbUrl);
    });

    it.runIf(base)('never appears in any table or the logs', async () => {
      const server = mysqlUrlFromEnv();
      if (!server) throw new Error('MYSQL_URL is not set');
      dbUrl = freshDatabaseUrl(server).url;
      const canary = makeCanary();
      relay = await startRelay({ name: 'canary-mysql', databaseUrl: dbUrl, env: { LOG_LEVEL: 'trace' } });
      const { control } = await sendEverywhere(relay, canary);
      await relay.stop();
      const dump = await dumpDatabase(dbUrl);
      expect(dump.tables.length).toBeGreaterThan(3);
      expect(dump.bytes.includes(Buffer.from(control))).toBe(true);
      expect(findCanary(dump.bytes, canary)).toEqual([]);
      expect(findCanary(Buffer.from(relay.logs()), canary)).toEqual([]);
      for (const file of filesUnder(relay.dataDir))
        expect(findCanary(readFileSync(file), canary)).toEqual([]);
    });
  });
});
