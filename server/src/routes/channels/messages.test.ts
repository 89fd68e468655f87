import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSummary, ErrorBody, HistoryResponse, SharesResponse } from '../../protocol';
import { createHarness, type Harness, rand, storeSnapshot, type TestUser, uuid } from '../testing';

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let group: ChannelSummary;
beforeEach(async () => {
  h = await createHarness();
  alice = await h.register('alice');
  bob = await h.register('bob');
  carol = await h.register('carol');
  group = await h.createGroup(alice, 'team');
  await h.invite(alice, group.id, bob);
});
afterEach(async () => {
  await h.close();
});

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;

function share(by: TestUser, channelId: string, keyId: number, recipients: string[]) {
  return h.request('POST', `/api/channels/${channelId}/shares`, {
    cookie: by.cookie,
    body: { keyId, shares: recipients.map((recipientId) => ({ recipientId, sealed: rand(144) })) },
  });
}

function send(by: TestUser, channelId: string, keyId: number, clientMsgId = uuid(), ciphertext = rand(200)) {
  return h.request('POST', `/api/channels/${channelId}/messages`, {
    cookie: by.cookie,
    body: { clientMsgId, keyId, ciphertext },
  });
}

async function history(by: TestUser, channelId: string, query = '') {
  const res = await h.request('GET', `/api/channels/${channelId}/messages${query}`, { cookie: by.cookie });
  expect(res.status).toBe(200);
  return HistoryResponse.parse(await res.json());
}

