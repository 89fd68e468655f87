// Replies, edits, reactions and mentions between real protocol clients on a real relay. They are
// signed, encrypted payloads like any message, so every rule is the receivers' to enforce: only a
// message's sender may edit it (a lying member's edit is rejected, not applied), reactions toggle
// per user and add up across users, and an edit that arrives before its target waits for it.
import { type ChannelSummary, type ParleyClient, TrustError } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import {
  connected,
  loginAgain,
  makeUser,
  type TestUser,
  texts,
  waitFor,
  waitForText,
} from '../support/users';

let relay: Relay;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let group: ChannelSummary;

beforeAll(async () => {
  relay = await startRelay({ name: 'rich', env: { SEND_RATE_PER_SEC: '1000', SEND_BURST: '1000' } });
  alice = await makeUser(relay, 'alice');
  bob = await makeUser(relay, 'bob');
  carol = await makeUser(relay, 'carol');
  group = await alice.client.createGroup('rich');
  await alice.client.invite(group.id, bob.id);
  group = await alice.client.invite(group.id, carol.id);
  for (const u of [alice, bob, carol]) {
    await u.client.refreshChannels();
    await connected(u);
  }
});
afterAll(async () => {
  for (const u of [alice, bob, carol]) u?.client.lock();
  await relay?.dispose();
});

/** Sends a text and waits until every given client holds it; returns its clientMsgId. */
async function say(from: TestUser, text: string, readers: TestUser[], opts = {}): Promise<string> {
  const sent = await from.client.send(group.id, text, opts);
  for (const u of readers) await waitForText(u.client, group.id, text);
  return sent.clientMsgId;
}

const find = (client: ParleyClient, clientMsgId: string) =>
  client.timeline(group.id).find((m) => m.clientMsgId === clientMsgId);

describe('edits', () => {
  it('applies the sender’s edit everywhere, with its history', async () => {
    const id = await say(alice, 'meet at 5', [alice, bob, carol]);
    await alice.client.edit(group.id, id, 'meet at 6');
    for (const u of [alice, bob, carol]) await waitForText(u.client, group.id, 'meet at 6');
    expect(bob.client.editHistory(group.id, id).map((v) => v.text)).toEqual(['meet at 5', 'meet at 6']);
    expect(texts(carol.client, group.id)).not.toContain('meet at 5');
  });

  it('rejects an edit from someone other than the sender: receivers keep the original', async () => {
    const id = await say(alice, 'the account number is 12', [alice, bob, carol]);
    // Bob's own client refuses; a lying client signs and sends the edit anyway.
    await expect(bob.client.edit(group.id, id, 'the account number is 99')).rejects.toBeInstanceOf(
      TrustError,
    );
    const forged = await bob.client.messages.sendPayload(group.id, {
      kind: 'edit',
      target: id,
      text: 'the account number is 99',
    });
    for (const u of [alice, carol]) {
      const entry = await waitFor(
        () => u.client.timeline(group.id).find((m) => m.clientMsgId === forged.clientMsgId),
        'the forged edit',
      );
      expect(entry.status).toBe('rejected');
      expect(entry.senderId).toBe(bob.id);
      expect(find(u.client, id)?.text).toBe('the account number is 12');
      expect(find(u.client, id)?.edits).toBeUndefined();
      expect(texts(u.client, group.id)).not.toContain('the account number is 99');
    }
  });

  it('holds an edit that arrives before its target, and applies it once the target arrives', async () => {
    const id = await say(alice, 'draft: shipping friday', [alice]);
    for (let i = 0; i < 60; i++) await alice.client.send(group.id, `filler ${i}`);
    await alice.client.edit(group.id, id, 'shipping monday');
    // Carol on a new browser pages in from the newest end: that page holds the edit, not its target.
    const { client } = await loginAgain(relay, carol);
    try {
      await client.refreshChannels();
      const first = await client.loadOlder(group.id, 50);
      expect(first.hasMore).toBe(true);
      expect(find(client, id)).toBeUndefined();
      const held = client
        .timeline(group.id)
        .find((m) => m.payload?.kind === 'edit' && m.payload.target === id);
      expect(must(held, 'the edit').status).toBe('control');
      expect(texts(client, group.id)).not.toContain('shipping monday');

      for (let page = 0; page < 5 && !find(client, id); page++) await client.loadOlder(group.id, 50);
      expect(find(client, id)?.text).toBe('shipping monday');
      expect(client.editHistory(group.id, id).map((v) => v.text)).toEqual([
        'draft: shipping friday',
        'shipping monday',
      ]);
    } finally {
      client.lock();
    }
  });
});

