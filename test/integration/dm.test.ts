// Direct messages between two real protocol clients through a real relay process.
import { ApiError } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGapFree } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { connected, loginAgain, makeUser, type TestUser, texts, waitForText } from '../support/users';

describe('direct messages', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    relay = await startRelay({ name: 'dm' });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
  });
  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await relay?.dispose();
  });

  it('Alice and Bob each decrypt what the other sent', async () => {
    const dm = await alice.client.openDm(bob.id);
    const fromBob = await bob.client.openDm(alice.id);
    expect(fromBob.id).toBe(dm.id);
    expect(dm.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());

    await alice.client.send(dm.id, 'hello Bob, this is Alice');
    await bob.client.loadNewer(dm.id);
    await bob.client.send(dm.id, 'hi Alice, Bob here');
    await alice.client.loadNewer(dm.id);
    await bob.client.loadNewer(dm.id);

    const expected = ['hello Bob, this is Alice', 'hi Alice, Bob here'];
    expect(texts(alice.client, dm.id)).toEqual(expected);
    expect(texts(bob.client, dm.id)).toEqual(expected);
    expect(bob.client.timeline(dm.id).filter((m) => m.status === 'undecryptable')).toEqual([]);
  });

  it('shows the membership entries of the DM as system entries', async () => {
    const dm = await alice.client.openDm(bob.id);
    const system = alice.client.timeline(dm.id).filter((m) => m.status === 'system');
    expect(system.map((m) => m.system?.event)).toContain('join');
  });

  it('refuses a DM with yourself', async () => {
    const err = await alice.client.openDm(alice.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'dm_self' });
  });

  it("lets Bob's second browser read the whole DM, his own messages included", async () => {
    const dm = await alice.client.openDm(bob.id);
    const second = await loginAgain(relay, bob);
    try {
      await second.client.loadNewer(dm.id);
      expect(texts(second.client, dm.id)).toEqual(['hello Bob, this is Alice', 'hi Alice, Bob here']);
      // The new device reuses Bob's current sender key instead of minting one for the same epoch.
      const before = bob.client.senderKeys;
      const channel = await second.client.channels.get(dm.id);
      const key = await second.client.senderKeys.current(channel);
      const original = await before.current(await bob.client.channels.get(dm.id));
      expect(key.keyId).toBe(original.keyId);
      await second.client.send(dm.id, 'from my laptop');
      await alice.client.loadNewer(dm.id);
      expect(texts(alice.client, dm.id).at(-1)).toBe('from my laptop');
    } finally {
      second.client.lock();
    }
  });

  it('pages history backwards without gaps or duplicates', async () => {
    const dm = await alice.client.openDm(bob.id);
    for (let i = 0; i < 7; i++) await alice.client.send(dm.id, `page ${i}`);
    const reader = await loginAgain(relay, bob);
    try {
      let page = await reader.client.loadOlder(dm.id, 3);
      while (page.hasMore) page = await reader.client.loadOlder(dm.id, 3);
      const seqs = reader.client.timeline(dm.id).map((m) => m.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
      expect(isGapFree(seqs)).toBe(true);
      expect(texts(reader.client, dm.id).slice(-7)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page ${i}`));
    } finally {
      reader.client.lock();
    }
  });

  it('deletes a message for both sides, leaving a tombstone', async () => {
    const dm = await alice.client.openDm(bob.id);
    const sent = await alice.client.send(dm.id, 'regrettable');
    await alice.client.deleteMessage(dm.id, sent.seq);
    await bob.client.loadNewer(dm.id);
    const reader = await loginAgain(relay, bob);
    try {
      const { messages } = await reader.client.loadOlder(dm.id, 5);
      expect(messages.find((m) => m.seq === sent.seq)).toMatchObject({ status: 'deleted' });
      expect(messages.some((m) => m.text === 'regrettable')).toBe(false);
    } finally {
      reader.client.lock();
    }
  });

  it('counts unread messages until the reader marks them read', async () => {
    const dm = await alice.client.openDm(bob.id);
    const last = await alice.client.send(dm.id, 'unread 1');
    const last2 = await alice.client.send(dm.id, 'unread 2');
    const before = (await bob.client.channels.get(dm.id, true)).unread;
    expect(before).toBeGreaterThanOrEqual(2);
    await bob.client.markRead(dm.id, last.seq);
    expect((await bob.client.channels.get(dm.id, true)).unread).toBe(1);
    await bob.client.markRead(dm.id, last2.seq);
    expect(await bob.client.channels.get(dm.id, true)).toMatchObject({ unread: 0, readSeq: last2.seq });
  });

  it('delivers DMs live over the socket, both ways, each once', async () => {
    const dm = await alice.client.openDm(bob.id);
    await connected(alice);
    await connected(bob);
    try {
      const a = await alice.client.send(dm.id, 'live from Alice');
      await waitForText(bob.client, dm.id, 'live from Alice');
      const b = await bob.client.send(dm.id, 'live from Bob');
      await waitForText(alice.client, dm.id, 'live from Bob');
      expect(b.seq).toBe(a.seq + 1);
      for (const u of [alice, bob]) {
        const seqs = u.client.timeline(dm.id).map((m) => m.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(texts(u.client, dm.id).slice(-2)).toEqual(['live from Alice', 'live from Bob']);
      }
    } finally {
      alice.client.disconnect();
      bob.client.disconnect();
    }
  });
});
