import {
  dmChannelId,
  MembershipLog,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  newGroupChannelId,
  signMemberEntry,
} from '@parley/crypto-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BROADCAST_CHANNEL_ID,
  ChannelListResponse,
  ChannelSummary,
  ErrorBody,
  type LogEntry,
  LogResponse,
} from '../../protocol';
import {
  createHarness,
  type Harness,
  signEntryUnchecked,
  storeSnapshot,
  type TestUser,
  uuid,
} from '../testing';

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

const createGroup = (owner: TestUser, name = 'team') => h.createGroup(owner, name);

/** An invitation with `entry`, or `by`'s signed `add` of one of the test users. */
async function invite(by: TestUser, channelId: string, userId: string, entry?: LogEntry) {
  const subject = [alice, bob, carol].find((u) => u.id === userId);
  const signed = entry ?? (await h.signEntry(by, channelId, 'add', subject ?? bob));
  return h.request('POST', `/api/channels/${channelId}/members`, {
    cookie: by.cookie,
    body: { userId, entry: signed },
  });
}

/** A well-formed `add` not signed against any real log (for refusals that come before that check). */
function fakeEntry(actor: TestUser, subjectId: string): LogEntry {
  const fields = {
    channelId: 'g-x',
    index: 1,
    prev: new Uint8Array(32),
    action: 'add' as const,
    actorId: actor.id,
    subjectId,
    subjectIdentityPk: actor.identity.signPk,
  };
  return signEntryUnchecked(fields, actor.identity);
}