describe('reactions', () => {
  it('toggle per user and add up across users, and are no rows', async () => {
    const id = await say(alice, 'vote here', [alice, bob, carol]);
    const rowsBefore = alice.client.timeline(group.id).filter((m) => m.status === 'ok').length;
    await bob.client.react(group.id, id, '👍');
    await carol.client.react(group.id, id, '👍');
    await carol.client.react(group.id, id, '🎉');
    await bob.client.react(group.id, id, '👍'); // twice on is still one
    const summary = () => alice.client.reactions(group.id, id).map((r) => [r.emoji, r.users]);
    await expect.poll(summary).toEqual([
      ['👍', [bob.id, carol.id]],
      ['🎉', [carol.id]],
    ]);

    await bob.client.unreact(group.id, id, '👍');
    await expect.poll(summary).toEqual([
      ['👍', [carol.id]],
      ['🎉', [carol.id]],
    ]);
    // Toggling from Carol's side takes hers back; mine is marked for whoever reacted.
    await carol.client.toggleReaction(group.id, id, '🎉');
    await expect.poll(summary).toEqual([['👍', [carol.id]]]);
    await waitFor(() => carol.client.reactions(group.id, id)[0]?.mine, 'Carol sees her own reaction');
    expect(alice.client.reactions(group.id, id)[0]?.mine).toBe(false);

    // Five reactions later, the conversation still has the same rows.
    expect(alice.client.timeline(group.id).filter((m) => m.status === 'ok').length).toBe(rowsBefore);
    await expect(bob.client.react(group.id, id, 'FREE')).rejects.toThrow(/not one of the reaction emoji/);
  });
});

describe('replies and mentions', () => {
  it('quote the original, and a mention marks the message for the one mentioned only', async () => {
    const id = await say(alice, 'who has the keys?', [alice, bob, carol]);
    const reply = await bob.client.reply(group.id, id, `@${alice.username} I do`);
    const seen = await waitFor(() => find(alice.client, reply.clientMsgId), 'the reply');
    expect(seen.reply).toMatchObject({ state: 'shown', senderId: alice.id, text: 'who has the keys?' });
    expect(seen.mentionsMe).toBe(true);
    expect(seen.payload?.kind === 'text' && seen.payload.mentions).toEqual([alice.id]);
    const atCarol = await waitFor(() => find(carol.client, reply.clientMsgId), 'the reply at Carol');
    expect(atCarol.mentionsMe).toBeUndefined();
  });

  it('say so when the original is from before the reader joined', async () => {
    const early = await say(alice, 'before erin', [alice, bob]);
    const erin = await makeUser(relay, 'erin');
    try {
      await alice.client.invite(group.id, erin.id);
      await bob.client.refreshChannels();
      const reply = await bob.client.reply(group.id, early, 'answering an old one');
      await erin.client.refreshChannels();
      let more = true;
      while (more) more = (await erin.client.loadOlder(group.id, 200)).hasMore;
      const seen = must(find(erin.client, reply.clientMsgId), 'the reply at Erin');
      expect(seen.reply).toEqual({ clientMsgId: early, state: 'missing' });
    } finally {
      erin.client.lock();
    }
  });
});
