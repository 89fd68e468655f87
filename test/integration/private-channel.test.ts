// A private channel where the owner removes a member: the relay enforces rotation (a send under
// the pre-removal key is refused with stale_key), the new key is never shared with the removed
// member, and the removed member can neither fetch nor decrypt anything sent afterwards.
import { randomUUID } from 'node:crypto';
import { ApiError, type ChannelSummary } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { openRelayDb, type RelayDb } from '../support/relay-db';
import { sendBody } from '../support/send-body';
import { type Recorded, recording } from '../support/traffic';
import { makeUser, type TestUser, texts } from '../support/users';

describe('private channel with a removed member', () => {
  let relay: Relay;
  let owner: TestUser;
  let stays: TestUser;
  let removed: TestUser;
  let channel: ChannelSummary;
  const uploads: Recorded[] = [];

  beforeAll(async () => {
    relay = await startRelay({ name: 'private' });
    const record = { client: { wrapFetch: (f: Parameters<typeof recording>[0]) => recording(f, uploads) } };
    owner = await makeUser(relay, 'owner', record);
    stays = await makeUser(relay, 'stays', record);
    removed = await makeUser(relay, 'removed');
    channel = await owner.client.createGroup('the plan');
    await owner.client.invite(channel.id, stays.id);
    channel = await owner.client.invite(channel.id, removed.id);
    expect(channel.members).toHaveLength(3);
  });
  afterAll(async () => {
    for (const u of [owner, stays, removed]) u?.client.lock();
    await relay?.dispose();
  });

  it('lets all three members read each other before the removal', async () => {
    await owner.client.send(channel.id, 'owner: before');
    await stays.client.refreshChannels();
    await stays.client.send(channel.id, 'stays: before');
    await removed.client.refreshChannels();
    await removed.client.send(channel.id, 'removed: before');
    for (const u of [owner, stays, removed]) {
      await u.client.loadNewer(channel.id);
      expect(texts(u.client, channel.id)).toEqual(['owner: before', 'stays: before', 'removed: before']);
    }
  });

  it('refuses a send under a key from before the removal with stale_key', async () => {
    const oldKey = await owner.client.senderKeys.current(await owner.client.channels.get(channel.id));
    await owner.client.removeMember(channel.id, removed.id);
    const err = await owner.client.api
      .send(channel.id, sendBody(owner, channel.id, oldKey, 'under the old key'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'stale_key' });
  });

  it('rotates on the next send, for the owner and for a member whose view was stale', async () => {
    const before = uploads.length;
    await owner.client.send(channel.id, 'owner: after');
    // `stays` still holds the pre-removal summary: its first try is refused, it rotates and resends.
    await stays.client.send(channel.id, 'stays: after');
    for (const u of [owner, stays]) {
      await u.client.loadNewer(channel.id);
      expect(texts(u.client, channel.id).slice(-2)).toEqual(['owner: after', 'stays: after']);
    }
    const newShares = uploads.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/shares'));
    expect(newShares.length).toBeGreaterThanOrEqual(2);
    for (const upload of newShares) {
      const body = upload.body as { shares: { recipientId: string }[] };
      expect(body.shares.map((s) => s.recipientId)).not.toContain(removed.id);
    }
  });

  it('gives the removed member nothing sent after the removal', async () => {
    const history = await removed.client.api.history(channel.id, { after: 0 }).catch((e: unknown) => e);
    expect(history).toMatchObject({ status: 404, code: 'not_found' });
    const shares = await removed.client.api.shares(channel.id).catch((e: unknown) => e);
    expect(shares).toMatchObject({ status: 404, code: 'not_found' });
    const list = await removed.client.refreshChannels();
    expect(list.map((c) => c.id)).not.toContain(channel.id);
  });

  it('leaves stolen post-removal ciphertext undecryptable for the removed member', async () => {
    const wire = (await stays.client.api.history(channel.id, { after: 0 })).messages.filter(
      (m) => m.kind === 'msg' && m.senderId === owner.id,
    );
    const after = wire.at(-1);
    expect(after).toBeDefined();
    const view = await removed.client.messages.decrypt(must(after, 'a message after the removal'));
    expect(view.status).toBe('undecryptable');
    expect(view.text).toBeUndefined();
    // What they saw before the removal stays readable to them.
    expect(texts(removed.client, channel.id)).toEqual(['owner: before', 'stays: before', 'removed: before']);
  });

  it('shows the removal as a system entry to the remaining members', async () => {
    const events = owner.client
      .timeline(channel.id)
      .filter((m) => m.status === 'system')
      .map((m) => [m.system?.event, m.system?.userId]);
    expect(events).toContainEqual(['remove', removed.id]);
  });
});

