// A retried send (same clientMsgId) is stored once: the retry gets the original seq. The same
// clientMsgId in another channel is a conflict, over REST and over /ws alike.
import { newClientMsgId } from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID as B, ErrorBody } from '@parley/server/protocol';
import { describe, expect, it } from 'vitest';
import { isGapFree } from '../support/assert';
import { sendBody } from '../support/send-body';
import { texts } from '../support/users';
import { RawSocket } from './realtime-support';
import { relaySuite } from './relay-suite';

describe('idempotent sends', () => {
  const t = relaySuite('idempotent', ['alice', 'bob']);

  it('stores a send retried with the same clientMsgId once, under the original seq', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const clientMsgId = newClientMsgId();
    const first = await t.alice.client.send(dm.id, 'only once', { clientMsgId });
    const retry = await t.alice.client.send(dm.id, 'only once', { clientMsgId });
    expect(retry.seq).toBe(first.seq);
    expect(retry.sentAt).toBe(first.sentAt);

    const { messages } = await t.bob.client.api.history(dm.id, { after: 0, limit: 200 });
    expect(messages.filter((m) => m.clientMsgId === clientMsgId)).toHaveLength(1);
    await t.bob.client.loadNewer(dm.id);
    expect(texts(t.bob.client, dm.id)).toEqual(['only once']);
  });

  it('answers a raw retry with the original ack (200, not 201) and the original content', async () => {
    const key = await t.alice.client.senderKeys.current(await t.alice.client.channels.get(B));
    const clientMsgId = newClientMsgId();
    const body = (text: string) => sendBody(t.alice, B, key, text, clientMsgId);
    const post = (b: unknown) =>
      t.alice.fetch(`${t.relay.url}/api/channels/${B}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
    // Make sure every member has a share first (the client does this on its first send).
    await t.alice.client.send(B, 'warm-up');
    const r1 = await post(body('first version'));
    const r2 = await post(body('second version'));
    expect(r1.status).toBe(201);
    expect(r2.status).toBe(200);
    const [a1, a2] = [await r1.json(), await r2.json()];
    expect(a2).toEqual(a1);
    await t.bob.client.loadNewer(B);
    const stored = t.bob.client.timeline(B).filter((m) => m.clientMsgId === clientMsgId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.text).toBe('first version');
  });

  it('keeps the per-channel sequence gap-free across retries', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const ids = [newClientMsgId(), newClientMsgId(), newClientMsgId()];
    const seqs: number[] = [];
    for (const id of ids) {
      seqs.push((await t.alice.client.send(dm.id, `m-${id}`, { clientMsgId: id })).seq);
      await t.alice.client.send(dm.id, `m-${id}`, { clientMsgId: id });
    }
    expect(isGapFree(seqs)).toBe(true);
  });

  it('refuses a clientMsgId already used in another channel with conflict, over REST and over /ws', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const clientMsgId = newClientMsgId();
    const original = await t.alice.client.send(dm.id, 'first use of the id', { clientMsgId });
    // A body valid for the broadcast channel in every other way (current key, shared with everyone).
    await t.alice.client.send(B, 'warm-up for the broadcast key');
    const key = await t.alice.client.senderKeys.current(await t.alice.client.channels.get(B));
    const body = sendBody(t.alice, B, key, 'second use of the id', clientMsgId);
    const historyOf = async (id: string) =>
      (await t.bob.client.api.history(id, { after: 0, limit: 200 })).messages;
    const [dmBefore, bBefore] = [await historyOf(dm.id), await historyOf(B)];

    const res = await t.alice.fetch(`${t.relay.url}/api/channels/${B}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(409);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('conflict');

    const raw = await RawSocket.open(t.relay.wsUrl, {
      cookie: t.alice.fetch.jar.header() as string,
      origin: t.relay.origin,
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
