// Frame floods on /ws against a real relay process (issue 13, fault 4): accounts that pour out
// invalid, fetch, hello and ping frames are refused and then closed, and another user's sends are
// still acked promptly. A test, not a benchmark: the bounds are generous.
import { BROADCAST_CHANNEL_ID as B } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFast } from '../support/fast-register';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, type TestUser } from '../support/users';
import { RawSocket } from './realtime-support';

/** The frame mix of the reported flood: a quarter each of invalid, fetch, hello and ping. */
const FLOOD = [
  '{"type":"explode"',
  JSON.stringify({ type: 'fetch', id: 'f', channelId: B, after: 0, limit: 200 }),
  JSON.stringify({ type: 'hello', id: 'h', since: { [B]: 0 } }),
  JSON.stringify({ type: 'ping', id: 'p' }),
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function closedWithin(s: RawSocket, ms: number): Promise<number | 'open'> {
  return Promise.race([
    s.closed.then((c) => c.code),
    new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms)),
  ]);
}

describe('frame floods on /ws', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;
  let dmId: string;

  beforeAll(async () => {
    // Default limits: what protects a deployment that never tuned them.
    relay = await startRelay({ name: 'frame-flood' });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
    await Promise.all([connected(alice), connected(bob)]);
    dmId = (await alice.client.openDm(bob.id)).id;
    await alice.client.send(dmId, 'warm-up');
  });
  afterAll(async () => {
    for (const u of [alice, bob]) u?.client.lock();
    await relay?.dispose();
  });

  it("refuses, then closes with 4029, three flooding accounts while another user's acks stay prompt", async () => {
    const abusers = await Promise.all(
      ['mallory', 'mallet', 'trudy'].map(async (name) => {
        const u = await registerFast(relay, name);
        return RawSocket.open(relay.wsUrl, { cookie: u.cookie, origin: relay.origin });
      }),
    );
    // About 800 frames per second per account, as long as its socket is open.
    const floods = abusers.map((s) =>
      setInterval(() => {
        if (s.ws.readyState !== s.ws.OPEN) return;
        for (const frame of FLOOD) s.ws.send(frame);
      }, 5),
    );
    const latencies: number[] = [];
    try {
      for (let i = 0; i < 25; i++) {
        const started = performance.now();
        await alice.client.send(dmId, `during the flood ${i}`);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 80));
      }
      const codes = await Promise.all(abusers.map((s) => closedWithin(s, 5_000)));
      expect(codes).toEqual([4029, 4029, 4029]);
    } finally {
      for (const t of floods) clearInterval(t);
      for (const s of abusers) s.close();
    }
    for (const s of abusers) {
      const refused = s.ofType('error').find((f) => f.error.code === 'rate_limited');
      expect(refused?.error.details).toMatchObject({ retryAfterMs: expect.any(Number) });
    }
    // The report: 15 ms before the flood, 1 s median and 4 s worst during it.
    expect(median(latencies)).toBeLessThan(300);
    expect(Math.max(...latencies)).toBeLessThan(2_000);
  });

  it("refuses a flooder's new socket with 429 until its frame budget has refilled", async () => {
    const u = await registerFast(relay, 'eve');
    const s = await RawSocket.open(relay.wsUrl, { cookie: u.cookie, origin: relay.origin });
    const flood = setInterval(() => {
      if (s.ws.readyState === s.ws.OPEN) for (let i = 0; i < 20; i++) s.ws.send('not json');
    }, 5);
    try {
      expect(await closedWithin(s, 5_000)).toBe(4029);
    } finally {
      clearInterval(flood);
    }
    await expect(
      RawSocket.open(relay.wsUrl, { cookie: u.cookie, origin: relay.origin }),
    ).rejects.toMatchObject({ status: 429 });
  });
});
