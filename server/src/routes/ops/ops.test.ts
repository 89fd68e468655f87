import { afterEach, describe, expect, it } from 'vitest';
import { RelayMetrics } from '../../metrics';
import { createHarness, type Harness, rand, uuid } from '../testing';

const TOKEN = 'metrics-token-0123456789';
let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('/healthz and /readyz', () => {
  it('answers healthy and ready on a migrated store, with no session', async () => {
    h = await createHarness();
    const health = await h.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await h.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: [{ name: 'database', ok: true }] });
  });

  it('turns unready, naming the check, when a check fails or hangs', async () => {
    h = await createHarness({
      deps: {
        readinessChecks: [
          { name: 'redis', check: () => new Promise(() => {}) },
          {
            name: 'other',
            check: async () => {
              throw new Error('connect ECONNREFUSED 127.0.0.1:6390\nstack…');
            },
          },
        ],
      },
    });
    const started = Date.now();
    const res = await h.request('GET', '/readyz');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unready',
      checks: [
        { name: 'database', ok: true },
        { name: 'redis', ok: false, error: 'no answer within 1000 ms' },
        { name: 'other', ok: false, error: 'connect ECONNREFUSED 127.0.0.1:6390' },
      ],
    });
  });

  it('is unready when the database lacks the newest migration', async () => {
    h = await createHarness();
    h.store.newestMigration = async () => 1;
    const res = await h.request('GET', '/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Array<{ error?: string }> };
    expect(body.checks[0]?.error).toContain('migrations are not applied');
  });
});

describe('/metrics', () => {
  it('does not exist without METRICS_TOKEN', async () => {
    h = await createHarness();
    expect((await h.request('GET', '/metrics')).status).toBe(404);
  });

  it('needs the bearer token, then serves Prometheus text with the relay’s counters', async () => {
    const metrics = new RelayMetrics();
    h = await createHarness({ env: { METRICS_TOKEN: TOKEN }, deps: { metrics } });
    expect((await h.request('GET', '/metrics')).status).toBe(401);
    const wrong = await h.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);

    const alice = await h.register('alice');
    const group = await h.createGroup(alice, 'team');
    const send = (keyId: number) =>
      h.request('POST', `/api/channels/${group.id}/messages`, {
        cookie: alice.cookie,
        body: { clientMsgId: uuid(), keyId, ciphertext: rand(200) },
      });
    const shared = await h.request('POST', `/api/channels/${group.id}/shares`, {
      cookie: alice.cookie,
      body: { keyId: 1, shares: [{ recipientId: alice.id, sealed: rand(144) }] },
    });
    expect(shared.status).toBeLessThan(300);
    expect((await send(1)).status).toBe(201);
    expect((await send(2)).status).toBe(409); // no shares for key 2
    const res = await h.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^parley_sends_total 2$/m);
    expect(text).toMatch(/^parley_acks_total 1$/m);
    expect(text).toMatch(/^parley_refusals_total\{code="missing_shares"\} 1$/m);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toMatch(/^parley_http_responses_total\{status="401"\} 2$/m);
    expect(text).not.toContain(alice.id);
  });
});

describe('compression', () => {
  it('gzips JSON answers when the client accepts gzip', async () => {
    h = await createHarness();
    const alice = await h.register('alice');
    const group = await h.createGroup(alice, 'team');
    await h.request('POST', `/api/channels/${group.id}/shares`, {
      cookie: alice.cookie,
      body: { keyId: 1, shares: [{ recipientId: alice.id, sealed: rand(144) }] },
    });
    for (let i = 0; i < 5; i++) {
      const res = await h.request('POST', `/api/channels/${group.id}/messages`, {
        cookie: alice.cookie,
        body: { clientMsgId: uuid(), keyId: 1, ciphertext: rand(400) },
      });
      expect(res.status).toBe(201);
    }
    const history = await h.request('GET', `/api/channels/${group.id}/messages`, {
      cookie: alice.cookie,
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(history.status).toBe(200);
    expect(history.headers.get('content-encoding')).toBe('gzip');
    const plain = await h.request('GET', `/api/channels/${group.id}/messages`, { cookie: alice.cookie });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });
});