// A group made by a relay from before signed membership: only member rows, no log. Nobody trusts
// that table (DESIGN §7.1): the channel reads "membership not verified" and sending waits until
// the owner re-signs its current members.
describe('a private channel made before signed membership', () => {
  let relay: Relay;
  let owner: TestUser;
  let member: TestUser;
  let db: RelayDb;
  const id = `g-${randomUUID()}`;

  beforeAll(async () => {
    relay = await startRelay({ name: 'legacy-group' });
    owner = await makeUser(relay, 'owner');
    member = await makeUser(relay, 'member');
    db = openRelayDb(relay);
    const now = Date.now();
    await db.run(
      "INSERT INTO channels (id, kind, name, member_epoch, last_seq, created_at) VALUES (?, 'group', 'old', 0, 3, ?)",
      [id, now],
    );
    const notice =
      "INSERT INTO messages (channel_id, seq, kind, sent_at, deleted, system_event, system_user_id, system_actor_id) VALUES (?, ?, 'system', ?, 0, ?, ?, ?)";
    await db.run(notice, [id, 1, now, 'create', owner.id, owner.id]);
    await db.run(notice, [id, 2, now, 'join', owner.id, owner.id]);
    await db.run(notice, [id, 3, now, 'join', member.id, owner.id]);
    await db.run(
      "INSERT INTO members (channel_id, user_id, role, joined_seq) VALUES (?, ?, 'owner', 2), (?, ?, 'member', 3)",
      [id, owner.id, id, member.id],
    );
  });
  afterAll(async () => {
    for (const u of [owner, member]) u?.client.lock();
    db?.close();
    await relay?.dispose();
  });

  it('shows the membership as not verified and sends nothing until the owner re-signs it', async () => {
    for (const u of [owner, member]) {
      await u.client.refreshChannels();
      await expect(u.client.send(id, 'too early')).rejects.toThrow(/not verified/);
      expect(u.client.alerts(id).map((a) => a.kind)).toContain('unverified-membership');
      expect(u.client.members(id)).toBeNull();
    }
    expect(await db.rows('SELECT 1 FROM messages WHERE channel_id = ? AND kind = ?', [id, 'msg'])).toEqual(
      [],
    );
  });

  it('lets the owner re-sign the current members, after which both can talk', async () => {
    const signed = await owner.client.signMembers(id);
    expect(signed).toMatchObject({ logLength: 2, memberEpoch: 2 });
    expect(owner.client.members(id)).toEqual([
      { userId: owner.id, role: 'owner' },
      { userId: member.id, role: 'member' },
    ]);
    await owner.client.send(id, 'signed at last');
    await member.client.refreshChannels();
    await member.client.loadNewer(id);
    expect(texts(member.client, id)).toEqual(['signed at last']);
    expect(member.client.members(id)?.map((m) => m.userId)).toEqual([owner.id, member.id]);
    await member.client.send(id, 'and back');
    await owner.client.loadNewer(id);
    expect(texts(owner.client, id)).toEqual(['signed at last', 'and back']);
  });
});
