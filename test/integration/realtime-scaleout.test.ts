// Scale-out (DESIGN §4 "Scale-out"): two relay processes on one MySQL database and one Redis.
// Clients on different relays talk in real time as if on one; presence and account closure cross
// relays too, and so does the per-user send rate (one token bucket in Redis). Requires MYSQL_URL and
// REDIS_URL (both mandatory under CI=true).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROADCAST_CHANNEL_ID as B, ErrorBody } from '@parley/server/protocol';
import { Api, auditKeyLog } from '@parley/web/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, type TestUser, waitFor, waitForText } from '../support/users';
import { RawSocket, redisUrlFromEnv } from './realtime-support';

const MYSQL_URL = mysqlUrlFromEnv();
const REDIS_URL = redisUrlFromEnv();

describe.skipIf(!MYSQL_URL || !REDIS_URL)('two relays on one MySQL and one Redis', () => {
  const prefix = `parley-it-${randomBytes(4).toString('hex')}:`;
  // One key-log signing key for every relay of the deployment, as the README says.
  const logKeyFile = join(mkdtempSync(join(tmpdir(), 'parley-rt-kt-')), 'kt-log-key');
  let db: { url: string; name: string };
  let one: Relay;
  let two: Relay;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = freshDatabaseUrl(MYSQL_URL as string, 'parley_rt');
    const common = { databaseUrl: db.url, redisUrl: REDIS_URL as string };
    // One after the other: the first creates the database and runs the migrations.
    one = await startRelay({
      ...common,
      name: 'rt-one',
      env: { REDIS_PREFIX: prefix, RELAY_ID: 'relay-one', KT_LOG_KEY_FILE: logKeyFile },
    });
    two = await startRelay({
      ...common,
      name: 'rt-two',
      env: { REDIS_PREFIX: prefix, RELAY_ID: 'relay-two', KT_LOG_KEY_FILE: logKeyFile },
    });
    alice = await makeUser(one, 'alice');
    bob = await makeUser(two, 'bob');
    await Promise.all([connected(alice), connected(bob)]);
  });

  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await Promise.all([one?.dispose(), two?.dispose()]);
    if (db) await dropDatabase(db.url);
    const redis = new Redis(REDIS_URL as string);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('makes one key-log chain from both relays, which clients on either verify', async () => {
    const carol = await makeUser(one, 'carol');
    const dave = await makeUser(two, 'dave');
    try {
      const api = (r: Relay) => new Api({ baseUrl: r.url, fetch: (i, init) => fetch(i, init) });
      await waitFor(async () => (await auditKeyLog(api(one))).users >= 4, 'all four accounts published');
      const fromOne = await auditKeyLog(api(one));
      const fromTwo = await auditKeyLog(api(two));
      expect(fromOne.problems).toEqual([]);
      expect(fromTwo.head).toEqual(fromOne.head);
      // A client on relay one checks a contact who registered on relay two, and the other way.
      await expect(carol.client.contacts.checkKeyLog(dave.id, { wait: true })).resolves.toBeNull();
      await expect(dave.client.contacts.checkKeyLog(carol.id, { wait: true })).resolves.toBeNull();
      expect(carol.client.keyLogAlarm).toBeNull();
      expect(dave.client.keyLogAlarm).toBeNull();
    } finally {
      carol.client.lock();
      dave.client.lock();
    }
  });

  it('carries a DM from a client on relay one to a client on relay two, and back, in real time', async () => {
    const dm = await alice.client.openDm(bob.id);
    await alice.client.send(dm.id, 'hello Bob, from relay one');
    // No REST polling: Bob learns of the DM and its message over his socket on relay two.
    await waitForText(bob.client, dm.id, 'hello Bob, from relay one');
    await bob.client.send(dm.id, 'hi Alice, from relay two');
    await waitForText(alice.client, dm.id, 'hi Alice, from relay two');
    // Both hold the same entries from Bob's join on (Alice also holds the entries before it).
    const bobs = bob.client.timeline(dm.id).map((m) => m.seq);
    expect(
      alice.client
        .timeline(dm.id)
        .map((m) => m.seq)
        .filter((s) => s >= (bobs[0] ?? 0)),
    ).toEqual(bobs);
  });

  it('carries broadcast messages both ways between the relays', async () => {
    await Promise.all([alice.client.send(B, 'broadcast from one'), bob.client.send(B, 'broadcast from two')]);
    for (const u of [alice, bob]) {
      await waitForText(u.client, B, 'broadcast from one');
      await waitForText(u.client, B, 'broadcast from two');
    }
    const tail = (u: TestUser) =>
      u.client
        .timeline(B)
        .slice(-2)
        .map((m) => m.seq);
    expect(tail(alice)).toEqual(tail(bob));
  });

  it('announces presence across relays while the user has a socket on either', async () => {
    const seen: { userId: string; online: boolean }[] = [];
    const off = alice.client.events.on('presence', (p) => seen.push(p));
    const carol = await makeUser(two, 'carol');
    try {
      // Presence is shared between people in a DM or group (not broadcast alone).
      const dm = await carol.client.openDm(alice.id);
      await waitFor(() => alice.client.channels.list().some((c) => c.id === dm.id), 'the DM on relay one');
      await connected(carol);
      await waitFor(() => seen.some((p) => p.userId === carol.id && p.online), 'carol online on relay one');
      carol.client.disconnect();
      await waitFor(() => seen.some((p) => p.userId === carol.id && !p.online), 'carol offline on relay one');
    } finally {
      off();
      carol.client.lock();
    }
  });

  it('closes the sockets of a user disabled on the other relay at once', async () => {
    const dave = await makeUser(two, 'dave');
    const cookie = dave.fetch.jar.header() as string;
    const socket = await RawSocket.open(two.wsUrl, { cookie, origin: two.origin });
    const closed = socket.closed.then((c) => c.code);
    // Alice registered first: she is the admin, and she acts through relay one.
    await alice.client.api.adminSetDisabled(dave.id, true);
    expect(await closed).toBe(4003);
    dave.client.lock();
  });

  describe('with SEND_RATE_PER_SEC=1 and SEND_BURST=4 on two more relays', () => {
    let three: Relay;
    let four: Relay;

    beforeAll(async () => {
      const common = {
        databaseUrl: db.url,
        redisUrl: REDIS_URL as string,
        env: { REDIS_PREFIX: prefix, SEND_RATE_PER_SEC: '1', SEND_BURST: '4', KT_LOG_KEY_FILE: logKeyFile },
      };
      [three, four] = await Promise.all([
        startRelay({ ...common, name: 'rt-rate-three' }),
        startRelay({ ...common, name: 'rt-rate-four' }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([three?.dispose(), four?.dispose()]);
    });

    it('draws sends on both relays from one bucket: the combined burst is refused, then refills', async () => {
      const rita = await makeUser(three, 'rita');
      try {
        // A channel of her own with a key shared to herself: every send below is otherwise valid.
        const group = await rita.client.createGroup('rate');
        const key = await rita.client.senderKeys.current(group);
        const body = () => ({
          clientMsgId: randomUUID(),
          keyId: key.keyId,
          ciphertext: randomBytes(160).toString('base64url'),
        });
        const frame = () => ({ type: 'send', channelId: group.id, ...body() });
        const headers = (r: Relay) => ({ cookie: rita.fetch.jar.header() as string, origin: r.origin });
        const [onThree, onFour] = await Promise.all([
          RawSocket.open(three.wsUrl, headers(three)),
          RawSocket.open(four.wsUrl, headers(four)),
        ]);
        try {
          for (const s of [onThree, onFour])
            expect((await s.request({ type: 'hello', since: {} })).type).toBe('ack');
          // A burst of four (the bucket refills one token a second; these take well under one).
          for (let i = 0; i < 3; i++) expect(await onThree.request(frame())).toMatchObject({ type: 'ack' });
          expect(await onFour.request(frame())).toMatchObject({ type: 'ack' });
          const refused = await onFour.request(frame());
          expect(refused).toMatchObject({ type: 'error', error: { code: 'rate_limited' } });
          // REST on either relay draws from the same empty bucket.
          const rest = await rita.fetch(`${three.url}/api/channels/${group.id}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body()),
          });
          expect(rest.status).toBe(429);
          expect(ErrorBody.parse(await rest.json()).error.code).toBe('rate_limited');
          const { messages } = await rita.client.api.history(group.id, { after: 0, limit: 50 });
          expect(messages.filter((m) => m.kind === 'msg')).toHaveLength(4);

          // After the hinted pause a token is back: sending is slowed, not blocked.
          const details = refused.type === 'error' ? refused.error.details : undefined;
          const hint = (details as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 1_000;
          expect(hint).toBeLessThanOrEqual(1_000);
          await new Promise((r) => setTimeout(r, hint + 100));
          expect(await onFour.request(frame())).toMatchObject({ type: 'ack' });
        } finally {
          onThree.close();
          onFour.close();
        }
      } finally {
        rita.client.lock();
      }
    });
  });
});
