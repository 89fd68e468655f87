import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { RelayMetrics } from '../metrics';
import { LocalRateLimiter, RedisRateLimiter } from './rate-limit';
import { connectRedis, type Redis } from './redis';
import { RedisHealth } from './redis-health';

describe('LocalRateLimiter', () => {
  it('allows a burst, then refuses until tokens refill at the configured rate', () => {
    let now = 1_000;
    const limiter = new LocalRateLimiter({ ratePerSec: 2, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.takeSync('u'))).toEqual([true, true, true, false]);
    now += 499;
    expect(limiter.takeSync('u')).toBe(false);
    now += 1;
    expect(limiter.takeSync('u')).toBe(true);
    expect(limiter.takeSync('u')).toBe(false);
  });

  it('never accumulates more than the burst while idle', () => {
    let now = 0;
    const limiter = new LocalRateLimiter({ ratePerSec: 10, burst: 2 }, () => now);
    limiter.takeSync('u');
    now += 60_000;
    expect([1, 2, 3].map(() => limiter.takeSync('u'))).toEqual([true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limiter = new LocalRateLimiter({ ratePerSec: 1, burst: 1 }, () => 0);
    expect(limiter.takeSync('a')).toBe(true);
    expect(limiter.takeSync('a')).toBe(false);
    expect(limiter.takeSync('b')).toBe(true);
  });
});

const REDIS_URL = process.env.REDIS_URL;
if (process.env.CI === 'true' && !REDIS_URL) throw new Error('REDIS_URL is required under CI=true');

describe.skipIf(!REDIS_URL)('RedisRateLimiter', () => {
  let a: Redis;
  let b: Redis;
  const prefix = `parley-test-${process.pid}-${Date.now()}:`;
  const health = (redis: Redis) =>
    new RedisHealth({
      connections: [redis],
      timeoutMs: 500,
      logger: silentLogger(),
      metrics: new RelayMetrics(),
    });
  beforeAll(async () => {
    a = await connectRedis(REDIS_URL as string, 'rate-test-a', silentLogger());
    b = await connectRedis(REDIS_URL as string, 'rate-test-b', silentLogger());
  });
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(...keys);
    await Promise.all([a.quit(), b.quit()]);
  });

  it('shares one bucket between two relays', async () => {
    const limit = { ratePerSec: 0.01, burst: 4 };
    const relay1 = new RedisRateLimiter(a, health(a), prefix, limit);
    const relay2 = new RedisRateLimiter(b, health(b), prefix, limit);
    const taken = [];
    for (let i = 0; i < 3; i++) {
      taken.push(await relay1.take('user-1'));
      taken.push(await relay2.take('user-1'));
    }
    expect(taken.filter(Boolean)).toHaveLength(4);
    expect(taken.slice(4)).toEqual([false, false]);
    expect(await relay2.take('user-2')).toBe(true);
  });

  it('takes from a local bucket at once while Redis is down, and from the shared one when it is back', async () => {
    const h = new RedisHealth({
      connections: [a],
      timeoutMs: 500,
      logger: silentLogger(),
      metrics: new RelayMetrics(),
      probeMs: 10,
    });
    const limiter = new RedisRateLimiter(a, h, prefix, { ratePerSec: 0.01, burst: 2 });
    expect(await limiter.take('outage')).toBe(true);
    h.markDown('test');
    const start = Date.now();
    // The local bucket starts full: a fallback slows a user down, it does not lock them out.
    expect([
      await limiter.take('outage'),
      await limiter.take('outage'),
      await limiter.take('outage'),
    ]).toEqual([true, true, false]);
    expect(Date.now() - start).toBeLessThan(50);
    expect(await a.exists(`${prefix}rate:outage`)).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.up).toBe(true);
    // Back on Redis: its bucket had one token left.
    expect([await limiter.take('outage'), await limiter.take('outage')]).toEqual([true, false]);
    h.close();
  });

  it('refills the shared bucket over time', async () => {
    const limiter = new RedisRateLimiter(a, health(a), prefix, { ratePerSec: 20, burst: 1 });
    expect(await limiter.take('refill')).toBe(true);
    expect(await limiter.take('refill')).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(await limiter.take('refill')).toBe(true);
  });
});
