// Direct messages between two real protocol clients through a real relay process.
import { ApiError } from '@parley/web/client';
import { describe, expect, it } from 'vitest';
import { isGapFree } from '../support/assert';
import { connected, loginAgain, texts, waitForText } from '../support/users';
import { relaySuite } from './relay-suite';

describe('direct messages', () => {
  const t = relaySuite('dm', ['alice', 'bob']);

  it('Alice and Bob each decrypt what the other sent', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const fromBob = await t.bob.client.openDm(t.alice.id);
    expect(fromBob.id).toBe(dm.id);
    expect(dm.members.map((m) => m.userId).sort()).toEqual([t.alice.id, t.bob.id].sort());

    await t.alice.client.send(dm.id, 'hello Bob, this is Alice');
    await t.bob.client.loadNewer(dm.id);
    await t.bob.client.send(dm.id, 'hi Alice, Bob here');
    await t.alice.client.loadNewer(dm.id);
    await t.bob.client.loadNewer(dm.id);

    const expected = ['hello Bob, this is Alice', 'hi Alice, Bob here'];
    expect(texts(t.alice.client, dm.id)).toEqual(expected);
    expect(texts(t.bob.client, dm.id)).toEqual(expected);
    expect(t.bob.client.timeline(dm.id).filter((m) => m.status === 'undecryptable')).toEqual([]);
  });

  it('shows the membership entries of the DM as system entries', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const system = t.alice.client.timeline(dm.id).filter((m) => m.status === 'system');
    expect(system.map((m) => m.system?.event)).toContain('join');
  });

  it('refuses a DM with yourself', async () => {
    const err = await t.alice.client.openDm(t.alice.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'dm_self' });
  });

  it("lets Bob's second browser read the whole DM, his own messages included", async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const second = await loginAgain(t.relay, t.bob);
    try {
      await second.client.loadNewer(dm.id);
      expect(texts(second.client, dm.id)).toEqual(['hello Bob, this is Alice', 'hi Alice, Bob here']);
      // The new device reuses Bob's current sender key instead of minting one for the same epoch.
      const before = t.bob.client.senderKeys;
      const channel = await second.client.channels.get(dm.id);
      const key = await second.client.senderKeys.current(channel);
      const original = await before.current(await t.bob.client.channels.get(dm.id));
      expect(key.keyId).toBe(original.keyId);
      await second.client.send(dm.id, 'from my laptop');
      await t.alice.client.loadNewer(dm.id);
      expect(texts(t.alice.client, dm.id).at(-1)).toBe('from my laptop');
    } finally {
      second.client.lock();
    }
  });

  it('pages history backwards without gaps or duplicates', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    for (let i = 0; i < 7; i++) await t.alice.client.send(dm.id, `page ${i}`);
    const reader = await loginAgain(t.relay, t.bob);
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
    const dm = await t.alice.client.openDm(t.bob.id);
    const sent = await t.alice.client.send(dm.id, 'regrettable');
    await t.alice.client.deleteMessage(dm.id, sent.seq);
    await t.bob.client.loadNewer(dm.id);
    const reader = await loginAgain(t.relay, t.bob);
    try {
      const { messages } = await reader.client.loadOlder(dm.id, 5);
      expect(messages.find((m) => m.seq === sent.seq)).toMatchObject({ status: 'deleted' });
      expect(messages.some((m) => m.text === 'regrettable')).toBe(false);
    } finally {
      reader.client.lock();
    }
  });

  it('counts unread messages until the reader marks them read', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    const last = await t.alice.client.send(dm.id, 'unread 1');
    const last2 = await t.alice.client.send(dm.id, 'unread 2');
    const before = (await t.bob.client.channels.get(dm.id, true)).unread;
    expect(before).toBeGreaterThanOrEqual(2);
    await t.bob.client.markRead(dm.id, last.seq);
    expect((await t.bob.client.channels.get(dm.id, true)).unread).toBe(1);
    await t.bob.client.markRead(dm.id, last2.seq);
    expect(await t.bob.client.channels.get(dm.id, true)).toMatchObject({ unread: 0, readSeq: last2.seq });
  });

  it('delivers DMs live over the socket, both ways, each once', async () => {
    const dm = await t.alice.client.openDm(t.bob.id);
    await connected(t.alice);
    await connected(t.bob);
    try {
      const a = await t.alice.client.send(dm.id, 'live from Alice');
      await waitForText(t.bob.client, dm.id, 'live from Alice');
      const b = await t.bob.client.send(dm.id, 'live from Bob');
      await waitForText(t.alice.client, dm.id, 'live from Bob');
      expect(b.seq).toBe(a.seq + 1);
      for (const u of [t.alice, t.bob]) {
        const seqs = u.client.timeline(dm.id).map((m) => m.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(texts(u.client, dm.id).slice(-2)).toEqual(['live from Alice', 'live from Bob']);
      }
    } finally {
      t.alice.client.disconnect();
      t.bob.client.disconnect();
    }
  });
});
