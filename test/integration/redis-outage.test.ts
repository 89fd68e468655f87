// A Redis outage under two relays (issue 13): Redis is SIGKILLed mid-load. Each relay must fall
// back to local rate limits, presence and fan-out after at most one short timeout, so sends keep
// their normal latency, new sockets get their hello acked and logins are answered. When Redis
// comes back the relays resume cross-relay fan-out and repair what the other side missed without
// waiting for a new message. The Redis is this test's own (redis-server on a free port), so that
// killing it disturbs nobody. Requires MYSQL_URL and redis-server (both mandatory under CI=true).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireMessage } from '@parley/server/protocol';
import type { SendResult } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { canRunRedis, type OwnService, ownRedis } from '../support/own-services';
import { type Relay, startRelay } from '../support/relay';
import { connected, loginAgain, makeUser, type TestUser, waitFor, waitForText } from '../support/users';
import { RawSocket } from './realtime-support';

const MYSQL_URL = mysqlUrlFromEnv();
const HAVE_REDIS = canRunRedis();

/** Far above a normal ack (milliseconds) and far below ioredis's retries (6-20 s before the fix). */
const FAST_MS = 1_500;

const elapsed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
};

/** Every entry of the channel, paged from the start over REST. */
async function allEntries(user: TestUser, channelId: string) {
  const all: WireMessage[] = [];
  for (let after = 0; ; ) {
    const page = await user.client.api.history(channelId, { after, limit: 200 });
    all.push(...page.messages);
    after = page.messages.at(-1)?.seq ?? after;
    if (!page.hasMore || page.messages.length === 0) return all;
  }
}

