// The relay is the attacker (DESIGN §1, §7). A real relay process whose database the test edits
// behind its back, and whose answers a fetch wrapper rewrites, driven by the project's own
// protocol client. Every attack must be either impossible or shown to the user, never silent.
import { randomBytes } from 'node:crypto';
import { encodeFields, generateIdentity, INTERACTIVE_KDF_PARAMS, ready, toBase64 } from '@parley/crypto-core';
import {
  BROADCAST_CHANNEL_ID as B,
  type ChannelSummary,
  type DirectoryResponse,
  type LogResponse,
} from '@parley/server/protocol';
import {
  type KdfChange,
  KdfChangeRefusedError,
  type KdfMemory,
  type KdfRecord,
  type ParleyClient,
  TrustError,
  TrustUnknownError,
} from '@parley/web/client';
import _sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { openRelayDb, type RelayDb } from '../support/relay-db';
import { type Recorded, recording, tampering } from '../support/traffic';
import { makeUser, newClient, type TestUser, texts } from '../support/users';

let relay: Relay;
let db: RelayDb;
const users: TestUser[] = [];
const others: ParleyClient[] = [];

beforeAll(async () => {
  await ready();
  relay = await startRelay({ name: 'malicious' });
  db = openRelayDb(relay);
});
afterAll(async () => {
  for (const u of users) u.client.lock();
  for (const c of others) c.lock();
  db?.close();
  await relay?.dispose();
});

async function user(name: string, opts: Parameters<typeof makeUser>[2] = {}): Promise<TestUser> {
  const u = await makeUser(relay, name, opts);
  users.push(u);
  return u;
}

/** Another "browser" of an existing user, optionally behind a lying relay. */
async function browser(u: TestUser, opts: Parameters<typeof newClient>[1] = {}): Promise<ParleyClient> {
  const c = newClient(relay, opts);
  others.push(c.client);
  await c.client.login({ username: u.username, password: u.password });
  return c.client;
}

const sharesTo = async (channelId: string, recipientId: string) =>
  (
    await db.rows<{ n: number }>(
      'SELECT count(*) AS n FROM sender_key_shares WHERE channel_id = ? AND recipient_id = ?',
      [channelId, recipientId],
    )
  )[0]?.n;

/** What a reader decrypts of a channel: every entry, from scratch. */
async function readAll(client: ParleyClient, channelId: string) {
  await client.refreshChannels();
  await client.loadNewer(channelId);
  return client.timeline(channelId);
}

const alertKinds = (client: ParleyClient, channelId: string) => client.alerts(channelId).map((a) => a.kind);

