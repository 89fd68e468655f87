// A retried send (same clientMsgId) is stored once: the retry gets the original seq. The same
// clientMsgId in another channel is a conflict, over REST and over /ws alike.
import { encryptMessage, newClientMsgId, toBase64 } from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID as B, ErrorBody } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGapFree } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { makeUser, type TestUser, texts } from '../support/users';
import { RawSocket } from './realtime-support';

describe('idempotent sends', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    relay = await startRelay({ name: 'idempotent' });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
  });
  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await relay?.dispose();
  });

  it('stores a send retried with the same clientMsgId once, under the original seq', async () => {
    const dm = await alice.client.openDm(bob.id);
    const clientMsgId = newClientMsgId();
    const first = await alice.client.send(dm.id, 'only once', { clientMsgId });
    const retry = await alice.client.send(dm.id, 'only once', { clientMsgId });
    expect(retry.seq).toBe(first.seq);
    expect(retry.sentAt).toBe(first.sentAt);

    const { messages } = await bob.client.api.history(dm.id, { after: 0, limit: 200 });
    expect(messages.filter((m) => m.clientMsgId === clientMsgId)).toHaveLength(1);
    await bob.client.loadNewer(dm.id);
    expect(texts(bob.client, dm.id)).toEqual(['only once']);
  });

  it('answers a raw retry with the original ack (200, not 201) and the original content', async () => {
    const key = await alice.client.senderKeys.current(await alice.client.channels.get(B));
    const clientMsgId = newClientMsgId();
    const body = (text: string) => ({
      clientMsgId,
      keyId: key.keyId,
      ciphertext: toBase64(
        encryptMessage({
          channelId: B,
          senderId: alice.id,
          keyId: key.keyId,
          clientMsgId,
          senderKey: key.key,
          senderSignSk: alice.client.session.identity.signSk,
          payload: { v: 1, kind: 'text', sentAt: Date.now(), text },
        }),
      ),
    });
    const post = (b: unknown) =>
      alice.fetch(`${relay.url}/api/channels/${B}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
    // Make sure every member has a share first (the client does this on its first send).
    await alice.client.send(B, 'warm-up');
    const r1 = await post(body('first version'));
    const r2 = await post(body('second version'));
    expect(r1.status).toBe(201);
    expect(r2.status).toBe(200);
    const [a1, a2] = [await r1.json(), await r2.json()];
    expect(a2).toEqual(a1);
    await bob.client.loadNewer(B);
    const stored = bob.client.timeline(B).filter((m) => m.clientMsgId === clientMsgId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.text).toBe('first version');
  });

  it('keeps the per-channel sequence gap-free across retries', async () => {
    const dm = await alice.client.openDm(bob.id);
    const ids = [newClientMsgId(), newClientMsgId(), newClientMsgId()];
    const seqs: number[] = [];
    for (const id of ids) {
      seqs.push((await alice.client.send(dm.id, `m-${id}`, { clientMsgId: id })).seq);
      await alice.client.send(dm.id, `m-${id}`, { clientMsgId: id });
    }
    expect(isGapFree(seqs)).toBe(true);
  });

  it('refuses a clientMsgId already used in another channel with conflict, over REST and over /ws', async () => {
    const dm = await alice.client.openDm(bob.id);
    const clientMsgId = newClientMsgId();
    const original = await alice.client.send(dm.id, 'first use of the id', { clientMsgId });
    // A body valid for the broadcast channel in every other way (current key, shared with everyone).
    await alice.client.send(B, 'warm-up for the broadcast key');
    const key = await alice.client.senderKeys.current(await alice.client.channels.get(B));
    const ciphertext = toBase64(
      encryptMessage({
        channelId: B,
        senderId: alice.id,
        keyId: key.keyId,
        clientMsgId,
        senderKey: key.key,
        senderSignSk: alice.client.session.identity.signSk,
        payload: { v: 1, kind: 'text', sentAt: Date.now(), text: 'second use of the id' },
      }),
    );
    const body = { clientMsgId, keyId: key.keyId, ciphertext };
    const historyOf = async (id: string) =>
      (await bob.client.api.history(id, { after: 0, limit: 200 })).messages;
    const [dmBefore, bBefore] = [await historyOf(dm.id), await historyOf(B)];

    const res = await alice.fetch(`${relay.url}/api/channels/${B}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(409);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('conflict');

    const raw = await RawSocket.open(relay.wsUrl, {
      cookie: alice.fetch.jar.header() as string,
      origin: relay.origin,
    });
    try {
      expect(await raw.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
      // Not the DM message's ack (its seq): an error frame.
      expect(await raw.request({ type: 'send', channelId: B, ...body })).toMatchObject({
        type: 'error',
        error: { code: 'conflict' },
      });
    } finally {
      raw.close();
    }

    expect(await historyOf(B)).toEqual(bBefore);
    expect(await historyOf(dm.id)).toEqual(dmBefore);
    expect(dmBefore.filter((m) => m.clientMsgId === clientMsgId).map((m) => m.seq)).toEqual([original.seq]);
  });
});