const within = <T>(ms: number, what: string, work: Promise<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const countLines = (logs: string, msg: string) => logs.split('\n').filter((l) => l.includes(msg)).length;

describe.skipIf(!MYSQL_URL || !HAVE_REDIS)('a Redis outage under two relays', () => {
  const logKeyFile = join(mkdtempSync(join(tmpdir(), 'parley-outage-kt-')), 'kt-log-key');
  let redis: OwnService;
  let db: { url: string; name: string };
  let one: Relay;
  let two: Relay;
  let alice: TestUser;
  let bob: TestUser;
  let dm: string;
  /** Every acked send of the test, from either side. */
  const acked: SendResult[] = [];
  const sentDuringOutage: { fromAlice: string[]; fromBob: string[] } = { fromAlice: [], fromBob: [] };

  const send = async (user: TestUser, text: string) => {
    const { value, ms } = await elapsed(() =>
      within(10_000, `the ack of "${text}"`, user.client.send(dm, text)),
    );
    acked.push(value);
    return ms;
  };

  beforeAll(async () => {
    redis = await ownRedis();
    db = freshDatabaseUrl(MYSQL_URL as string, 'parley_outage');
    const env = { KT_LOG_KEY_FILE: logKeyFile, PRESENCE_BEAT_MS: '500' };
    one = await startRelay({
      databaseUrl: db.url,
      redisUrl: redis.url,
      name: 'outage-one',
      env: { ...env, RELAY_ID: 'outage-one' },
    });
    two = await startRelay({
      databaseUrl: db.url,
      redisUrl: redis.url,
      name: 'outage-two',
      env: { ...env, RELAY_ID: 'outage-two' },
    });
    alice = await makeUser(one, 'alice');
    bob = await makeUser(two, 'bob');
    await Promise.all([connected(alice), connected(bob)]);
    dm = (await alice.client.openDm(bob.id)).id;
    await send(alice, 'before the outage');
    await waitForText(bob.client, dm, 'before the outage');
  });

  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await Promise.all([one?.dispose(), two?.dispose()]);
    if (db) await dropDatabase(db.url);
    await redis?.dispose();
  });

  it('keeps sends on one relay acking at normal latency when Redis is killed mid-load', async () => {
    const latencies: number[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const text = `alice load ${i}`;
        latencies.push(await send(alice, text));
        if (!redis.running) sentDuringOutage.fromAlice.push(text);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor(() => latencies.length >= 5, 'sends before the kill');
    await redis.stop('SIGKILL');
    const killedAt = latencies.length;
    await new Promise((r) => setTimeout(r, 3_000));
    stop = true;
    await load;
    const duringOutage = latencies.slice(killedAt);
    expect(duringOutage.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...duringOutage)).toBeLessThan(FAST_MS);
    // Bob's relay falls back too: his sends are acked as fast.
    for (let i = 0; i < 5; i++) {
      const text = `bob during the outage ${i}`;
      expect(await send(bob, text)).toBeLessThan(FAST_MS);
      sentDuringOutage.fromBob.push(text);
    }
  });

  it('acks the hello of new sockets and answers logins quickly while Redis is down', async () => {
    for (const [relay, user] of [
      [one, alice],
      [two, bob],
    ] as const) {
      const { value: socket, ms } = await elapsed(async () => {
        const s = await RawSocket.open(relay.wsUrl, {
          cookie: user.fetch.jar.header() as string,
          origin: relay.origin,
        });
        expect(await s.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
        return s;
      });
      socket.close();
      expect(ms).toBeLessThan(FAST_MS);
      // A failed login: counted by the attempt limiter (Redis-backed), answered 401 at once.
      const login = await elapsed(() =>
        fetch(`${relay.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: relay.origin },
          body: JSON.stringify({ username: user.username, authKey: randomBytes(32).toString('base64url') }),
        }),
      );
      expect(login.value.status).toBe(401);
      expect(login.ms).toBeLessThan(FAST_MS);
    }
    // A second browser logs in and connects on relay two.
    const { value: again, ms } = await elapsed(async () => {
      const c = await loginAgain(two, alice);
      await connected(c, 5_000);
      return c;
    });
    again.client.lock();
    expect(ms).toBeLessThan(3 * FAST_MS);
  });

  it('repairs what each relay missed once Redis returns, resumes live fan-out, and stores each send once', async () => {
    await redis.start();
    // No new message is needed to reveal the gap: each relay catches its sockets up on its own.
    for (const text of sentDuringOutage.fromAlice) await waitForText(bob.client, dm, text, 15_000);
    for (const text of sentDuringOutage.fromBob) await waitForText(alice.client, dm, text, 15_000);

    // Live cross-relay fan-out is back, both ways.
    await waitFor(
      async () => {
        const text = `alice after ${randomBytes(2).toString('hex')}`;
        await send(alice, text);
        return waitForText(bob.client, dm, text, 1_000);
      },
      'live fan-out from relay one',
      { timeoutMs: 15_000 },
    );
    await send(bob, 'bob after the outage');
    await waitForText(alice.client, dm, 'bob after the outage');

    // Each acked send is stored exactly once, at the seq its ack gave.
    const stored = (await allEntries(alice, dm)).filter((m) => m.kind === 'msg');
    expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(stored.length);
    expect(stored.map((m) => [m.clientMsgId, m.seq]).sort()).toEqual(
      acked.map((a) => [a.clientMsgId, a.seq]).sort(),
    );
    // Both clients hold the same entries.
    const seqs = (u: TestUser) => u.client.timeline(dm).map((m) => m.seq);
    expect(seqs(bob)).toEqual(seqs(alice).filter((s) => s >= (seqs(bob)[0] ?? 0)));

    // One warning when Redis went away and one notice when it came back, not one per command.
    for (const relay of [one, two]) {
      const logs = relay.logs();
      expect(countLines(logs, 'redis unavailable')).toBeGreaterThanOrEqual(1);
      expect(countLines(logs, 'redis unavailable')).toBeLessThanOrEqual(3);
      expect(countLines(logs, 'redis available again')).toBeGreaterThanOrEqual(1);
    }
  });

  it('waits at most one short timeout when Redis stops answering on open connections, and converges after', async () => {
    redis.pause();
    try {
      const latencies: number[] = [];
      const texts: string[] = [];
      for (let i = 0; i < 10; i++) {
        texts.push(`alice while Redis hangs ${i}`);
        latencies.push(await send(alice, texts[i] as string));
      }
      // The first send may wait for the timeout (REDIS_TIMEOUT_MS, 500 ms); the others do not wait.
      expect(latencies[0]).toBeLessThan(FAST_MS);
      expect(Math.max(...latencies.slice(1))).toBeLessThan(FAST_MS / 3);
      const { ms } = await elapsed(async () => {
        const s = await RawSocket.open(two.wsUrl, {
          cookie: bob.fetch.jar.header() as string,
          origin: two.origin,
        });
        expect(await s.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
        s.close();
      });
      expect(ms).toBeLessThan(FAST_MS);
      redis.resume();
      const last = texts.at(-1) as string;
      await waitForText(bob.client, dm, last, 15_000);
      for (const text of texts) await waitForText(bob.client, dm, text, 1_000);
    } finally {
      redis.resume();
    }
  });
});