describe('ghost members', () => {
  it('a ghost row in a private channel gets no share, decrypts nothing, and Alice is warned', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const mallory = await user('mallory'); // an account the server controls
    const group = await alice.client.createGroup('secret');
    await alice.client.invite(group.id, bob.id);
    await alice.client.send(group.id, 'before the ghost');

    // The server adds Mallory with one row (from the start of history) and bumps the epoch.
    await db.run("INSERT INTO members (channel_id, user_id, role, joined_seq) VALUES (?, ?, 'member', 1)", [
      group.id,
      mallory.id,
    ]);
    await db.run('UPDATE channels SET member_epoch = member_epoch + 1 WHERE id = ?', [group.id]);

    await expect(alice.client.send(group.id, 'after the ghost')).rejects.toBeInstanceOf(TrustError);
    expect(await sharesTo(group.id, mallory.id)).toBe(0);
    const seen = await readAll(mallory.client, group.id);
    expect(seen.filter((m) => m.status === 'ok')).toEqual([]);
    expect(seen.some((m) => m.status === 'undecryptable')).toBe(true);
    expect(alice.client.alerts(group.id)).toContainEqual(
      expect.objectContaining({ kind: 'ghost-member', userIds: [mallory.id] }),
    );
    // Bob, who is really in the channel, still reads what Alice sent before.
    await readAll(bob.client, group.id);
    expect(texts(bob.client, group.id)).toEqual(['before the ghost']);
  });

  it('a ghost hidden from a DM’s member list but named as missing gets no share either', async () => {
    const mallory = await user('mallory');
    const hide = (body: unknown) => {
      const strip = (c: ChannelSummary) => ({
        ...c,
        members: c.members.filter((m) => m.userId !== mallory.id),
      });
      const b = body as { channels?: ChannelSummary[] } & ChannelSummary;
      return b.channels ? { channels: b.channels.map(strip) } : strip(b);
    };
    const alice = await user('alice', {
      client: {
        wrapFetch: (f) => tampering(f, [{ match: /^\/api\/channels(\/dm-[0-9a-f]+)?$/, rewrite: hide }]),
      },
    });
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    await alice.client.send(dm.id, 'dm before');
    await db.run("INSERT INTO members (channel_id, user_id, role, joined_seq) VALUES (?, ?, 'member', 1)", [
      dm.id,
      mallory.id,
    ]);

    await expect(alice.client.send(dm.id, 'dm after')).rejects.toBeInstanceOf(TrustError);
    expect(await sharesTo(dm.id, mallory.id)).toBe(0);
    const seen = await readAll(mallory.client, dm.id);
    expect(seen.filter((m) => m.status === 'ok')).toEqual([]);
    expect(alice.client.alerts(dm.id)).toContainEqual(
      expect.objectContaining({ kind: 'ghost-member', userIds: [mallory.id] }),
    );
  });

  it('a removal hidden from members: one seals only to the signed members, one sees the views differ', async () => {
    const alice = await user('alice');
    const bobRaw = await user('bob');
    const carol = await user('carol');
    const daveRaw = await user('dave');
    const group = await alice.client.createGroup('after carol');
    for (const u of [bobRaw, carol, daveRaw]) await alice.client.invite(group.id, u.id);
    // Bob's relay keeps listing Carol and names her as missing, but serves the real log.
    const keepCarol = (body: unknown) => {
      const add = (c: ChannelSummary) =>
        c.id === group.id && !c.members.some((m) => m.userId === carol.id)
          ? { ...c, members: [...c.members, { userId: carol.id, role: 'member' as const, joinedSeq: 5 }] }
          : c;
      const b = body as { channels?: ChannelSummary[] } & ChannelSummary;
      return b.channels ? { channels: b.channels.map(add) } : add(b);
    };
    const bob = await browser(bobRaw, {
      wrapFetch: (f) => tampering(f, [{ match: /^\/api\/channels(\/g-[0-9a-f-]+)?$/, rewrite: keepCarol }]),
    });
    // Dave's relay hides the removal entry itself.
    const hideRemoval = (body: unknown) => {
      const page = body as LogResponse;
      const entries = page.entries.filter((e) => !(e.action === 'remove' && e.subjectId === carol.id));
      return { entries, length: Math.min(page.length, entries.length + (page.entries[0]?.index ?? 0)) };
    };
    const dave = await browser(daveRaw, {
      wrapFetch: (f) => tampering(f, [{ match: /\/log$/, rewrite: hideRemoval }]),
    });
    await bob.refreshChannels();
    await dave.refreshChannels();
    await dave.groupLogs.sync(group.id);

    await alice.client.removeMember(group.id, carol.id);
    await alice.client.send(group.id, 'carol is gone');

    // Bob has the signed log: his key goes to Alice, Dave and himself, and Carol is refused.
    await bob.send(group.id, 'bob after');
    const bobShares = await db.rows<{ recipient_id: string }>(
      'SELECT recipient_id FROM sender_key_shares WHERE channel_id = ? AND sender_id = ?',
      [group.id, bobRaw.id],
    );
    expect(bobShares.map((r) => r.recipient_id).sort()).toEqual([alice.id, bobRaw.id, daveRaw.id].sort());
    expect(alertKinds(bob, group.id)).toContain('ghost-member');

    // Dave sees Alice's message signed against a membership head his relay does not show him.
    await dave.loadNewer(group.id);
    await expect.poll(() => alertKinds(dave, group.id)).toContain('views-differ');
    await expect(dave.send(group.id, 'dave after')).rejects.toBeInstanceOf(TrustError);
    expect(
      await db.rows(
        'SELECT 1 FROM sender_key_shares WHERE channel_id = ? AND sender_id = ? AND recipient_id = ?',
        [group.id, daveRaw.id, carol.id],
      ),
    ).toEqual([]);
  });
});

