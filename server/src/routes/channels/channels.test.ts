import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dmChannelId } from '../../channels/ids';
import { BROADCAST_CHANNEL_ID, ChannelListResponse, ChannelSummary, ErrorBody } from '../../protocol';
import { createHarness, type Harness, storeSnapshot, type TestUser, uuid } from '../testing';

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
beforeEach(async () => {
  h = await createHarness();
  alice = await h.register('alice');
  bob = await h.register('bob');
  carol = await h.register('carol');
});
afterEach(async () => {
  await h.close();
});

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;

async function createGroup(owner: TestUser, name = 'team'): Promise<ChannelSummary> {
  const res = await h.request('POST', '/api/channels', { cookie: owner.cookie, body: { name } });
  expect(res.status).toBe(201);
  return ChannelSummary.parse(await res.json());
}

function invite(by: TestUser, channelId: string, userId: string) {
  return h.request('POST', `/api/channels/${channelId}/members`, { cookie: by.cookie, body: { userId } });
}

describe('GET /api/channels', () => {
  it('lists the caller’s channels with members, starting with broadcast', async () => {
    const res = await h.request('GET', '/api/channels', { cookie: bob.cookie });
    expect(res.status).toBe(200);
    const { channels } = ChannelListResponse.parse(await res.json());
    expect(channels.map((c) => c.id)).toEqual([BROADCAST_CHANNEL_ID]);
    const broadcast = channels[0];
    expect(broadcast?.kind).toBe('broadcast');
    expect(broadcast?.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id, carol.id].sort());
  });

  it('does not list channels the caller is not in', async () => {
    const group = await createGroup(alice);
    const { channels } = ChannelListResponse.parse(
      await (await h.request('GET', '/api/channels', { cookie: bob.cookie })).json(),
    );
    expect(channels.map((c) => c.id)).not.toContain(group.id);
  });
});