describe('sender-key shares', () => {
  it('stores shares from the caller and serves each recipient only its own', async () => {
    expect((await share(alice, group.id, 1, [alice.id, bob.id])).status).toBe(204);
    const res = await h.request('GET', `/api/channels/${group.id}/shares`, { cookie: bob.cookie });
    const { shares } = SharesResponse.parse(await res.json());
    expect(shares).toHaveLength(1);
    expect(shares[0]).toMatchObject({
      channelId: group.id,
      senderId: alice.id,
      keyId: 1,
      recipientId: bob.id,
    });
  });

  it('filters by sender and key id', async () => {
    await share(alice, group.id, 1, [bob.id]);
    await share(alice, group.id, 2, [bob.id]);
    await share(bob, group.id, 7, [bob.id]);
    const get = async (q: string) =>
      SharesResponse.parse(
        await (await h.request('GET', `/api/channels/${group.id}/shares${q}`, { cookie: bob.cookie })).json(),
      ).shares;
    expect(await get('')).toHaveLength(3);
    expect(await get(`?senderId=${alice.id}`)).toHaveLength(2);
    expect((await get(`?senderId=${alice.id}&keyId=2`)).map((s) => s.keyId)).toEqual([2]);
    expect(
      (await h.request('GET', `/api/channels/${group.id}/shares?keyId=x`, { cookie: bob.cookie })).status,
    ).toBe(400);
  });

  it('refuses shares for someone who is not a member, naming them, and stores none', async () => {
    const before = await storeSnapshot(h);
    const res = await share(alice, group.id, 1, [bob.id, carol.id]);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual({ notMembers: [carol.id] });
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('cannot upload shares in another member’s name: the sender field does not exist', async () => {
    const before = await storeSnapshot(h);
    const res = await h.request('POST', `/api/channels/${group.id}/shares`, {
      cookie: bob.cookie,
      body: { senderId: alice.id, keyId: 1, shares: [{ recipientId: alice.id, sealed: rand(144) }] },
    });
    expect(res.status).toBe(400);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('answers 404 to a non-member uploading or fetching', async () => {
    expect((await share(carol, group.id, 1, [carol.id])).status).toBe(404);
    expect(
      (await h.request('GET', `/api/channels/${group.id}/shares`, { cookie: carol.cookie })).status,
    ).toBe(404);
  });

  it('refuses bad base64, a wrong sealed length and duplicate recipients', async () => {
    const bodies = [
      { keyId: 1, shares: [{ recipientId: bob.id, sealed: `${rand(143)}!` }] },
      { keyId: 1, shares: [{ recipientId: bob.id, sealed: rand(100) }] },
      { keyId: -1, shares: [{ recipientId: bob.id, sealed: rand(144) }] },
      { keyId: 1, shares: [] },
      {
        keyId: 1,
        shares: [
          { recipientId: bob.id, sealed: rand(144) },
          { recipientId: bob.id, sealed: rand(144) },
        ],
      },
    ];
    const before = await storeSnapshot(h);
    for (const body of bodies) {
      const res = await h.request('POST', `/api/channels/${group.id}/shares`, { cookie: alice.cookie, body });
      expect(res.status).toBe(400);
    }
    expect(await storeSnapshot(h)).toEqual(before);
  });
});

describe('POST /api/channels/:id/messages', () => {
  it('stores a covered send with the next seq and publishes it', async () => {
    const current = ChannelSummary.parse(
      await (await h.request('GET', `/api/channels/${group.id}`, { cookie: alice.cookie })).json(),
    );
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const res = await send(alice, group.id, 1);
    expect(res.status).toBe(201);
    const { seq, sentAt } = (await res.json()) as { seq: number; sentAt: number };
    expect(seq).toBe(current.lastSeq + 1);
    expect(sentAt).toBe(h.clock.now);
    expect(h.events.at(-1)).toMatchObject({
      type: 'message',
      message: { seq, senderId: alice.id, kind: 'msg' },
    });
  });

  it('stores a retried send once, answers it with the original seq and publishes it again', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const id = uuid();
    const ciphertext = rand(200);
    const first = await send(alice, group.id, 1, id, ciphertext);
    const published = h.events.length;
    const retry = await send(alice, group.id, 1, id, ciphertext);
    expect(retry.status).toBe(200);
    const answer = (await first.json()) as { seq: number };
    expect(await retry.json()).toEqual(answer);
    // As over the socket: the retry may be the only fan-out a message gets if the relay died
    // between its commit and its publish. Receivers keep one entry per (channel, seq).
    expect(h.events.slice(published)).toEqual([
      { type: 'message', message: expect.objectContaining({ clientMsgId: id, seq: answer.seq }) },
    ]);
    const { messages } = await history(alice, group.id);
    expect(messages.filter((m) => m.clientMsgId === id)).toHaveLength(1);
  });

  it('refuses an upper-case clientMsgId, so that no database can tell two spellings apart', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const id = uuid();
    const before = await storeSnapshot(h);
    const res = await send(alice, group.id, 1, id.toUpperCase() as typeof id);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('bad_request');
    expect(JSON.stringify(error.details)).toContain('lower-case UUID');
    expect(await storeSnapshot(h)).toEqual(before);
    expect((await send(alice, group.id, 1, id)).status).toBe(201);
  });

  it('refuses a key that lacks a member’s share with 409 missing_shares naming them', async () => {
    await share(alice, group.id, 1, [alice.id]);
    const before = await storeSnapshot(h);
    const res = await send(alice, group.id, 1);
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error.code).toBe('missing_shares');
    expect(error.details).toEqual({ missing: [bob.id] });
    expect(error.message).toContain(bob.id);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('refuses a key from before the last membership change with 409 stale_key', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    await h.request('DELETE', `/api/channels/${group.id}/members/${bob.id}`, {
      cookie: alice.cookie,
      body: { entry: await h.signEntry(alice, group.id, 'remove', bob) },
    });
    const before = await storeSnapshot(h);
    const res = await send(alice, group.id, 1);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('stale_key');
    expect(await storeSnapshot(h)).toEqual(before);
    await share(alice, group.id, 2, [alice.id]);
    expect((await send(alice, group.id, 2)).status).toBe(201);
  });

  it('answers 404 for a channel the sender is not in', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const before = await storeSnapshot(h);
    const res = await send(carol, group.id, 1);
    expect(res.status).toBe(404);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('refuses a forged sender, bad base64, a short ciphertext and wrong types, storing nothing', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const before = await storeSnapshot(h);
    const bodies: unknown[] = [
      { clientMsgId: uuid(), keyId: 1, ciphertext: rand(200), senderId: alice.id },
      { clientMsgId: uuid(), keyId: 1, ciphertext: `${rand(199)}%%` },
      { clientMsgId: uuid(), keyId: 1, ciphertext: rand(20) },
      { clientMsgId: 'not-a-uuid', keyId: 1, ciphertext: rand(200) },
      { clientMsgId: uuid(), keyId: '1', ciphertext: rand(200) },
      { clientMsgId: uuid(), keyId: 2 ** 32, ciphertext: rand(200) },
    ];
    for (const body of bodies) {
      const res = await h.request('POST', `/api/channels/${group.id}/messages`, { cookie: bob.cookie, body });
      expect(res.status).toBe(400);
    }
    const big = await send(bob, group.id, 1, uuid(), rand(70 * 1024));
    expect(big.status).toBe(400);
    expect(await storeSnapshot(h)).toEqual(before);
  });
});

describe('GET /api/channels/:id/messages', () => {
  it('pages through history in order', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    for (let i = 0; i < 5; i++) await send(alice, group.id, 1);
    const latest = await history(bob, group.id, '?limit=2');
    expect(latest.hasMore).toBe(true);
    const seqs = latest.messages.map((m) => m.seq);
    expect(seqs).toEqual([seqs[0], (seqs[0] ?? 0) + 1]);
    const older = await history(bob, group.id, `?before=${seqs[0]}&limit=2`);
    expect(older.messages.map((m) => m.seq)).toEqual([(seqs[0] ?? 0) - 2, (seqs[0] ?? 0) - 1]);
    const after = await history(bob, group.id, `?after=${older.messages[0]?.seq}&limit=50`);
    expect(after.messages.map((m) => m.seq)).toEqual(
      [...older.messages.slice(1), ...latest.messages].map((m) => m.seq),
    );
  });

  it('never serves a member anything from before they joined', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    await send(alice, group.id, 1);
    const invited = await h.invite(alice, group.id, carol);
    const { joinedSeq } = invited.members.find((m) => m.userId === carol.id) ?? {
      joinedSeq: -1,
    };
    const all = await history(carol, group.id, '?after=0');
    expect(all.messages[0]?.seq).toBe(joinedSeq);
    expect(all.messages.every((m) => m.seq >= joinedSeq)).toBe(true);
    const before = await history(carol, group.id, `?before=${joinedSeq}`);
    expect(before.messages).toEqual([]);
  });

  it('answers 404 to a non-member and 400 to bad paging', async () => {
    expect(
      (await h.request('GET', `/api/channels/${group.id}/messages`, { cookie: carol.cookie })).status,
    ).toBe(404);
    for (const q of ['?limit=0', '?limit=500', '?after=1&before=3', '?after=-1', '?since=3']) {
      expect(
        (await h.request('GET', `/api/channels/${group.id}/messages${q}`, { cookie: bob.cookie })).status,
      ).toBe(400);
    }
  });
});

