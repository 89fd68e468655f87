// What /ws refuses, frame by frame, against a real relay process: each bad upgrade or frame gets a
// precise answer, nothing is stored, and the relay keeps serving everyone else.
import { randomBytes, randomUUID } from 'node:crypto';
import { BROADCAST_CHANNEL_ID as B } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, type TestUser, waitForText } from '../support/users';
import { RawSocket } from './realtime-support';

describe('refusals on /ws', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let dmId: string;
  let witness = 0;

  const cookieOf = (u: TestUser) => u.fetch.jar.header() as string;
  const asMallory = async () => {
    const s = await RawSocket.open(relay.wsUrl, { cookie: cookieOf(mallory), origin: relay.origin });
    expect((await s.request({ type: 'hello', since: {} })).type).toBe('ack');
    return s;
  };
  /** Alice's message reaches Bob live: the relay still serves other users. */
  const stillServes = async () => {
    const text = `still serving ${++witness}`;
    await alice.client.send(dmId, text);
    await waitForText(bob.client, dmId, text);
  };
  const storedCount = async () =>
    (await alice.client.api.history(dmId, { after: 0, limit: 200 })).messages.length;

  beforeAll(async () => {
    relay = await startRelay({ name: 'rt-refusals', env: { WS_MAX_PAYLOAD: String(128 * 1024) } });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
    mallory = await makeUser(relay, 'mallory');
    await Promise.all([connected(alice), connected(bob)]);
    dmId = (await alice.client.openDm(bob.id)).id;
    await stillServes();
  });
  afterAll(async () => {
    for (const u of [alice, bob, mallory]) u?.client.lock();
    await relay?.dispose();
  });

  it('refuses an upgrade from a foreign Origin with 403', async () => {
    await expect(
      RawSocket.open(relay.wsUrl, { cookie: cookieOf(mallory), origin: 'https://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
    await stillServes();
  });

  it('refuses an upgrade with a bad, a missing or a logged-out cookie with 401', async () => {
    const forged = `parley_session=${randomBytes(32).toString('base64url')}`;
    await expect(RawSocket.open(relay.wsUrl, { cookie: forged, origin: relay.origin })).rejects.toMatchObject(
      {
        status: 401,
      },
    );
    await expect(RawSocket.open(relay.wsUrl, { origin: relay.origin })).rejects.toMatchObject({
      status: 401,
    });
    const other = await makeUser(relay, 'leaving');
    const oldCookie = cookieOf(other);
    await other.client.logout();
    await expect(
      RawSocket.open(relay.wsUrl, { cookie: oldCookie, origin: relay.origin }),
    ).rejects.toMatchObject({
      status: 401,
    });
    await stillServes();
  });

  it('closes a socket with 1009 when a frame exceeds the configured maxPayload', async () => {
    const s = await asMallory();
    s.ws.send(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(129 * 1024) }));
    expect((await s.closed).code).toBe(1009);
    await stillServes();
  });

  it('answers malformed frames with error frames and keeps the socket usable', async () => {
    const s = await asMallory();
    s.ws.send('this is not json');
    expect(await s.next((f) => f.type === 'error' && f.id === null)).toMatchObject({
      error: { code: 'bad_request', message: 'frame is not JSON' },
    });
    expect(await s.request({ type: 'send', channelId: B })).toMatchObject({
      type: 'error',
      error: { code: 'bad_request' },
    });
    expect(await s.request({ type: 'no-such-frame' })).toMatchObject({
      type: 'error',
      error: { code: 'bad_request' },
    });
    expect(await s.request({ type: 'fetch', channelId: B, after: 0, limit: 10_000 })).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await s.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
    s.close();
    await stillServes();
  });

  it('refuses every frame for a channel the user is not in with not_found, storing nothing', async () => {
    const before = await storedCount();
    const s = await asMallory();
    const ciphertext = randomBytes(120).toString('base64url');
    const send = { type: 'send', channelId: dmId, clientMsgId: randomUUID(), keyId: 1, ciphertext };
    for (const frame of [
      send,
      { type: 'fetch', channelId: dmId, after: 0 },
      { type: 'typing', channelId: dmId },
      { type: 'read', channelId: dmId, seq: 1 },
    ]) {
      expect(await s.request(frame)).toMatchObject({ type: 'error', error: { code: 'not_found' } });
    }
    // The hello of a socket never names channels it is not in: nothing of the DM leaks.
    await new Promise((r) => setTimeout(r, 100));
    expect(s.frames.some((f) => 'channelId' in f && f.channelId === dmId)).toBe(false);
    s.close();
    expect(await storedCount()).toBe(before);
    await stillServes();
  });

  it('refuses a send that names a sender (a forged sender cannot be expressed)', async () => {
    const s = await asMallory();
    const ciphertext = randomBytes(120).toString('base64url');
    const clientMsgId = randomUUID();
    const forged = { type: 'send', channelId: B, senderId: alice.id, clientMsgId, keyId: 1, ciphertext };
    expect(await s.request(forged)).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    const history = await alice.client.api.history(B, { after: 0, limit: 200 });
    expect(history.messages.some((m) => m.clientMsgId === clientMsgId)).toBe(false);
    s.close();
    await stillServes();
  });
});
