// /readyz follows the relay's dependencies: it turns unready within 2 s of the test's own MariaDB
// or Redis stopping, and ready again once they are back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunMariadb, canRunRedis, type OwnService, ownMariadb, ownRedis } from '../support/own-services';
import { type Relay, startRelay } from '../support/relay';

const runnable = canRunMariadb() && canRunRedis();

async function readiness(
  relay: Relay,
): Promise<{ status: number; body: { checks: Array<{ name: string; ok: boolean }> } }> {
  const res = await fetch(`${relay.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Array<{ name: string; ok: boolean }> } };
}

/** Polls /readyz until it answers `status`; returns how long that took. */
async function until(relay: Relay, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await readiness(relay)).status === status) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms`);
}

describe.skipIf(!runnable)('/readyz against its own MariaDB and Redis', () => {
  let db: OwnService;
  let redis: OwnService;
  let relay: Relay;
  beforeAll(async () => {
    db = await ownMariadb();
    redis = await ownRedis();
    relay = await startRelay({ databaseUrl: db.url, redisUrl: redis.url, name: 'readiness' });
  }, 60_000);
  afterAll(async () => {
    await relay?.dispose();
    await redis?.dispose();
    await db?.dispose();
  });

  it('is ready with both answering', async () => {
    const { status, body } = await readiness(relay);
    expect(status).toBe(200);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['redis', true],
    ]);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });

  it('turns unready within 2 s of MariaDB stopping, and ready again after it returns', async () => {
    await db.stop('SIGKILL');
    const unreadyMs = await until(relay, 503, 2000);
    console.info(`readyz: unready ${unreadyMs} ms after MariaDB was killed`);
    const { body } = await readiness(relay);
    expect(body.checks.find((c) => c.name === 'database')?.ok).toBe(false);
    expect(body.checks.find((c) => c.name === 'redis')?.ok).toBe(true);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    await db.start();
    console.info(`readyz: ready again ${await until(relay, 200, 15_000)} ms after MariaDB answered`);
  }, 30_000);

  it('turns unready within 2 s of Redis stopping, and ready again after it returns', async () => {
    await redis.stop('SIGKILL');
    const unreadyMs = await until(relay, 503, 2000);
    console.info(`readyz: unready ${unreadyMs} ms after Redis was killed`);
    const { body } = await readiness(relay);
    expect(body.checks.find((c) => c.name === 'redis')?.ok).toBe(false);
    await redis.start();
    console.info(`readyz: ready again ${await until(relay, 200, 15_000)} ms after Redis answered`);
  }, 30_000);

  it('turns unready within 2 s when Redis hangs on an open connection (SIGSTOP), and ready after', async () => {
    redis.pause();
    try {
      console.info(`readyz: unready ${await until(relay, 503, 2000)} ms after Redis was paused`);
    } finally {
      redis.resume();
    }
    console.info(`readyz: ready again ${await until(relay, 200, 15_000)} ms after Redis resumed`);
  }, 30_000);
});