describe('pins fail closed', () => {
  it('a rolled-back pins blob with a forged bundle: trust unknown, nothing re-pinned or uploaded, sends blocked', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    await alice.client.send(dm.id, 'hello bob');
    const old = must(await alice.client.api.getPins(), 'a pins blob');
    await alice.client.contacts.markVerified(bob.id);
    const seen = alice.client.pinsVersion;

    const forged = generateIdentity();
    const bundle = {
      v: 1 as const,
      identityKey: toBase64(forged.signPk),
      encKey: toBase64(forged.boxPk),
      encKeySig: toBase64(
        _sodium.crypto_sign_detached(
          encodeFields('parley/enckey/v1', forged.signPk, forged.boxPk),
          forged.signSk,
        ),
      ),
    };
    const traffic: Recorded[] = [];
    const lie = (f: Parameters<typeof tampering>[0]) =>
      recording(
        tampering(f, [
          { match: /^\/api\/me\/pins$/, rewrite: () => ({ blob: old }) },
          {
            match: /^\/api\/users$/,
            rewrite: (b) => ({
              users: (b as DirectoryResponse).users.map((u) => (u.id === bob.id ? { ...u, bundle } : u)),
            }),
          },
          { match: new RegExp(`^/api/users/${bob.id}$`), rewrite: (b) => ({ ...(b as object), bundle }) },
        ]),
        traffic,
      );
    // The same browser logs in again: it remembers the pins version it saw.
    const again = await browser(alice, { wrapFetch: lie, pinsVersion: seen });
    expect(again.trustUnknown).toMatch(/older copy/);
    expect(again.contacts.pins.get(bob.id)).toBeUndefined();
    await expect(again.send(dm.id, 'to the forged key')).rejects.toBeInstanceOf(TrustUnknownError);
    expect(traffic.filter((r) => r.path.startsWith('/api/me/pins') && r.method !== 'GET')).toEqual([]);
    expect(traffic.filter((r) => r.path.includes('/shares') && r.method === 'POST')).toEqual([]);
    // The real blob on the relay is untouched.
    expect(await alice.client.api.getPins()).not.toBe(old);
  });

  it('pins withheld from a new browser: trust unknown, nothing uploaded, sends blocked', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    await alice.client.contacts.markVerified(bob.id);
    const traffic: Recorded[] = [];
    const fresh = await browser(alice, {
      wrapFetch: (f) =>
        recording(tampering(f, [{ match: /^\/api\/me\/pins$/, rewrite: () => ({ blob: null }) }]), traffic),
    });
    expect(fresh.trustUnknown).toMatch(/withheld/);
    await expect(fresh.send(dm.id, 'hi')).rejects.toBeInstanceOf(TrustUnknownError);
    expect(traffic.filter((r) => r.path === '/api/me/pins' && r.method === 'PUT')).toEqual([]);
  });
});