describe('DELETE /api/channels/:id/messages/:seq', () => {
  it('deletes the sender’s own message, keeping a tombstone, and publishes it', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const { seq } = (await (await send(alice, group.id, 1)).json()) as { seq: number };
    const res = await h.request('DELETE', `/api/channels/${group.id}/messages/${seq}`, {
      cookie: alice.cookie,
    });
    expect(res.status).toBe(204);
    const tombstone = (await history(bob, group.id)).messages.find((m) => m.seq === seq);
    expect(tombstone).toMatchObject({ deleted: true, ciphertext: null });
    expect(h.events.at(-1)).toEqual({ type: 'deleted', channelId: group.id, seq });
  });

  it('refuses another member’s message with 403 and a stranger with 404, changing nothing', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    const { seq } = (await (await send(alice, group.id, 1)).json()) as { seq: number };
    const before = await storeSnapshot(h);
    const byBob = await h.request('DELETE', `/api/channels/${group.id}/messages/${seq}`, {
      cookie: bob.cookie,
    });
    expect(byBob.status).toBe(403);
    const byCarol = await h.request('DELETE', `/api/channels/${group.id}/messages/${seq}`, {
      cookie: carol.cookie,
    });
    expect(byCarol.status).toBe(404);
    const unknown = await h.request('DELETE', `/api/channels/${group.id}/messages/9999`, {
      cookie: alice.cookie,
    });
    expect(unknown.status).toBe(404);
    const bad = await h.request('DELETE', `/api/channels/${group.id}/messages/x`, { cookie: alice.cookie });
    expect(bad.status).toBe(400);
    expect(await storeSnapshot(h)).toEqual(before);
    const { messages } = await history(alice, group.id);
    expect(messages.find((m) => m.seq === seq)?.deleted).toBe(false);
  });
});

describe('PUT /api/channels/:id/read', () => {
  it('moves the read marker and the unread count follows', async () => {
    await share(alice, group.id, 1, [alice.id, bob.id]);
    await send(alice, group.id, 1);
    const { seq } = (await (await send(alice, group.id, 1)).json()) as { seq: number };
    const summary = async () =>
      ChannelSummary.parse(
        await (await h.request('GET', `/api/channels/${group.id}`, { cookie: bob.cookie })).json(),
      );
    expect((await summary()).unread).toBe(2);
    const res = await h.request('PUT', `/api/channels/${group.id}/read`, {
      cookie: bob.cookie,
      body: { seq },
    });
    expect(res.status).toBe(204);
    expect(await summary()).toMatchObject({ readSeq: seq, unread: 0 });
  });

  it('refuses non-members and bad bodies', async () => {
    expect(
      (await h.request('PUT', `/api/channels/${group.id}/read`, { cookie: carol.cookie, body: { seq: 1 } }))
        .status,
    ).toBe(404);
    expect(
      (await h.request('PUT', `/api/channels/${group.id}/read`, { cookie: bob.cookie, body: { seq: -1 } }))
        .status,
    ).toBe(400);
  });
});