/** Removes or leaves with `by`'s signed entry (signed even where the rules forbid it). */
async function remove(by: TestUser, channelId: string, subject: TestUser) {
  const action = by.id === subject.id ? 'leave' : 'remove';
  const log = LogResponse.parse(
    await (await h.request('GET', `/api/channels/${channelId}/log`, { cookie: by.cookie })).json(),
  );
  const last = log.entries.at(-1);
  const entry = signEntryUnchecked(
    {
      channelId,
      index: log.length,
      prev: last ? memberEntryHash(memberEntryFromWire(channelId, last)) : new Uint8Array(32),
      action,
      actorId: by.id,
      subjectId: subject.id,
      subjectIdentityPk: new Uint8Array(0),
    },
    by.identity,
  );
  return h.request('DELETE', `/api/channels/${channelId}/members/${subject.id}`, {
    cookie: by.cookie,
    body: { entry },
  });
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
  it('creates a group owned by its creator, from the creator’s signed `create` entry', async () => {
    const group = await createGroup(alice, ' Team  ');
    expect(group).toMatchObject({ kind: 'group', name: 'Team', logLength: 1, memberEpoch: 1 });
    expect(group.members).toEqual([{ userId: alice.id, role: 'owner', joinedSeq: group.joinedSeq }]);
    const notice = await h.store.getMessage(group.id, group.lastSeq);
    expect(notice?.system).toEqual({ event: 'create', userId: alice.id, actorId: alice.id, logIndex: 0 });
  });

  it('refuses a create entry that is not the caller’s own, and an id already taken', async () => {
    const id = newGroupChannelId();
    const fields = MembershipLog.empty(id).next('create', bob.id, bob.id, bob.identity.signPk);
    const bobs = memberEntryToWire(signMemberEntry(fields, bob.identity.signSk));
    const res = await h.request('POST', '/api/channels', {
      cookie: alice.cookie,
      body: { id, name: 'x', entry: bobs },
    });
    expect(res.status).toBe(400);
    const forgedKey = signEntryUnchecked(
      {
        ...MembershipLog.empty(id).next('create', alice.id, alice.id, alice.identity.signPk),
        subjectIdentityPk: bob.identity.signPk,
      },
      alice.identity,
    );
    expect(
      (
        await h.request('POST', '/api/channels', {
          cookie: alice.cookie,
          body: { id, name: 'x', entry: forgedKey },
        })
      ).status,
    ).toBe(400);
    const group = await createGroup(alice);
    const again = memberEntryToWire(
      signMemberEntry(
        MembershipLog.empty(group.id).next('create', alice.id, alice.id, alice.identity.signPk),
        alice.identity.signSk,
      ),
    );
    const taken = await h.request('POST', '/api/channels', {
      cookie: alice.cookie,
      body: { id: group.id, name: 'x', entry: again },
    });
    expect(taken.status).toBe(409);
  });

  it('answers 404 for a channel the caller is not in, exactly as for one that does not exist', async () => {
    const group = await createGroup(alice);
    const hidden = await h.request('GET', `/api/channels/${group.id}`, { cookie: bob.cookie });
    const missing = await h.request('GET', '/api/channels/g-nope', { cookie: bob.cookie });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.json()).toEqual(await missing.json());
    expect((await h.request('GET', `/api/channels/${group.id}/log`, { cookie: bob.cookie })).status).toBe(
      404,
    );
  });

  it('lets a member invite with a signed `add`; each is a notice and the epoch is the log length', async () => {
    const group = await createGroup(alice);
    const res = await invite(alice, group.id, bob.id);
    expect(res.status).toBe(201);
    const after = ChannelSummary.parse(await res.json());
    expect(after.members.map((m) => m.userId)).toEqual([alice.id, bob.id]);
    expect(after).toMatchObject({ memberEpoch: 2, logLength: 2, lastSeq: group.lastSeq + 1 });
    const entry = await h.store.getMessage(group.id, after.lastSeq);
    expect(entry?.system).toEqual({ event: 'join', userId: bob.id, actorId: alice.id, logIndex: 1 });
    expect(h.events).toContainEqual({ type: 'message', message: entry });
    // Bob, now a member, may invite too.
    expect((await invite(bob, group.id, carol.id)).status).toBe(201);
    const log = LogResponse.parse(
      await (await h.request('GET', `/api/channels/${group.id}/log`, { cookie: carol.cookie })).json(),
    );
    expect(log.length).toBe(3);
    const verified = MembershipLog.verify(
      group.id,
      log.entries.map((e) => memberEntryFromWire(group.id, e)),
    );
    expect(verified.members().map((m) => m.userId)).toEqual([alice.id, bob.id, carol.id]);
  });

  it('refuses invitations from non-members (404) and of members already in (409)', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    const before = await storeSnapshot(h);
    const outsider = await invite(carol, group.id, carol.id, fakeEntry(carol, carol.id));
    expect(outsider.status).toBe(404);
    const again = await invite(alice, group.id, bob.id, fakeEntry(alice, bob.id));
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('conflict');
    const unknown = await invite(alice, group.id, uuid(), fakeEntry(alice, uuid()));
    expect(unknown.status).toBe(404);
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('refuses an entry with a bad signature, another subject, a key that is not the invitee’s, or a stale head', async () => {
    const group = await createGroup(alice);
    const good = await h.signEntry(alice, group.id, 'add', bob);
    const before = await storeSnapshot(h);
    const sig = Buffer.from(good.sig, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    const flipped = await invite(alice, group.id, bob.id, { ...good, sig: sig.toString('base64url') });
    expect(flipped.status).toBe(400);
    expect((await errorOf(flipped)).message).toMatch(/signature/i);
    expect((await invite(alice, group.id, carol.id, good)).status).toBe(400);
    const wrongKey = memberEntryToWire(
      signMemberEntry(
        { ...memberEntryFromWire(group.id, good), subjectIdentityPk: carol.identity.signPk },
        alice.identity.signSk,
      ),
    );
    const mismatch = await invite(alice, group.id, bob.id, wrongKey);
    expect(mismatch.status).toBe(409);
    expect((await errorOf(mismatch)).message).toMatch(/key/);
    expect(await storeSnapshot(h)).toEqual(before);
    // Carol's invitation lands first: Bob's entry, signed against the old head, is a log_conflict.
    expect((await invite(alice, group.id, carol.id)).status).toBe(201);
    const stale = await invite(alice, group.id, bob.id, good);
    expect(stale.status).toBe(409);
    expect(await errorOf(stale)).toMatchObject({ code: 'log_conflict', details: { length: 2 } });
  });

  it('refuses an invitation past MAX_CHANNEL_MEMBERS with 409 channel_full', async () => {
    const h2 = await createHarness({ env: { MAX_CHANNEL_MEMBERS: '2' } });
    try {
      const [a, b, c] = [
        await h2.register('a-user'),
        await h2.register('b-user'),
        await h2.register('c-user'),
      ];
      const group = await h2.createGroup(a, 'tiny');
      await h2.invite(a, group.id, b);
      const full = await h2.request('POST', `/api/channels/${group.id}/members`, {
        cookie: a.cookie,
        body: { userId: c.id, entry: await h2.signEntry(a, group.id, 'add', c) },
      });
      expect(full.status).toBe(409);
      expect((await errorOf(full)).code).toBe('channel_full');
    } finally {
      await h2.close();
    }
  });

  it('lets a member leave with a signed `leave`, moving the epoch to the log length', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    const unsigned = await h.request('DELETE', `/api/channels/${group.id}/members/${bob.id}`, {
      cookie: bob.cookie,
    });
    expect(unsigned.status).toBe(400);
    const res = await remove(bob, group.id, bob);
    expect(res.status).toBe(204);
    expect(await h.store.getMember(group.id, bob.id)).toBeNull();
    const channel = await h.store.getChannel(group.id);
    expect(channel).toMatchObject({ logLength: 3, memberEpoch: 3 });
    const entry = await h.store.getMessage(group.id, channel?.lastSeq ?? -1);
    expect(entry?.system).toEqual({ event: 'leave', userId: bob.id, actorId: bob.id, logIndex: 2 });
    expect(h.events.at(-1)).toEqual({ type: 'membership', channelId: group.id, userIds: [alice.id, bob.id] });
    expect((await h.request('GET', `/api/channels/${group.id}`, { cookie: bob.cookie })).status).toBe(404);
  });

  it('lets only the owner remove someone else, and passes ownership on when the owner leaves', async () => {
    const group = await createGroup(alice);
    await invite(alice, group.id, bob.id);
    await invite(alice, group.id, carol.id);
    const before = await storeSnapshot(h);
    expect((await remove(bob, group.id, carol)).status).toBe(403);
    expect(await storeSnapshot(h)).toEqual(before);
    expect((await remove(alice, group.id, carol)).status).toBe(204);
    const channel = await h.store.getChannel(group.id);
    const entry = await h.store.getMessage(group.id, channel?.lastSeq ?? -1);
    expect(entry?.system).toEqual({ event: 'remove', userId: carol.id, actorId: alice.id, logIndex: 3 });
    expect((await remove(alice, group.id, alice)).status).toBe(204);
    expect(await h.store.getMembers(group.id)).toEqual([
      expect.objectContaining({ userId: bob.id, role: 'owner' }),
    ]);
  });

  it('answers 404 when removing someone who is not a member', async () => {
    const group = await createGroup(alice);
    const entry = fakeEntry(alice, bob.id);
    const res = await h.request('DELETE', `/api/channels/${group.id}/members/${bob.id}`, {
      cookie: alice.cookie,
      body: { entry: { ...entry, action: 'remove', subjectIdentityPk: '' } },
    });
    expect(res.status).toBe(404);
  });
});

