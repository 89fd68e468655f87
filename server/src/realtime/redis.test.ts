// Redis-backed bus and presence against a real Redis (REDIS_URL; required under CI=true).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../db/store';
import { silentLogger } from '../log';
import { RelayMetrics } from '../metrics';
import type { RelayEvent } from './events';
import { LocalPresence, RedisPresence } from './presence';
import { connectRedis, type Redis } from './redis';
import { RedisEventBus } from './redis-bus';
import { RedisHealth } from './redis-health';
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

const healthOf = (...connections: Redis[]) =>
  new RedisHealth({
    connections,
    timeoutMs: 500,
    logger: silentLogger(),
    metrics: new RelayMetrics(),
    probeMs: 10,
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
      const relayA = new RedisWindowLimiter(a as Redis, healthOf(a as Redis), prefix, 3, 60_000);
      const relayB = new RedisWindowLimiter(b as Redis, healthOf(b as Redis), prefix, 3, 60_000);
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
    const a = await RedisEventBus.start({
      ...opts,
      pub: aPub,
      sub: aSub,
      health: healthOf(aPub, aSub),
      relayId: 'a',
    });
    const b = await RedisEventBus.start({
      ...opts,
      pub: bPub,
      sub: bSub,
      health: healthOf(bPub, bSub),
      relayId: 'b',
    });
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
    const base = { prefix, beatMs: 60_000, logger: silentLogger(), announce: () => {} };
    const p1 = await RedisPresence.start({ ...base, redis: r1, health: healthOf(r1), relayId: 'p1' });
    const p2 = await RedisPresence.start({ ...base, redis: r2, health: healthOf(r2), relayId: 'p2' });
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
    const dyingHealth = healthOf(r1);
    const dying = await RedisPresence.start({
      ...base,
      redis: r1,
      health: dyingHealth,
      relayId: 'dying',
      announce: () => {},
    });
    await dying.connect('carol');
    await dying.connect('dave');
    // The dying relay loses Redis (as if SIGKILLed): its beats stop reaching Redis.
    await r1.quit();
    const alive = await RedisPresence.start({
      ...base,
      redis: r2,
      health: healthOf(r2),
      relayId: 'alive',
      announce: (id, online) => {
        if (!online) swept.push(id);
      },
    });
    await alive.connect('dave');
    await new Promise((r) => setTimeout(r, 200));
    await alive.beat();
    expect(swept).toEqual(['carol']);
    expect([...(await alive.onlineAmong(['carol', 'dave']))]).toEqual(['dave']);
    await alive.close();
    // Without Redis, the dying relay's own count answers: its users go offline as far as it knows.
    expect((await dying.close()).sort()).toEqual(['carol', 'dave']);
    dyingHealth.close();
    await r2.quit();
  });

  it('answers presence from its own sockets while Redis is down, then re-registers and announces the changes', async () => {
    const [r1, r2] = await Promise.all(
      ['o1', 'o2'].map((n) => connectRedis(REDIS_URL as string, n, silentLogger())),
    );
    const h1 = healthOf(r1 as Redis);
    const announced: [string, boolean][] = [];
    const base = { prefix, beatMs: 60_000, logger: silentLogger() };
    const one = await RedisPresence.start({
      ...base,
      redis: r1 as Redis,
      health: h1,
      relayId: 'o1',
      announce: (id, online) => announced.push([id, online]),
    });
    const two = await RedisPresence.start({
      ...base,
      redis: r2 as Redis,
      health: healthOf(r2 as Redis),
      relayId: 'o2',
      announce: () => {},
    });
    expect(await one.connect('erin')).toBe(true);
    expect(await one.connect('frank')).toBe(true);
    expect(await two.connect('frank')).toBe(false);
    h1.onRestored(() => one.reregister());

    h1.markDown('test');
    // Local answers, at once: grace comes online here, erin leaves, frank counts locally only.
    expect(await one.connect('grace')).toBe(true);
    expect(await one.disconnect('erin')).toBe(true);
    expect(await one.disconnect('frank')).toBe(true);
    expect([...(await one.onlineAmong(['erin', 'frank', 'grace']))]).toEqual(['grace']);
    // The other relay still sees the old counts in Redis.
    expect([...(await two.onlineAmong(['erin', 'grace']))].sort()).toEqual(['erin']);

    await new Promise((r) => setTimeout(r, 100));
    expect(h1.up).toBe(true);
    // Redis holds this relay's counts of now, and the changed users are announced as Redis sees them.
    expect([...(await two.onlineAmong(['erin', 'frank', 'grace']))].sort()).toEqual(['frank', 'grace']);
    expect(announced.sort()).toEqual([
      ['erin', false],
      ['frank', true],
      ['grace', true],
    ]);
    await one.close();
    await two.close();
    h1.close();
    await Promise.all([r1?.quit(), r2?.quit()]);
  });
});
