// Bad input against the real relay process, by raw fetch with a real session: each attempt gets a
// precise 4xx and changes nothing (nothing stored, nobody else's data touched).

import { request } from 'node:http';
import { memberEntryToWire, signMemberEntry, toBase64 } from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID as B, ErrorBody } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { cookieFetch } from '../support/cookie-fetch';
import { type Relay, startRelay } from '../support/relay';
import { sendBody } from '../support/send-body';
import { makeUser, type TestUser } from '../support/users';

describe('bad input', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let dmId: string;
  let aliceSeq: number;

  beforeAll(async () => {
    relay = await startRelay({ name: 'bad-input' });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
    mallory = await makeUser(relay, 'mallory');
    dmId = (await alice.client.openDm(bob.id)).id;
    aliceSeq = (await alice.client.send(dmId, 'private to bob')).seq;
    await alice.client.send(B, 'hello all');
  });
  afterAll(async () => {
    for (const u of [alice, bob, mallory]) u?.client.lock();
    await relay?.dispose();
  });

  /** A raw request as `who`; JSON-encodes objects, sends strings as they are. */
  async function call(
    who: TestUser,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await who.fetch(`${relay.url}${path}`, init);
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    return { status: res.status, json, error: ErrorBody.safeParse(json).data?.error };
  }

  async function history(channelId: string) {
    return (await alice.client.api.history(channelId, { after: 0, limit: 200 })).messages;
  }
  const dmHistory = () => history(dmId);

  /** A well-formed send body from `who` under key 1, a sender key no member holds a share of. */
  function ciphertextFor(who: TestUser, channelId: string) {
    return sendBody(who, channelId, { keyId: 1, key: new Uint8Array(32).fill(7) }, 'forged');
  }

  it('refuses a send into a channel the sender is not in, as if it did not exist', async () => {
    const before = await dmHistory();
    const r = await call(mallory, 'POST', `/api/channels/${dmId}/messages`, ciphertextFor(mallory, dmId));
    expect(r.status).toBe(404);
    expect(r.error?.code).toBe('not_found');
    expect(await dmHistory()).toEqual(before);
  });

  it('refuses shares uploaded into a channel the uploader is not in', async () => {
    const sealed = toBase64(new Uint8Array(144).fill(1));
    const r = await call(mallory, 'POST', `/api/channels/${dmId}/shares`, {
      keyId: 9,
      shares: [{ recipientId: bob.id, sealed }],
    });
    expect(r.status).toBe(404);
    expect(r.error?.code).toBe('not_found');
    const bobShares = await bob.client.api.shares(dmId, { keyId: 9 });
    expect(bobShares).toEqual([]);
  });

  it('refuses a forged sender id in a send or share upload (unknown field)', async () => {
    const send = await call(mallory, 'POST', `/api/channels/${B}/messages`, {
      ...ciphertextFor(mallory, B),
      senderId: alice.id,
    });
    expect(send.status).toBe(400);
    expect(send.error?.code).toBe('bad_request');
    const shares = await call(mallory, 'POST', `/api/channels/${B}/shares`, {
      keyId: 1,
      senderId: alice.id,
      shares: [{ recipientId: bob.id, sealed: toBase64(new Uint8Array(144)) }],
    });
    expect(shares.status).toBe(400);
    expect(
      (await bob.client.api.shares(B, { senderId: alice.id })).every((s) => s.senderId === alice.id),
    ).toBe(true);
  });

  it('refuses a message whose key was never shared with the members, naming the members missing', async () => {
    const before = await history(B);
    const sharesBefore = await bob.client.api.shares(B, { senderId: mallory.id });
    // Mallory encrypts claiming to be Alice; the relay only knows the session user as the sender.
    const forged = ciphertextFor(alice, B);
    const r = await call(mallory, 'POST', `/api/channels/${B}/messages`, forged);
    // Mallory has no share for keyId 1 for every member: refused before anything is stored.
    expect(r.status).toBe(409);
    expect(r.error?.code).toBe('missing_shares');
    expect(r.error?.details).toMatchObject({ missing: expect.arrayContaining([alice.id, bob.id]) });
    // Nothing changed: the same history (no entry, no seq taken) and no share appeared.
    expect(await history(B)).toEqual(before);
    expect((await alice.client.api.channel(B)).lastSeq).toBe(before.at(-1)?.seq);
    expect(await bob.client.api.shares(B, { senderId: mallory.id })).toEqual(sharesBefore);
  });

  it("refuses deleting another user's message and keeps it", async () => {
    await bob.client.send(B, 'bob says hi');
    const { messages } = await bob.client.api.history(B, { limit: 5 });
    const bobs = must(messages.filter((m) => m.senderId === bob.id).at(-1), "Bob's message");
    const r = await call(mallory, 'DELETE', `/api/channels/${B}/messages/${bobs.seq}`);
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('forbidden');
    const again = (await bob.client.api.history(B, { after: bobs.seq - 1, limit: 1 })).messages[0];
    expect(again).toMatchObject({ seq: bobs.seq, deleted: false });
    expect(again?.ciphertext).toBe(bobs.ciphertext);
  });

  it('refuses deleting a message in a channel the caller is not in', async () => {
    const r = await call(mallory, 'DELETE', `/api/channels/${dmId}/messages/${aliceSeq}`);
    expect(r.status).toBe(404);
    expect((await dmHistory()).find((m) => m.seq === aliceSeq)?.deleted).toBe(false);
  });

  it("refuses reading another channel's history or shares", async () => {
    expect((await call(mallory, 'GET', `/api/channels/${dmId}/messages?after=0`)).status).toBe(404);
    expect((await call(mallory, 'GET', `/api/channels/${dmId}/shares`)).status).toBe(404);
    expect((await call(mallory, 'GET', `/api/channels/${dmId}`)).status).toBe(404);
  });

  it('refuses inviting into a DM and removing members as a non-owner', async () => {
    const group = await alice.client.createGroup('alice only');
    await alice.client.invite(group.id, bob.id);
    const unsigned = await call(bob, 'DELETE', `/api/channels/${group.id}/members/${alice.id}`);
    expect(unsigned.status).toBe(400);
    // Bob signs a removal the rules do not allow him (only the owner removes).
    const log = await bob.client.groupLogs.sync(group.id);
    const entry = signMemberEntry(
      {
        channelId: group.id,
        index: log.length,
        prev: log.head,
        action: 'remove',
        actorId: bob.id,
        subjectId: alice.id,
        subjectIdentityPk: new Uint8Array(0),
      },
      bob.client.session.identity.signSk,
    );
    const asBob = await call(bob, 'DELETE', `/api/channels/${group.id}/members/${alice.id}`, {
      entry: memberEntryToWire(entry),
    });
    expect(asBob.status).toBe(403);
    const dmInvite = await call(alice, 'POST', `/api/channels/${dmId}/members`, { userId: mallory.id });
    expect(dmInvite.status).toBe(400);
    const members = (await alice.client.channels.get(group.id, true)).members.map((m) => m.userId);
    expect(members.sort()).toEqual([alice.id, bob.id].sort());
  });

  it.each([
    { what: 'malformed JSON', body: '{"clientMsgId": ' },
    { what: 'wrong types', body: { clientMsgId: 42, keyId: 'one', ciphertext: true } },
    {
      what: 'bad base64',
      body: { clientMsgId: '11111111-1111-4111-8111-111111111111', keyId: 1, ciphertext: '***not base64***' },
    },
  ])('refuses $what with 400 bad_request and stores nothing', async ({ body }) => {
    const before = await dmHistory();
    const r = await call(alice, 'POST', `/api/channels/${dmId}/messages`, body);
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('bad_request');
    expect(await dmHistory()).toEqual(before);
  });

  it('refuses an otherwise valid send with one unknown field, naming the field, and stores nothing', async () => {
    const dm = await alice.client.channels.get(dmId);
    const key = await alice.client.senderKeys.current(dm);
    const before = await dmHistory();
    const body = sendBody(alice, dmId, key, 'valid but for one field');
    const r = await call(alice, 'POST', `/api/channels/${dmId}/messages`, { ...body, replyTo: 3 });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('bad_request');
    expect(r.error?.details).toMatchObject({
      issues: [{ code: 'unrecognized_keys', message: expect.stringContaining('replyTo') }],
    });
    expect(await dmHistory()).toEqual(before);
    // The same body without the extra field is accepted: the field alone was the reason.
    const ok = await call(alice, 'POST', `/api/channels/${dmId}/messages`, body);
    expect(ok.status).toBe(201);
  });

  it('refuses an oversized body with 413, from its announced length', async () => {
    const r = await announceOversizedPost(`${relay.url}/api/channels/${dmId}/messages`, 4 * 1024 * 1024, {
      'content-type': 'application/json',
      cookie: alice.fetch.jar.header() ?? '',
      origin: relay.origin,
    });
    expect(r.status).toBe(413);
    expect(ErrorBody.parse(JSON.parse(r.body)).error.code).toBe('payload_too_large');
  });

  it('refuses a state-changing request from a foreign Origin, and any request without a session', async () => {
    const foreign = await call(alice, 'POST', `/api/channels/${dmId}/messages`, ciphertextFor(alice, dmId), {
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    const anonymous = cookieFetch(relay.origin);
    const res = await anonymous(`${relay.url}/api/channels`);
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('unauthorized');
  });
});

/**
 * Announces a body of `length` bytes on a connection of its own and waits for the answer without
 * sending the body: the relay must refuse it from Content-Length alone, before reading anything.
 */
function announceOversizedPost(
  url: string,
  length: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(length) },
      agent: false,
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.flushHeaders();
  });
}
