// Redis-backed bus and presence against a real Redis (REDIS_URL; required under CI=true).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../db/store';
import { silentLogger } from '../log';
import type { RelayEvent } from './events';
import { LocalPresence, RedisPresence } from './presence';
import { connectRedis, type Redis } from './redis';
import { RedisEventBus } from './redis-bus';
import { RedisWindowLimiter } from './window-limit';

const REDIS_URL = process.env.REDIS_URL;
if (process.env.CI === 'true' && !REDIS_URL) throw new Error('REDIS_URL is required under CI=true');

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('LocalPresence', () => {
  it('reports online at the first socket and offline at the last', async () => {
    const p = new LocalPresence();
    expect(await p.connect('u')).toBe(true);
    expect(await p.connect('u')).toBe(false);
    expect(await p.disconnect('u')).toBe(false);
    expect([...(await p.onlineAmong(['u', 'v']))]).toEqual(['u']);
    expect(await p.disconnect('u')).toBe(true);
    expect((await p.onlineAmong(['u'])).size).toBe(0);
  });
});

describe.skipIf(!REDIS_URL)('on Redis', () => {
  const prefix = `parley-test-${process.pid}-${Date.now()}:`;
  let admin: Redis;
  beforeAll(async () => {
    admin = await connectRedis(REDIS_URL as string, 'test-admin', silentLogger());
  });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('counts login attempts across relays in one window, with refund and reset', async () => {
    const [a, b] = await Promise.all(
      ['win-a', 'win-b'].map((n) => connectRedis(REDIS_URL as string, n, silentLogger())),
    );
    try {
      const relayA = new RedisWindowLimiter(a as Redis, prefix, 3, 60_000, silentLogger());
      const relayB = new RedisWindowLimiter(b as Redis, prefix, 3, 60_000, silentLogger());
      expect((await relayA.hit('login:acct:zoe')).count).toBe(1);
      expect((await relayB.hit('login:acct:zoe')).count).toBe(2);
      await relayA.refund('login:acct:zoe');
      expect(await relayB.hit('login:acct:zoe')).toMatchObject({ allowed: true, count: 2 });
      expect(await relayA.hit('login:acct:zoe')).toMatchObject({ allowed: true, count: 3 });
      const blocked = await relayB.hit('login:acct:zoe');
      expect(blocked.count).toBe(4);
      expect(blocked.allowed).toBe(false);
      expect(blocked.retryAfterMs).toBeGreaterThan(50_000);
      await relayB.reset('login:acct:zoe');
      expect((await relayA.hit('login:acct:zoe')).count).toBe(1);
    } finally {
      await Promise.all([a?.quit(), b?.quit()]);
    }
  });

  it('delivers a relay own events at once and the other relays events exactly once', async () => {
    const conns = await Promise.all(
      ['a-pub', 'a-sub', 'b-pub', 'b-sub'].map((n) => connectRedis(REDIS_URL as string, n, silentLogger())),
    );
    const [aPub, aSub, bPub, bSub] = conns as [Redis, Redis, Redis, Redis];
    const opts = { prefix, logger: silentLogger() };
    const a = await RedisEventBus.start({ ...opts, pub: aPub, sub: aSub, relayId: 'a' });
    const b = await RedisEventBus.start({ ...opts, pub: bPub, sub: bSub, relayId: 'b' });
    const gotA: RelayEvent[] = [];
    const gotB: RelayEvent[] = [];
    a.subscribe((e) => gotA.push(e));
    b.subscribe((e) => gotB.push(e));
    const message: MessageRecord = {
      channelId: 'broadcast',
      seq: 1,
      kind: 'msg',
      senderId: '6f1c1f8e-6d2a-4b55-9a4f-0a8f2f7f6b11',
      keyId: 1,
      clientMsgId: 'c',
      ciphertext: new Uint8Array([9, 8, 7]),
      sentAt: 1,
      deleted: false,
      system: null,
    };
    a.publish({ type: 'message', message });
    expect(gotA).toHaveLength(1);
    b.publish({ type: 'typing', channelId: 'broadcast', userId: 'u' });
    await until(() => gotA.length === 2 && gotB.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(gotA.map((e) => e.type)).toEqual(['message', 'typing']);
    expect(gotB.map((e) => e.type)).toEqual(['typing', 'message']);
    expect(gotB[1]).toEqual({ type: 'message', message });
    await Promise.all([a.close(), b.close()]);
    await Promise.all(conns.map((c) => c.quit()));
  });

  it('counts sockets of one user across relays', async () => {
    const r1 = await connectRedis(REDIS_URL as string, 'p1', silentLogger());
    const r2 = await connectRedis(REDIS_URL as string, 'p2', silentLogger());
    const base = { prefix, beatMs: 60_000, logger: silentLogger(), onSweptOffline: () => {} };
    const p1 = await RedisPresence.start({ ...base, redis: r1, relayId: 'p1' });
    const p2 = await RedisPresence.start({ ...base, redis: r2, relayId: 'p2' });
    expect(await p1.connect('alice')).toBe(true);
    expect(await p2.connect('alice')).toBe(false);
    expect(await p1.disconnect('alice')).toBe(false);
    expect([...(await p2.onlineAmong(['alice', 'bob']))]).toEqual(['alice']);
    expect(await p2.disconnect('alice')).toBe(true);
    expect((await p1.onlineAmong(['alice'])).size).toBe(0);
    await p1.close();
    await p2.close();
    await Promise.all([r1.quit(), r2.quit()]);
  });

  it('sweeps the users of a relay that stopped beating and reports who went offline', async () => {
    const r1 = await connectRedis(REDIS_URL as string, 'd1', silentLogger());
    const r2 = await connectRedis(REDIS_URL as string, 'd2', silentLogger());
    const swept: string[] = [];
    const base = { prefix, beatMs: 50, logger: silentLogger() };
    const dying = await RedisPresence.start({
      ...base,
      redis: r1,
      relayId: 'dying',
      onSweptOffline: () => {},
    });
    await dying.connect('carol');
    await dying.connect('dave');
    // The dying relay loses Redis (as if SIGKILLed): its beats stop reaching Redis.
    await r1.quit();
    const alive = await RedisPresence.start({
      ...base,
      redis: r2,
      relayId: 'alive',
      onSweptOffline: (ids) => swept.push(...ids),
    });
    await alive.connect('dave');
    await new Promise((r) => setTimeout(r, 200));
    await alive.beat();
    expect(swept).toEqual(['carol']);
    expect([...(await alive.onlineAmong(['carol', 'dave']))]).toEqual(['dave']);
    await alive.close();
    await expect(dying.close()).rejects.toThrow();
    await r2.quit();
  });
});
