// The /ws socket against a real relay on a temp SQLite store, one behaviour per test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BROADCAST_CHANNEL_ID as BROADCAST } from '../protocol';
import {
  ackResult,
  ackSeq,
  ciphertext,
  counterValue,
  type SocketHarness,
  sendFrame,
  startSocketHarness,
  type TestUser,
} from './testing';

let h: SocketHarness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await startSocketHarness({ HEARTBEAT_MS: '300' });
  alice = await h.register();
  bob = await h.register();
  await h.share(BROADCAST, alice.id);
  await h.share(BROADCAST, bob.id);
});
afterAll(() => h.close());

async function hello(user: TestUser, since: Record<string, number> = {}) {
  const socket = await h.connect(user);
  const ack = await socket.request({ type: 'hello', since });
  expect(ack.type).toBe('ack');
  return socket;
}

describe('upgrade', () => {
  it('refuses an upgrade without a session cookie with 401 and no socket', async () => {
    await expect(h.connect(null)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a made-up session cookie with 401', async () => {
    const forged = { ...alice, cookie: `parley_session=${'A'.repeat(43)}` };
    await expect(h.connect(forged)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a foreign Origin with 403 even with a valid cookie', async () => {
    await expect(h.connect(alice, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  it('refuses an upgrade without Origin whose Sec-Fetch-Site says cross-site with 403, as REST does', async () => {
    await expect(h.connect(alice, { 'sec-fetch-site': 'cross-site' })).rejects.toMatchObject({
      status: 403,
      body: expect.stringContaining('"forbidden"'),
    });
    await expect(h.connect(alice, { 'sec-fetch-site': 'same-site' })).rejects.toMatchObject({ status: 403 });
    const same = await h.connect(alice, { 'sec-fetch-site': 'same-origin' });
    expect((await same.request({ type: 'ping' })).type).toBe('ack');
    same.close();
  });

  it('accepts the relay own origin', async () => {
    const socket = await h.connect(alice, { origin: h.url });
    expect((await socket.request({ type: 'ping' })).type).toBe('ack');
    socket.close();
  });

  it('answers another path with 404', async () => {
    const ws = new WebSocket(`${h.wsUrl}x`, { headers: { cookie: alice.cookie } });
    const status = await new Promise((resolve) =>
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(404);
  });
});

describe('frames', () => {
  it('answers a frame that is not JSON with an error whose id is null, and stays usable', async () => {
    const socket = await hello(alice);
    socket.sendRaw('{nope');
    const err = await socket.next((f) => f.type === 'error');
    expect(err).toMatchObject({ type: 'error', id: null, error: { code: 'bad_request' } });
    expect((await socket.request({ type: 'ping' })).type).toBe('ack');
    socket.close();
  });

  it('answers an invalid frame with bad_request under its own id', async () => {
    const socket = await hello(alice);
    const answer = await socket.request({ type: 'fetch', channelId: BROADCAST, after: -1 });
    expect(answer).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    socket.close();
  });

  it('answers an unknown frame type with bad_request', async () => {
    const socket = await hello(alice);
    expect(await socket.request({ type: 'explode' })).toMatchObject({
      type: 'error',
      error: { code: 'bad_request' },
    });
    socket.close();
  });

  it('refuses a send that names a sender (strict frames: the sender is always the socket user)', async () => {
    const socket = await hello(alice);
    const answer = await socket.request(sendFrame(BROADCAST, { senderId: bob.id }));
    expect(answer).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    const history = await h.relay.store.listMessages(BROADCAST, { after: 0, limit: 200, minSeq: 0 });
    expect(history.messages.some((m) => m.kind === 'msg' && m.senderId === bob.id)).toBe(false);
    socket.close();
  });

  it('closes the socket with 1009 when a frame exceeds maxPayload', async () => {
    const socket = await hello(alice);
    socket.sendRaw(JSON.stringify({ type: 'ping', id: 'x', pad: 'x'.repeat(200 * 1024) }));
    expect((await socket.closed).code).toBe(1009);
  });

  it('answers a binary frame with an error', async () => {
    const socket = await hello(alice);
    socket.ws.send(Buffer.from('{}'), { binary: true });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({
      id: null,
      error: { code: 'bad_request' },
    });
    socket.close();
  });
});

describe('send', () => {
  it('acks a send with its seq and pushes it to every connected member', async () => {
    const a = await hello(alice);
    const b = await hello(bob);
    const frame = sendFrame(BROADCAST);
    const ack = await a.request(frame);
    expect(ack).toMatchObject({
      type: 'ack',
      result: { seq: expect.any(Number), sentAt: expect.any(Number) },
    });
    const seq = ackSeq(ack);
    const pushed = await b.next((f) => f.type === 'message' && f.message.seq === seq);
    expect(pushed).toMatchObject({
      message: {
        channelId: BROADCAST,
        senderId: alice.id,
        clientMsgId: frame.clientMsgId,
        ciphertext: frame.ciphertext,
      },
    });
    a.close();
    b.close();
  });

  it('gives a retried send the original ack and stores it once', async () => {
    const a = await hello(alice);
    const frame = sendFrame(BROADCAST);
    const first = await a.request(frame);
    const again = await a.request({ ...frame, id: 'retry' });
    expect(again).toMatchObject({ type: 'ack', result: ackResult(first) });
    const { messages } = await h.relay.store.listMessages(BROADCAST, { after: 0, limit: 200, minSeq: 0 });
    expect(messages.filter((m) => m.clientMsgId === frame.clientMsgId)).toHaveLength(1);
    a.close();
  });

  it('refuses a send to a channel the user is not in with not_found', async () => {
    const carol = await h.register();
    const dm = await fetch(`${h.url}/api/channels/dm`, {
      method: 'POST',
      headers: { cookie: bob.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ peerId: carol.id }),
    });
    const { id } = (await dm.json()) as { id: string };
    const a = await hello(alice);
    expect(await a.request(sendFrame(id))).toMatchObject({ type: 'error', error: { code: 'not_found' } });
    expect(await a.request(sendFrame('no-such-channel'))).toMatchObject({ error: { code: 'not_found' } });
    expect(await a.request({ type: 'fetch', channelId: id, after: 0 })).toMatchObject({
      error: { code: 'not_found' },
    });
    a.close();
  });

  it('refuses a key without a share for every member with missing_shares naming them', async () => {
    const dave = await h.register();
    const a = await hello(alice);
    const answer = await a.request(sendFrame(BROADCAST, { keyId: 99 }));
    expect(answer).toMatchObject({ type: 'error', error: { code: 'missing_shares' } });
    const missing = (answer as { error: { details: { missing: string[] } } }).error.details.missing;
    expect(missing).toContain(dave.id);
    await h.share(BROADCAST, alice.id);
    await h.share(BROADCAST, bob.id);
    a.close();
  });
});

describe('sync and fetch', () => {
  it('sends what was missed after since in sync pages before acking hello', async () => {
    const a = await hello(alice);
    const first = await a.request(sendFrame(BROADCAST));
    const since = ackSeq(first);
    for (let i = 0; i < 3; i++) await a.request(sendFrame(BROADCAST));
    a.close();
    const b = await h.connect(bob);
    const ack = await b.request({ type: 'hello', since: { [BROADCAST]: since } });
    expect(ack.type).toBe('ack');
    const synced = b.ofType('sync').flatMap((f) => f.messages.map((m) => m.seq));
    expect(synced).toEqual([since + 1, since + 2, since + 3]);
    b.close();
  });

  it('delivers live messages once the sync is done', async () => {
    const b = await h.connect(bob);
    const lastSeq = (await h.relay.store.getChannel(BROADCAST))?.lastSeq ?? 0;
    await b.request({ type: 'hello', since: { [BROADCAST]: lastSeq - 2 } });
    const a = await hello(alice);
    const ack = await a.request(sendFrame(BROADCAST));
    const seq = ackSeq(ack);
    await b.next((f) => f.type === 'message' && f.message.seq === seq);
    const seen = [
      ...b.ofType('sync').flatMap((f) => f.messages.map((m) => m.seq)),
      ...b.ofType('message').map((f) => f.message.seq),
    ];
    expect(seen).toEqual([lastSeq - 1, lastSeq, seq]);
    a.close();
    b.close();
  });

  it('returns a page of history in the fetch ack, never before the user joined', async () => {
    const late = await h.register();
    const joined = (await h.relay.store.getMember(BROADCAST, late.id))?.joinedSeq ?? 0;
    const s = await hello(late);
    const ack = await s.request({ type: 'fetch', channelId: BROADCAST, after: 0, limit: 50 });
    const result = ackResult<{ messages: { seq: number }[]; hasMore: boolean }>(ack);
    expect(result.messages[0]?.seq).toBe(joined);
    expect(result.messages.every((m) => m.seq >= joined)).toBe(true);
    s.close();
  });

  it('tells the client it left a channel named in hello with a null channel frame', async () => {
    const s = await h.connect(alice);
    await s.request({ type: 'hello', since: { 'not-mine': 3 } });
    expect(s.ofType('channel')).toEqual([{ type: 'channel', channelId: 'not-mine', channel: null }]);
    s.close();
  });
});

describe('events', () => {
  it('pushes a new DM to both members with their channel summary and its entries', async () => {
    const erin = await h.register();
    const e = await hello(erin);
    const b = await hello(bob);
    const res = await fetch(`${h.url}/api/channels/dm`, {
      method: 'POST',
      headers: { cookie: bob.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ peerId: erin.id }),
    });
    const { id } = (await res.json()) as { id: string };
    const frame = await e.next((f) => f.type === 'channel' && f.channelId === id);
    expect(frame).toMatchObject({ channel: { id, kind: 'dm', members: expect.any(Array) } });
    await b.next((f) => f.type === 'channel' && f.channelId === id);
    // Messages in the new DM reach the peer live.
    await h.share(id, bob.id);
    const ack = await b.request(sendFrame(id));
    const seq = ackSeq(ack);
    await e.next((f) => f.type === 'message' && f.message.channelId === id && f.message.seq === seq);
    e.close();
    b.close();
  });

  it('relays typing to the other members only', async () => {
    const a = await hello(alice);
    const b = await hello(bob);
    expect((await a.request({ type: 'typing', channelId: BROADCAST })).type).toBe('ack');
    expect(await b.next((f) => f.type === 'typing')).toEqual({
      type: 'typing',
      channelId: BROADCAST,
      userId: alice.id,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(a.ofType('typing')).toHaveLength(0);
    a.close();
    b.close();
  });

  /** Opens a DM between two users (they then share presence). */
  async function dm(a: TestUser, b: TestUser): Promise<string> {
    const res = await fetch(`${h.url}/api/channels/dm`, {
      method: 'POST',
      headers: { cookie: a.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ peerId: b.id }),
    });
    return ((await res.json()) as { id: string }).id;
  }

  it('announces presence when a DM peer comes online and goes offline', async () => {
    const frank = await h.register();
    await dm(bob, frank);
    const b = await hello(bob);
    const f = await hello(frank);
    await b.next((x) => x.type === 'presence' && x.userId === frank.id && x.online);
    f.close();
    await b.next((x) => x.type === 'presence' && x.userId === frank.id && !x.online);
    b.close();
  });

  it('lists who is online among DM peers after hello', async () => {
    const gina = await h.register();
    await dm(gina, bob);
    const b = await hello(bob);
    const g = await hello(gina);
    expect(g.ofType('presence')).toContainEqual({ type: 'presence', userId: bob.id, online: true });
    g.close();
    b.close();
  });

  it('sends no presence for people who only share the broadcast channel', async () => {
    const hal = await h.register();
    const ida = await h.register();
    const jay = await h.register();
    await dm(ida, jay);
    const i = await hello(ida);
    const x = await hello(hal);
    // Presence pushes run in order: once jay's (a DM peer) arrives, hal's would have too.
    const j = await hello(jay);
    await i.next((p) => p.type === 'presence' && p.userId === jay.id && p.online);
    expect(i.ofType('presence').filter((p) => p.type === 'presence' && p.userId === hal.id)).toEqual([]);
    expect(x.ofType('presence').filter((p) => p.type === 'presence' && p.userId === ida.id)).toEqual([]);
    for (const s of [i, x, j]) s.close();
  });

  it('pushes a deletion as a deleted frame', async () => {
    await h.share(BROADCAST, alice.id);
    const a = await hello(alice);
    const b = await hello(bob);
    const ack = await a.request(sendFrame(BROADCAST));
    const seq = ackSeq(ack);
    const res = await fetch(`${h.url}/api/channels/${BROADCAST}/messages/${seq}`, {
      method: 'DELETE',
      headers: { cookie: alice.cookie },
    });
    expect(res.status).toBe(204);
    expect(await b.next((f) => f.type === 'deleted')).toEqual({ type: 'deleted', channelId: BROADCAST, seq });
    a.close();
    b.close();
  });

  it('closes the sockets of a disabled user at once with 4003', async () => {
    const admin = await h.relay.store.listUsers().then((us) => us.find((u) => u.role === 'admin'));
    const adminUser = admin?.id === alice.id ? alice : null;
    const gina = await h.register();
    const g = await hello(gina);
    if (!adminUser) throw new Error('alice should be the first user and admin');
    const res = await fetch(`${h.url}/api/admin/users/${gina.id}/disable`, {
      method: 'POST',
      headers: { cookie: adminUser.cookie },
    });
    expect(res.status).toBe(204);
    expect((await g.closed).code).toBe(4003);
    await expect(h.connect(gina)).rejects.toMatchObject({ status: 401 });
  });
});

describe('catch-up after a Redis outage', () => {
  it('pushes the newest entry of a channel whose fan-out was missed, once, when a resync arrives', async () => {
    // Keys shared to everyone registered so far by the other tests.
    await h.share(BROADCAST, alice.id);
    await h.share(BROADCAST, bob.id);
    const a = await hello(alice);
    const live = await a.request(sendFrame(BROADCAST));
    await a.next((f) => f.type === 'message' && f.message.seq === ackSeq(live));
    // Committed on "another relay" while the relays could not hear each other: no fan-out here.
    const missed = await Promise.all(
      [1, 2].map(() =>
        h.relay.store.appendMessages(
          [
            {
              channelId: BROADCAST,
              senderId: bob.id,
              keyId: 1,
              clientMsgId: randomUUID(),
              ciphertext: new Uint8Array(16),
            },
          ],
          Date.now(),
        ),
      ),
    );
    expect(missed.map(([r]) => r?.ok)).toEqual([true, true]);
    const newest = Math.max(...missed.map(([r]) => (r?.ok ? r.message.seq : -1)));
    expect(a.frames.some((f) => f.type === 'message' && f.message.seq === newest)).toBe(false);

    h.relay.events.publish({ type: 'resync' });
    // Only the newest: the client sees the gap below it and fetches it, as for any gap.
    const pushed = await a.next((f) => f.type === 'message' && f.message.seq === newest);
    expect(pushed).toMatchObject({ message: { channelId: BROADCAST, senderId: bob.id } });
    expect(a.frames.filter((f) => f.type === 'message' && f.message.seq === newest - 1)).toHaveLength(0);

    // Nothing new since: a second resync pushes nothing again.
    const before = a.frames.length;
    h.relay.events.publish({ type: 'resync' });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.frames.length).toBe(before);
    a.close();
  });
});

/** The socket's close code, or 'open' if it is still open after `ms` (well under the 60 s re-check). */
function closedWithin(socket: { closed: Promise<{ code: number }> }, ms = 3_000): Promise<number | 'open'> {
  return Promise.race([
    socket.closed.then((c) => c.code),
    new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms)),
  ]);
}

describe('ended sessions', () => {
  it('closes the socket of a session that logs out at once with 4001', async () => {
    const hank = await h.register();
    const s = await hello(hank);
    const res = await fetch(`${h.url}/api/auth/logout`, { method: 'POST', headers: { cookie: hank.cookie } });
    expect(res.status).toBe(204);
    expect(await closedWithin(s)).toBe(4001);
  });

  it('closes the sockets of the other sessions at once on a password change, and keeps its own', async () => {
    const ivy = await h.register();
    const other = { ...ivy, cookie: await h.login(ivy) };
    const mine = await hello(ivy);
    const theirs = await hello(other);
    const res = await fetch(`${h.url}/api/me/password`, {
      method: 'POST',
      headers: { cookie: ivy.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(await h.passwordChangeBody(ivy)),
    });
    expect(res.status).toBe(204);
    expect(await closedWithin(theirs)).toBe(4001);
    expect((await mine.request({ type: 'ping' })).type).toBe('ack');
    mine.close();
  });
});

describe('limits', () => {
  it('refuses sends past the per-user rate with rate_limited, on the socket and over REST', async () => {
    const limited = await startSocketHarness({ SEND_RATE_PER_SEC: '1', SEND_BURST: '3' });
    try {
      const u = await limited.register();
      await limited.share(BROADCAST, u.id);
      const s = await limited.connect(u);
      await s.request({ type: 'hello', since: {} });
      const answers = await Promise.all(Array.from({ length: 6 }, () => s.request(sendFrame(BROADCAST))));
      expect(answers.filter((a) => a.type === 'ack')).toHaveLength(3);
      expect(answers.filter((a) => a.type === 'error' && a.error.code === 'rate_limited')).toHaveLength(3);
      // The same bucket covers REST sends.
      const { clientMsgId, keyId, ciphertext: body } = sendFrame(BROADCAST);
      const res = await fetch(`${limited.url}/api/channels/${BROADCAST}/messages`, {
        method: 'POST',
        headers: { cookie: u.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ clientMsgId, keyId, ciphertext: body }),
      });
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({ error: { code: 'rate_limited' } });
      s.close();
    } finally {
      await limited.close();
    }
  });

  it('counts every frame, invalid ones too, against a per-user budget: rate_limited, then closed with 4029', async () => {
    const limited = await startSocketHarness({ WS_FRAME_RATE_PER_SEC: '1', WS_FRAME_BURST: '5' });
    try {
      const u = await limited.register();
      const s = await limited.connect(u);
      const other = await limited.connect(u);
      for (let i = 0; i < 5; i++) s.sendRaw('{nope');
      const refused = await s.request({ type: 'ping', id: 'over' });
      expect(s.ofType('error').filter((e) => e.error.code === 'bad_request')).toHaveLength(5);
      expect(refused).toMatchObject({ type: 'error', id: 'over', error: { code: 'rate_limited' } });
      const hint = (refused as { error: { details: { retryAfterMs: number } } }).error.details.retryAfterMs;
      expect(hint).toBeGreaterThan(0);
      // Another socket of the same user draws from the same budget.
      expect(await other.request({ type: 'ping' })).toMatchObject({ error: { code: 'rate_limited' } });
      for (let i = 0; i < 10; i++) s.sendRaw('{"type":"ping","id":"again"}');
      expect((await s.closed).code).toBe(4029);
      expect(await counterValue(limited.metrics.socketCloses, { code: '4029' })).toBe(1);
      expect(await counterValue(limited.metrics.refusals, { code: 'rate_limited' })).toBeGreaterThanOrEqual(
        4,
      );
      // In debt, the user cannot open another socket until the budget refills.
      await expect(limited.connect(u)).rejects.toMatchObject({ status: 429 });
      other.close();
    } finally {
      await limited.close();
    }
  });

  it('lets an honest reconnect burst through the default frame budget', async () => {
    // The relay's defaults: SEND_RATE_PER_SEC 20 and SEND_BURST 40 give a budget of 50/s, 200.
    const plain = await startSocketHarness({ SEND_RATE_PER_SEC: '20', SEND_BURST: '40' });
    try {
      const u = await plain.register();
      await plain.share(BROADCAST, u.id);
      const s = await plain.connect(u);
      await s.request({ type: 'hello', since: { [BROADCAST]: 0 } });
      const answers = await Promise.all([
        ...Array.from({ length: 40 }, () => s.request(sendFrame(BROADCAST))),
        ...Array.from({ length: 100 }, () =>
          s.request({ type: 'fetch', channelId: BROADCAST, after: 0, limit: 1 }),
        ),
        ...Array.from({ length: 20 }, () => s.request({ type: 'typing', channelId: BROADCAST })),
        s.request({ type: 'read', channelId: BROADCAST, seq: 1 }),
        s.request({ type: 'ping' }),
      ]);
      expect(answers.filter((a) => a.type !== 'ack')).toEqual([]);
      s.close();
    } finally {
      await plain.close();
    }
  });

  it('refuses a socket past the per-user cap with 429 and past the relay cap with 503', async () => {
    const capped = await startSocketHarness({ WS_MAX_SOCKETS_PER_USER: '2', WS_MAX_SOCKETS: '3' });
    try {
      const [u, v] = [await capped.register(), await capped.register()];
      const first = await capped.connect(u);
      const second = await capped.connect(u);
      await expect(capped.connect(u)).rejects.toMatchObject({
        status: 429,
        body: expect.stringContaining('rate_limited'),
      });
      const third = await capped.connect(v);
      await expect(capped.connect(v)).rejects.toMatchObject({ status: 503 });
      expect(await counterValue(capped.metrics.upgradeRefusals, { status: '429' })).toBe(1);
      expect(await counterValue(capped.metrics.upgradeRefusals, { status: '503' })).toBe(1);
      first.close();
      await first.closed;
      await new Promise((r) => setTimeout(r, 50));
      const again = await capped.connect(u);
      for (const s of [second, third, again]) s.close();
    } finally {
      await capped.close();
    }
  });

  it('terminates a socket that stops answering pings', async () => {
    const ws = new WebSocket(h.wsUrl, { headers: { cookie: alice.cookie }, autoPong: false });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    expect(await closed).toBe(1006);
  });

  it('closes a consumer that stops reading with 4008', async () => {
    const slow = await startSocketHarness({ WS_MAX_BUFFERED_BYTES: String(64 * 1024) });
    try {
      const [reader, writer] = [await slow.register(), await slow.register()];
      await slow.share(BROADCAST, writer.id);
      const r = await slow.connect(reader);
      await r.request({ type: 'hello', since: {} });
      const w = await slow.connect(writer);
      await w.request({ type: 'hello', since: {} });
      const raw = (r.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      // ~20 MB: more than the OS socket buffers can hide, so it piles up in the relay's send buffer.
      const big = { ciphertext: ciphertext(60_000) };
      for (let round = 0; round < 10; round++) {
        await Promise.all(Array.from({ length: 25 }, () => w.request(sendFrame(BROADCAST, big))));
      }
      raw.resume();
      expect((await r.closed).code).toBe(4008);
      w.close();
    } finally {
      await slow.close();
    }
  });
});

describe('slow consumers', () => {
  it('closes a consumer that stays stalled across heartbeats with 4008, seen once it reads again', async () => {
    const slow = await startSocketHarness({
      WS_MAX_BUFFERED_BYTES: String(64 * 1024),
      HEARTBEAT_MS: '1000',
      WS_CLOSE_GRACE_MS: '20000',
    });
    try {
      const [reader, writer] = [await slow.register(), await slow.register()];
      await slow.share(BROADCAST, writer.id);
      const r = await slow.connect(reader);
      await r.request({ type: 'hello', since: {} });
      const w = await slow.connect(writer);
      await w.request({ type: 'hello', since: {} });
      // A frame just before stalling: the heartbeat counts a full period from here.
      await r.request({ type: 'ping' });
      const raw = (r.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      const big = { ciphertext: ciphertext(60_000) };
      for (let round = 0; round < 10; round++) {
        await Promise.all(Array.from({ length: 25 }, () => w.request(sendFrame(BROADCAST, big))));
      }
      const deadline = Date.now() + 5_000;
      while (
        Date.now() < deadline &&
        (await counterValue(slow.metrics.socketCloses, { code: '4008' })) === 0
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Stalled through more heartbeats: no pong, no read. The close frame waits behind the backlog.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      raw.resume();
      expect((await r.closed).code).toBe(4008);
      expect(await counterValue(slow.metrics.socketCloses, { code: '1006' })).toBe(0);
      w.close();
    } finally {
      await slow.close();
    }
  });
});

describe('ids', () => {
  it('keeps request ids apart per socket', async () => {
    const a = await hello(alice);
    const same = randomUUID();
    const [x, y] = await Promise.all([
      a.request({ type: 'ping', id: `${same.slice(0, 8)}-1` }),
      a.request({ type: 'ping', id: `${same.slice(0, 8)}-2` }),
    ]);
    expect([x.id, y.id]).toEqual([`${same.slice(0, 8)}-1`, `${same.slice(0, 8)}-2`]);
    a.close();
  });
});