describe('POST /api/channels/dm', () => {
  it('opens a dm with exactly the two users, under the id derived from the pair', async () => {
    const res = await h.request('POST', '/api/channels/dm', {
      cookie: alice.cookie,
      body: { peerId: bob.id },
    });
    expect(res.status).toBe(201);
    const dm = ChannelSummary.parse(await res.json());
    expect(dm.id).toBe(dmChannelId(alice.id, bob.id));
    expect(dm.kind).toBe('dm');
    expect(dm.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());
    expect(h.events.some((e) => e.type === 'membership' && e.channelId === dm.id)).toBe(true);
  });

  it('is idempotent from either side', async () => {
    const first = ChannelSummary.parse(
      await (
        await h.request('POST', '/api/channels/dm', { cookie: alice.cookie, body: { peerId: bob.id } })
      ).json(),
    );
    const again = await h.request('POST', '/api/channels/dm', {
      cookie: bob.cookie,
      body: { peerId: alice.id },
    });
    expect(again.status).toBe(200);
    const second = ChannelSummary.parse(await again.json());
    expect(second.id).toBe(first.id);
    expect(second.lastSeq).toBe(first.lastSeq);
    expect(second.memberEpoch).toBe(first.memberEpoch);
  });

  it('refuses a dm with yourself with dm_self and a clear message', async () => {
    const before = await storeSnapshot(h);
    const res = await h.request('POST', '/api/channels/dm', {
      cookie: alice.cookie,
      body: { peerId: alice.id },
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({
      code: 'dm_self',
      message: 'cannot open a direct message with yourself',
    });
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('answers 404 for an unknown or disabled peer', async () => {
    await h.store.setDisabled(carol.id, true);
    for (const peerId of [uuid(), carol.id]) {
      const res = await h.request('POST', '/api/channels/dm', { cookie: alice.cookie, body: { peerId } });
      expect(res.status).toBe(404);
    }
  });

  it('refuses a malformed peer id and unknown fields', async () => {
    for (const body of [{ peerId: 'bob' }, { peerId: bob.id, name: 'x' }, { peerId: 5 }]) {
      expect((await h.request('POST', '/api/channels/dm', { cookie: alice.cookie, body })).status).toBe(400);
    }
  });
});

describe('private channels', () => {
  it('creates a group owned by its creator', async () => {
    const group = await createGroup(alice, ' Team  ');
    expect(group).toMatchObject({ kind: 'group', name: 'Team' });
    expect(group.members).toEqual([{ userId: alice.id, role: 'owner', joinedSeq: group.joinedSeq }]);
  });

  it('answers 404 for a channel the caller is not in, exactly as for one that does not exist', async () => {
    const group = await createGroup(alice);
    const hidden = await h.request('GET', `/api/channels/${group.id}`, { cookie: bob.cookie });
    const missing = await h.request('GET', '/api/channels/g-nope', { cookie: bob.cookie });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.json()).toEqual(await missing.json());
  });

  it('lets a member invite; each join is a system entry and bumps memberEpoch', async () => {
    const group = await createGroup(alice);
    const res = await invite(alice, group.id, bob.id);
    expect(res.status).toBe(201);
    const after = ChannelSummary.parse(await res.json());
    expect(after.members.map((m) => m.userId)).toEqual([alice.id, bob.id]);
    expect(after.memberEpoch).toBe(group.memberEpoch + 1);
    expect(after.lastSeq).toBe(group.lastSeq + 1);
    const entry = await h.store.getMessage(group.id, after.lastSeq);
    expect(entry?.system).toEqual({ event: 'join', userId: bob.id, actorId: alice.id });
    expect(h.events).toContainEqual({ type: 'message', message: entry });
    // Bob, now a member, may invite too.
    expect((await invite(bob, group.id, carol.id)).status).toBe(201);
  });

  it('refuses invitations from non-members (404) and of members already in (409)', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    const before = await storeSnapshot(h);
    const outsider = await invite(carol, group.id, carol.id);
    expect(outsider.status).toBe(404);
    const again = await invite(alice, group.id, bob.id);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('conflict');
    const unknown = await invite(alice, group.id, uuid());
    expect(unknown.status).toBe(404);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('refuses an invitation past MAX_CHANNEL_MEMBERS with 409 channel_full', async () => {
    const h2 = await createHarness({ env: { MAX_CHANNEL_MEMBERS: '2' } });
    try {
      const [a, b, c] = [
        await h2.register('a-user'),
        await h2.register('b-user'),
        await h2.register('c-user'),
      ];
      const group = ChannelSummary.parse(
        await (
          await h2.request('POST', '/api/channels', { cookie: a.cookie, body: { name: 'tiny' } })
        ).json(),
      );
      const ok = await h2.request('POST', `/api/channels/${group.id}/members`, {
        cookie: a.cookie,
        body: { userId: b.id },
      });
      expect(ok.status).toBe(201);
      const full = await h2.request('POST', `/api/channels/${group.id}/members`, {
        cookie: a.cookie,
        body: { userId: c.id },
      });
      expect(full.status).toBe(409);
      expect((await errorOf(full)).code).toBe('channel_full');
    } finally {
      await h2.close();
    }
  });

  it('lets a member leave, with a leave entry and an epoch bump', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    const res = await h.request('DELETE', `/api/channels/${group.id}/members/${bob.id}`, {
      cookie: bob.cookie,
    });
    expect(res.status).toBe(204);
    expect(await h.store.getMember(group.id, bob.id)).toBeNull();
    const channel = await h.store.getChannel(group.id);
    const entry = await h.store.getMessage(group.id, channel?.lastSeq ?? -1);
    expect(entry?.system).toEqual({ event: 'leave', userId: bob.id, actorId: bob.id });
    expect(h.events.at(-1)).toEqual({ type: 'membership', channelId: group.id, userIds: [alice.id, bob.id] });
    expect((await h.request('GET', `/api/channels/${group.id}`, { cookie: bob.cookie })).status).toBe(404);
  });

  it('lets only the owner remove someone else', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    await invite(alice, group.id, carol.id);
    const before = await storeSnapshot(h);
    const denied = await h.request('DELETE', `/api/channels/${group.id}/members/${carol.id}`, {
      cookie: bob.cookie,
    });
    expect(denied.status).toBe(403);
    expect(await storeSnapshot(h)).toEqual(before);
    const removed = await h.request('DELETE', `/api/channels/${group.id}/members/${carol.id}`, {
      cookie: alice.cookie,
    });
    expect(removed.status).toBe(204);
    const channel = await h.store.getChannel(group.id);
    const entry = await h.store.getMessage(group.id, channel?.lastSeq ?? -1);
    expect(entry?.system).toEqual({ event: 'remove', userId: carol.id, actorId: alice.id });
  });

  it('answers 404 when removing someone who is not a member', async () => {
    const group = await createGroup(alice);
    const res = await h.request('DELETE', `/api/channels/${group.id}/members/${bob.id}`, {
      cookie: alice.cookie,
    });
    expect(res.status).toBe(404);
  });
});

describe('fixed membership', () => {
  it('refuses invitations to and departures from a dm', async () => {
    const dm = ChannelSummary.parse(
      await (
        await h.request('POST', '/api/channels/dm', { cookie: alice.cookie, body: { peerId: bob.id } })
      ).json(),
    );
    const before = await storeSnapshot(h);
    expect((await invite(alice, dm.id, carol.id)).status).toBe(400);
    const leave = await h.request('DELETE', `/api/channels/${dm.id}/members/${alice.id}`, {
      cookie: alice.cookie,
    });
    expect(leave.status).toBe(400);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('keeps everyone in broadcast: nobody leaves, nobody is invited, only admins remove', async () => {
    const before = await storeSnapshot(h);
    const leave = await h.request('DELETE', `/api/channels/${BROADCAST_CHANNEL_ID}/members/${bob.id}`, {
      cookie: bob.cookie,
    });
    expect(leave.status).toBe(400);
    expect((await invite(bob, BROADCAST_CHANNEL_ID, carol.id)).status).toBe(400);
    const kick = await h.request('DELETE', `/api/channels/${BROADCAST_CHANNEL_ID}/members/${carol.id}`, {
      cookie: bob.cookie,
    });
    expect(kick.status).toBe(403);
    expect(await storeSnapshot(h)).toEqual(before);
    const ban = await h.request('DELETE', `/api/channels/${BROADCAST_CHANNEL_ID}/members/${carol.id}`, {
      cookie: alice.cookie,
    });
    expect(ban.status).toBe(204);
    expect(await h.store.getMember(BROADCAST_CHANNEL_ID, carol.id)).toBeNull();
  });
});