describe('timeline integrity', () => {
  it('a replayed message shows once, and the copy as a replay', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    const sent = await alice.client.send(dm.id, 'pay 10 to carol');
    await db.run('DROP INDEX IF EXISTS messages_client_msg_uq');
    const seq = sent.seq + 1;
    await db.run(
      `INSERT INTO messages (channel_id, seq, kind, sender_id, key_id, client_msg_id, ciphertext, sent_at, deleted)
       SELECT channel_id, ?, kind, sender_id, key_id, client_msg_id, ciphertext, sent_at + 3600000, deleted
       FROM messages WHERE channel_id = ? AND seq = ?`,
      [seq, dm.id, sent.seq],
    );
    await db.run('UPDATE channels SET last_seq = ? WHERE id = ?', [seq, dm.id]);
    const seen = await readAll(bob.client, dm.id);
    expect(texts(bob.client, dm.id)).toEqual(['pay 10 to carol']);
    expect(seen.find((m) => m.seq === seq)?.status).toBe('replay');
  });

  it('two messages swapped by the server are flagged out of order', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    const first = await alice.client.send(dm.id, 'first');
    const second = await alice.client.send(dm.id, 'second');
    await db.run('UPDATE messages SET seq = -1 WHERE channel_id = ? AND seq = ?', [dm.id, first.seq]);
    await db.run('UPDATE messages SET seq = ? WHERE channel_id = ? AND seq = ?', [
      first.seq,
      dm.id,
      second.seq,
    ]);
    await db.run('UPDATE messages SET seq = ? WHERE channel_id = ? AND seq = -1', [second.seq, dm.id]);
    const seen = await readAll(bob.client, dm.id);
    expect(texts(bob.client, dm.id)).toEqual(['second', 'first']);
    expect(seen.find((m) => m.text === 'second')?.flags).toContain('out-of-order');
  });

  it('a message dropped with the seqs renumbered is shown as withheld by the server', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    await alice.client.send(dm.id, 'one');
    const two = await alice.client.send(dm.id, 'two');
    const three = await alice.client.send(dm.id, 'three');
    await db.run('DELETE FROM messages WHERE channel_id = ? AND seq = ?', [dm.id, two.seq]);
    await db.run('UPDATE messages SET seq = ? WHERE channel_id = ? AND seq = ?', [two.seq, dm.id, three.seq]);
    await db.run('UPDATE channels SET last_seq = ? WHERE id = ?', [two.seq, dm.id]);
    const seen = await readAll(bob.client, dm.id);
    expect(texts(bob.client, dm.id)).toEqual(['one', 'three']);
    expect(seen.find((m) => m.text === 'three')?.flags).toContain('withheld');
    expect(seen.find((m) => m.text === 'one')?.flags).toBeUndefined();
  });

  it('a tombstone the sender never signed reads "removed by the server"; a real delete reads deleted', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dm = await alice.client.openDm(bob.id);
    const kept = await alice.client.send(dm.id, 'I never deleted this');
    const gone = await alice.client.send(dm.id, 'I deleted this');
    await alice.client.deleteMessage(dm.id, gone.seq);
    await db.run('UPDATE messages SET deleted = 1, ciphertext = NULL WHERE channel_id = ? AND seq = ?', [
      dm.id,
      kept.seq,
    ]);
    const seen = await readAll(bob.client, dm.id);
    expect(seen.find((m) => m.seq === kept.seq)?.status).toBe('removed');
    expect(seen.find((m) => m.seq === gone.seq)?.status).toBe('deleted');
  });

  it('a "left" notice no member signed is flagged, and the member stays in the verified set', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const group = await alice.client.createGroup('notices');
    await alice.client.invite(group.id, bob.id);
    const last = must((await alice.client.channels.get(group.id, true)).lastSeq, 'lastSeq');
    await db.run(
      `INSERT INTO messages (channel_id, seq, kind, sent_at, deleted, system_event, system_user_id, system_actor_id)
       VALUES (?, ?, 'system', ?, 0, 'leave', ?, ?)`,
      [group.id, last + 1, Date.now(), bob.id, bob.id],
    );
    await db.run('UPDATE channels SET last_seq = ? WHERE id = ?', [last + 1, group.id]);
    const seen = await readAll(alice.client, group.id);
    const notice = must(
      seen.find((m) => m.seq === last + 1),
      'the forged notice',
    );
    expect(notice.flags).toContain('unsigned-notice');
    expect(alice.client.members(group.id)?.map((m) => m.userId)).toContain(bob.id);
  });
});

