// RedisHealth with fake connections: when operations fall back, how fast, what is logged and
// counted, and what runs when Redis is back. (Against a real Redis: presence.test.ts and
// test/integration/redis-outage.test.ts.)
import { EventEmitter } from 'node:events';
import { ReplyError } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../metrics';
import type { Redis } from './redis';
import { RedisHealth } from './redis-health';

class FakeConnection extends EventEmitter {
  status = 'ready';
  pingOk = true;
  pings = 0;
  async ping(): Promise<string> {
    this.pings++;
    if (!this.pingOk) throw new Error('Connection is closed.');
    return 'PONG';
  }
  drop(): void {
    this.status = 'reconnecting';
    this.emit('close');
  }
  back(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

function setup(opts: { timeoutMs?: number } = {}) {
  const conns = [new FakeConnection(), new FakeConnection()];
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const metrics = new RelayMetrics();
  const health = new RedisHealth({
    connections: conns as unknown as Redis[],
    timeoutMs: opts.timeoutMs ?? 50,
    logger,
    metrics,
    probeMs: 10,
  });
  const warns = () => lines.filter((l) => l.level === 40).map((l) => l.msg);
  const infos = () => lines.filter((l) => l.level === 30).map((l) => l.msg);
  const fallbacks = async (operation: string) =>
    (await metrics.redisFallbacks.get()).values.find((v) => v.labels.operation === operation)?.value ?? 0;
  return { conns, health, warns, infos, fallbacks };
}

const never = () => new Promise<string>(() => {});
const until = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('RedisHealth', () => {
  it('runs operations on Redis while it answers', async () => {
    const { health, fallbacks } = setup();
    expect(
      await health.run(
        'send-rate',
        async () => 'redis',
        () => 'local',
      ),
    ).toBe('redis');
    expect(health.up).toBe(true);
    expect(await fallbacks('send-rate')).toBe(0);
  });

  it('falls back after one timeout, then at once without asking Redis, with one warning', async () => {
    const { health, warns, fallbacks } = setup({ timeoutMs: 50 });
    const start = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => health.run('send-rate', never, () => 'local')));
    expect(results).toEqual(['local', 'local', 'local']);
    expect(Date.now() - start).toBeLessThan(500);
    expect(health.up).toBe(false);

    let asked = 0;
    const again = Date.now();
    for (let i = 0; i < 100; i++) {
      await health.run(
        'presence',
        async () => {
          asked++;
          return 'redis';
        },
        () => 'local',
      );
    }
    expect(Date.now() - again).toBeLessThan(100);
    expect(asked).toBe(0);
    expect(await fallbacks('send-rate')).toBe(3);
    expect(await fallbacks('presence')).toBe(100);
    expect(warns().filter((m) => m.startsWith('redis unavailable'))).toHaveLength(1);
    health.close();
  });

  it('goes local at once when a connection drops, without a command timing out first', async () => {
    const { conns, health } = setup({ timeoutMs: 10_000 });
    conns[1]?.drop();
    expect(health.up).toBe(false);
    const start = Date.now();
    expect(await health.run('attempts', never, () => 'local')).toBe('local');
    expect(Date.now() - start).toBeLessThan(50);
    health.close();
  });

  it('falls back for one call only when Redis answers with an error', async () => {
    const { health, warns } = setup();
    const result = await health.run(
      'attempts',
      async () => {
        throw new ReplyError('ERR something');
      },
      () => 'local',
    );
    expect(result).toBe('local');
    expect(health.up).toBe(true);
    expect(warns()).toEqual(['redis refused an operation']);
  });

  it('comes back once every connection is ready and a PING answers, runs the hooks in order, logs once', async () => {
    const { conns, health, infos } = setup();
    const ran: string[] = [];
    health.onRestored(async () => {
      ran.push(`presence:${health.up}`);
    });
    health.onRestored(async () => {
      ran.push('bus');
    });
    for (const c of conns) c.drop();
    conns[0]?.back();
    await new Promise((r) => setTimeout(r, 50));
    // One connection is still away: no probe yet.
    expect(health.up).toBe(false);
    expect(conns[0]?.pings).toBe(0);
    conns[1]?.back();
    await until(() => health.up);
    await until(() => ran.length === 2);
    // Hooks run with operations already going to Redis.
    expect(ran).toEqual(['presence:true', 'bus']);
    expect(infos().filter((m) => m.startsWith('redis available again'))).toHaveLength(1);
    health.close();
  });

  it('stays down while the PING fails and probes again until it answers', async () => {
    const { conns, health } = setup();
    const first = conns[0] as FakeConnection;
    first.pingOk = false;
    health.markDown('test');
    await until(() => first.pings >= 3);
    expect(health.up).toBe(false);
    first.pingOk = true;
    await until(() => health.up);
    health.close();
  });

  it('marks Redis down again when a restore hook fails, and runs the hooks again on the next probe', async () => {
    const { health } = setup();
    let calls = 0;
    health.onRestored(async () => {
      calls++;
      if (calls === 1) throw new Error('Connection is closed.');
    });
    health.markDown('test');
    await until(() => calls >= 2 && health.up);
    expect(calls).toBe(2);
    health.close();
  });
});