describe('private channels made before signed membership', () => {
  /** A group as an older relay made it: member rows, no log. */
  async function legacyGroup(): Promise<string> {
    const id = newGroupChannelId();
    await h.store.createChannel({
      id,
      kind: 'group',
      name: 'old',
      members: [
        { userId: alice.id, role: 'owner' },
        { userId: bob.id, role: 'member' },
      ],
      createdAt: Date.now(),
    });
    return id;
  }

  function signedLog(id: string, members: TestUser[]): LogEntry[] {
    let log = MembershipLog.empty(id);
    const out: LogEntry[] = [];
    for (const m of members) {
      const action = m.id === alice.id ? 'create' : 'add';
      const entry = signMemberEntry(
        log.next(action, alice.id, m.id, m.identity.signPk),
        alice.identity.signSk,
      );
      log = log.withEntry(entry);
      out.push(memberEntryToWire(entry));
    }
    return out;
  }

  it('takes no invitation until the owner re-signs the members, but lets a member leave', async () => {
    const id = await legacyGroup();
    const res = await invite(alice, id, carol.id, fakeEntry(alice, carol.id));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/re-sign/);
    const left = await h.request('DELETE', `/api/channels/${id}/members/${bob.id}`, { cookie: bob.cookie });
    expect(left.status).toBe(204);
  });

  it('adopts the owner’s re-signed log of exactly the current members, and retires older sender keys', async () => {
    const id = await legacyGroup();
    await h.store.putShares(id, bob.id, 1, [{ recipientId: alice.id, sealed: new Uint8Array(144) }]);
    const post = (by: TestUser, entries: LogEntry[]) =>
      h.request('POST', `/api/channels/${id}/log`, { cookie: by.cookie, body: { entries } });
    expect((await post(bob, signedLog(id, [alice, bob]))).status).toBe(403);
    expect((await post(alice, signedLog(id, [alice, bob, carol]))).status).toBe(400);
    expect((await post(alice, signedLog(id, [alice]))).status).toBe(400);
    const adopted = await post(alice, signedLog(id, [alice, bob]));
    expect(adopted.status).toBe(201);
    expect(ChannelSummary.parse(await adopted.json())).toMatchObject({ logLength: 2, memberEpoch: 2 });
    const [share] = await h.store.getShares(id, alice.id);
    expect(share?.epoch).toBe(0);
    expect((await post(alice, signedLog(id, [alice, bob]))).status).toBe(409);
    expect((await invite(alice, id, carol.id)).status).toBe(201);
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
    expect((await invite(alice, dm.id, carol.id, fakeEntry(alice, carol.id))).status).toBe(400);
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
    expect((await invite(bob, BROADCAST_CHANNEL_ID, carol.id, fakeEntry(bob, carol.id))).status).toBe(400);
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