describe('keys nobody can use', () => {
  it('refuses to register a validly signed small-order encryption key, and broadcast keeps working', async () => {
    await _sodium.ready;
    const alice = await user('alice');
    const bob = await user('bob');
    const id = generateIdentity();
    const zero = new Uint8Array(32);
    const sig = _sodium.crypto_sign_detached(encodeFields('parley/enckey/v1', id.signPk, zero), id.signSk);
    const res = await fetch(`${relay.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: relay.origin },
      body: JSON.stringify({
        username: `zero-${randomBytes(3).toString('hex')}`,
        salt: toBase64(randomBytes(16)),
        kdf: INTERACTIVE_KDF_PARAMS,
        authKey: toBase64(randomBytes(32)),
        bundle: { v: 1, identityKey: toBase64(id.signPk), encKey: toBase64(zero), encKeySig: toBase64(sig) },
        keyBlob: toBase64(randomBytes(136)),
        pins: toBase64(randomBytes(120)),
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/encKey/);
    await alice.client.send(B, 'broadcast still works');
    await bob.client.send(B, 'for everyone');
  });

  it('quarantines at start an account with such a key that got into the database before the check', async () => {
    const alice = await user('alice');
    const victim = await user('victim');
    const id = generateIdentity();
    const zero = new Uint8Array(32);
    const sig = _sodium.crypto_sign_detached(encodeFields('parley/enckey/v1', id.signPk, zero), id.signSk);
    const bundle = JSON.stringify({
      v: 1,
      identityKey: toBase64(id.signPk),
      encKey: toBase64(zero),
      encKeySig: toBase64(sig),
    });
    await db.run('UPDATE users SET bundle = ? WHERE id = ?', [bundle, victim.id]);
    await relay.restart();
    const [row] = await db.rows<{ disabled: number }>('SELECT disabled FROM users WHERE id = ?', [victim.id]);
    expect(row?.disabled).toBe(1);
    const member = await db.rows('SELECT 1 FROM members WHERE channel_id = ? AND user_id = ?', [
      B,
      victim.id,
    ]);
    expect(member).toEqual([]);
    await expect(alice.client.send(B, 'after the quarantine')).resolves.toMatchObject({ channelId: B });
    expect(relay.logs()).toContain('unusable-keys');
  });
});

describe('password hashing parameters', () => {
  /** This browser's memory of salts and parameters, shared by its clients. */
  function browserMemory(): KdfMemory & { records: Map<string, KdfRecord> } {
    const records = new Map<string, KdfRecord>();
    return { records, get: (u) => records.get(u) ?? null, set: (u, r) => void records.set(u, r) };
  }

  it('asks before deriving when the salt changed without a password change made in this browser', async () => {
    const memory = browserMemory();
    const alice = await user('alice', { client: { kdfMemory: memory } });
    const changes: KdfChange[] = [];
    const traffic: Recorded[] = [];
    const c = newClient(relay, {
      kdfMemory: memory,
      confirmKdfChange: async (change) => {
        changes.push(change);
        return false;
      },
      wrapFetch: (f) =>
        recording(
          tampering(f, [
            {
              match: /^\/api\/auth\/kdf$/,
              rewrite: (b) => ({ ...(b as object), salt: toBase64(randomBytes(16)) }),
            },
          ]),
          traffic,
        ),
    });
    others.push(c.client);
    await expect(
      c.client.login({ username: alice.username, password: alice.password }),
    ).rejects.toBeInstanceOf(KdfChangeRefusedError);
    expect(changes).toEqual([expect.objectContaining({ saltChanged: true, weaker: false })]);
    expect(traffic.filter((r) => r.path === '/api/auth/login')).toEqual([]);
  });

  it('asks before deriving with weaker parameters than this browser used, and not after a change made here', async () => {
    const memory = browserMemory();
    const alice = await user('alice', { client: { kdfMemory: memory } });
    const stronger = { ...INTERACTIVE_KDF_PARAMS, opslimit: INTERACTIVE_KDF_PARAMS.opslimit + 1 };
    const saved = must(memory.records.get(alice.username), 'the salt remembered at registration');
    memory.set(alice.username, { ...saved, kdf: stronger });
    const asked: KdfChange[] = [];
    const confirmKdfChange = async (change: KdfChange) => {
      asked.push(change);
      return false;
    };
    const c = newClient(relay, { kdfMemory: memory, confirmKdfChange });
    others.push(c.client);
    await expect(c.client.login({ username: alice.username, password: alice.password })).rejects.toThrow(
      /weaker/,
    );
    expect(asked).toEqual([expect.objectContaining({ weaker: true })]);
    // A password change made in this browser moves the salt with no question asked afterwards.
    memory.set(alice.username, saved);
    await alice.client.changePassword({ oldPassword: alice.password, newPassword: 'a much newer secret' });
    const next = newClient(relay, { kdfMemory: memory, confirmKdfChange });
    others.push(next.client);
    await next.client.login({ username: alice.username, password: 'a much newer secret' });
    expect(asked).toHaveLength(1);
  });
});

describe('keys in doubt inside a group', () => {
  it('shows a key bound in the member list that differs from the pinned one as a key change', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const forged = generateIdentity();
    // Carol's relay gives her a forged key for Bob from the start: she pins it on first use.
    const lie = (body: unknown) => ({
      users: (body as DirectoryResponse).users.map((u) =>
        u.id === bob.id ? { ...u, bundle: signedBundle(forged) } : u,
      ),
    });
    const carolUser = await user('carol', {
      client: { wrapFetch: (f) => tampering(f, [{ match: /^\/api\/users$/, rewrite: lie }]) },
    });
    const carol = carolUser.client;
    expect(carol.contacts.peek(bob.id)?.identityKey).toEqual(forged.signPk);
    const group = await alice.client.createGroup('with bob');
    await alice.client.invite(group.id, bob.id);
    await alice.client.invite(group.id, carolUser.id);
    await carol.refreshChannels();
    await carol.groupLogs.sync(group.id);
    expect(carol.alerts(group.id)).toContainEqual(
      expect.objectContaining({ kind: 'key-mismatch', userIds: [bob.id] }),
    );
  });

  it('skips a member whose key is unusable, seals to the others, and says why the message did not go', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const group = await alice.client.createGroup('one broken key');
    await alice.client.invite(group.id, bob.id);
    await alice.client.invite(group.id, carol.id);
    const zero = signedBundle(generateIdentity(), new Uint8Array(32));
    const lie = (body: unknown) => {
      const b = body as DirectoryResponse & { id?: string };
      if (b.users) return { users: b.users.map((u) => (u.id === carol.id ? { ...u, bundle: zero } : u)) };
      return b.id === carol.id ? { ...b, bundle: zero } : b;
    };
    const again = await browser(alice, {
      wrapFetch: (f) => tampering(f, [{ match: /^\/api\/users(\/[0-9a-f-]+)?$/, rewrite: lie }]),
    });
    const err = await again.send(group.id, 'to bob at least').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrustError);
    expect((err as Error).message).toMatch(/unusable/);
    expect(again.alerts(group.id)).toContainEqual(
      expect.objectContaining({ kind: 'unusable-key', userIds: [carol.id] }),
    );
    const sealed = await db.rows<{ recipient_id: string }>(
      'SELECT recipient_id FROM sender_key_shares WHERE channel_id = ? AND sender_id = ?',
      [group.id, alice.id],
    );
    expect(sealed.map((r) => r.recipient_id)).toContain(bob.id);
    expect(sealed.map((r) => r.recipient_id)).not.toContain(carol.id);
  });
});

/** A bundle whose encKeySig verifies, for any encryption key (a forged or a broken one). */
function signedBundle(identity: ReturnType<typeof generateIdentity>, encKey = identity.boxPk) {
  return {
    v: 1 as const,
    identityKey: toBase64(identity.signPk),
    encKey: toBase64(encKey),
    encKeySig: toBase64(
      _sodium.crypto_sign_detached(
        encodeFields('parley/enckey/v1', identity.signPk, encKey),
        identity.signSk,
      ),
    ),
  };
}
