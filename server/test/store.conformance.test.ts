// One conformance suite for every Store backend. SQLite (a temp file) always runs; MySQL runs when
// MYSQL_URL is set, on a fresh database per run that is dropped afterwards, and is required under
// CI=true. Every test opens an empty store.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERACTIVE_KDF_PARAMS as KDF } from '@parley/crypto-core';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/db';
import {
  type InviteRecord,
  InviteUnavailable,
  type LogEntryRecord,
  type NewInvite,
  type NewMessage,
  type NewUser,
  RecordNotFound,
  type Store,
  UniqueViolation,
  type UserRecord,
} from '../src/db/store';

const MYSQL_URL = process.env.MYSQL_URL;
const IN_CI = process.env.CI === 'true';

interface Harness {
  name: string;
  /** Opens an empty store. */
  open(): Promise<Store>;
  /**
   * A second store on the database of the last open(), as a second relay would open it; null for
   * SQLite, which one process owns (its synchronous driver would block on its own lock).
   */
  openSecond(): Promise<Store> | null;
  /** Removes whatever open() created. */
  dispose(): Promise<void>;
}

function sqliteHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
  let n = 0;
  return {
    name: 'sqlite',
    open: () => openStore(join(dir, `store-${++n}.db`)),
    openSecond: () => null,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * One database per run (parley_conf_<random>), dropped at the end. Each open() empties its tables
 * first: much cheaper than migrating a new database per test.
 */
function mysqlHarness(baseUrl: string): Harness {
  const database = `parley_conf_${randomBytes(4).toString('hex')}`;
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  const storeUrl = url.href;
  url.pathname = '/';
  const serverUrl = url.href;
  let admin: mysql.Connection | undefined;

  async function emptyTables(conn: mysql.Connection): Promise<void> {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name <> '__drizzle_migrations'",
      [database],
    );
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const row of rows) await conn.query(`DELETE FROM \`${database}\`.\`${String(row.name)}\``);
    await conn.query('SET FOREIGN_KEY_CHECKS = 1');
  }

  return {
    name: 'mysql',
    open: async () => {
      admin ??= await mysql.createConnection({ uri: serverUrl });
      await emptyTables(admin);
      return openStore(storeUrl);
    },
    openSecond: () => openStore(storeUrl),
    dispose: async () => {
      if (admin === undefined) return;
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

const harnesses: Harness[] = [sqliteHarness(), ...(MYSQL_URL ? [mysqlHarness(MYSQL_URL)] : [])];

describe('MySQL backend', () => {
  it.runIf(IN_CI)('is configured under CI, so the conformance suite also runs on MySQL', () => {
    expect(MYSQL_URL, 'MYSQL_URL must be set when CI=true').toBeTruthy();
  });
});

// ---- fixtures ----

const b64 = (n: number) => randomBytes(n).toString('base64url');
const bytes = (n: number) => new Uint8Array(randomBytes(n));

function newUser(username: string, createdAt = 1_000): Omit<NewUser, 'role'> {
  return {
    id: randomUUID(),
    username,
    displayName: `${username} display`,
    email: null,
    kdfSalt: bytes(16),
    kdf: KDF,
    verifier: `verifier-${username}`,
    bundle: { v: 1, identityKey: b64(32), encKey: b64(32), encKeySig: b64(64) },
    keyBlob: bytes(136),
    recoveryVerifier: null,
    recoveryBlob: null,
    createdAt,
  };
}

describe.each(harnesses)('$name store', (harness) => {
  let store: Store;

  beforeEach(async () => {
    store = await harness.open();
  });
  afterEach(async () => {
    await store.close();
  });
  afterAll(() => harness.dispose());

  const register = (name: string, opts?: { forceAdmin?: boolean }): Promise<UserRecord> =>
    store.createUser(newUser(name), opts);

  async function group(owner: UserRecord, ...others: UserRecord[]): Promise<string> {
    const id = `g-${randomUUID()}`;
    await store.createChannel({
      id,
      kind: 'group',
      name: 'Group',
      members: [
        { userId: owner.id, role: 'owner' },
        ...others.map((u) => ({ userId: u.id, role: 'member' as const })),
      ],
      createdAt: 2_000,
    });
    return id;
  }

  /** Uploads a share of (sender, keyId) for every current member; returns the key's epoch. */
  async function shareToAll(channelId: string, senderId: string, keyId: number): Promise<number> {
    const members = await store.getMembers(channelId);
    return store.putShares(
      channelId,
      senderId,
      keyId,
      members.map((m) => ({ recipientId: m.userId, sealed: bytes(144) })),
    );
  }

  function msg(channelId: string, senderId: string, keyId: number, clientMsgId = randomUUID()): NewMessage {
    return { channelId, senderId, keyId, clientMsgId, ciphertext: bytes(120) };
  }

  async function sendOk(channelId: string, senderId: string, keyId: number): Promise<number> {
    const [result] = await store.appendMessages([msg(channelId, senderId, keyId)], 5_000);
    if (!result?.ok) throw new Error(`send failed: ${JSON.stringify(result)}`);
    return result.message.seq;
  }

  // ---- users ----

  describe('users', () => {
    it('makes the first registered user admin and later users plain users', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      expect(alice.role).toBe('admin');
      expect(bob.role).toBe('user');
    });

    it('makes exactly one admin when the first users register concurrently', async () => {
      const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((name) => register(name)));
      expect(users.filter((u) => u.role === 'admin')).toHaveLength(1);
      const joins = (await store.getMembers('broadcast')).map((m) => m.joinedSeq).sort((x, y) => x - y);
      expect(joins).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('makes a later user admin when forceAdmin is set', async () => {
      await register('alice');
      const bob = await register('bob', { forceAdmin: true });
      expect(bob.role).toBe('admin');
    });

    it('adds a new user to broadcast with a join entry whose seq is their joinedSeq', async () => {
      await register('alice');
      const bob = await register('bob');
      const member = await store.getMember('broadcast', bob.id);
      expect(member).toEqual({ channelId: 'broadcast', userId: bob.id, role: 'member', joinedSeq: 2 });
      const entry = await store.getMessage('broadcast', 2);
      expect(entry).toMatchObject({
        kind: 'system',
        system: { event: 'join', userId: bob.id, actorId: null, logIndex: null },
      });
      expect((await store.getChannel('broadcast'))?.memberEpoch).toBe(0);
    });

    it('rejects a username taken in another letter case with UniqueViolation', async () => {
      await register('alice');
      await expect(register('ALICE')).rejects.toBeInstanceOf(UniqueViolation);
      expect(await store.listUsers()).toHaveLength(1);
    });

    it('stores usernames lower-cased and finds them in any case', async () => {
      const user = await register('Carol.X');
      expect(user.username).toBe('carol.x');
      expect((await store.getUserByUsername('CAROL.x'))?.id).toBe(user.id);
    });

    it('round-trips every user field', async () => {
      const input = {
        ...newUser('dave'),
        email: 'd@example.org',
        recoveryVerifier: 'rv',
        recoveryBlob: bytes(136),
      };
      await store.createUser(input);
      const user = await store.getUserById(input.id);
      expect(user).toEqual({
        ...input,
        role: 'admin',
        disabled: false,
        avatarVersion: null,
        lastSeenAt: null,
      });
      expect(user?.keyBlob).toBeInstanceOf(Uint8Array);
    });

    it('updates profile, credentials, recovery, role, disabled flag and last seen', async () => {
      const user = await register('erin');
      expect(
        await store.updateProfile(user.id, { displayName: 'Erin E', email: 'e@example.org' }),
      ).toMatchObject({
        displayName: 'Erin E',
        email: 'e@example.org',
      });
      const creds = { kdfSalt: bytes(16), kdf: { ...KDF, opslimit: 3 }, verifier: 'v2', keyBlob: bytes(136) };
      await store.updateCredentials(user.id, creds);
      await store.setRecovery(user.id, { verifier: 'rv', blob: bytes(136) });
      await store.setRole(user.id, 'user');
      await store.setDisabled(user.id, true);
      await store.touchLastSeen([user.id], 9_999);
      const updated = await store.getUserById(user.id);
      expect(updated).toMatchObject({
        ...creds,
        role: 'user',
        disabled: true,
        lastSeenAt: 9_999,
        recoveryVerifier: 'rv',
      });
      await store.setRecovery(user.id, null);
      expect(await store.getUserById(user.id)).toMatchObject({ recoveryVerifier: null, recoveryBlob: null });
    });

    it('sets lastSeenAt of several users with one call, and of no one else', async () => {
      const [a, b, c] = [await register('ann'), await register('ben'), await register('cat')];
      await store.touchLastSeen([a.id, b.id], 5_000);
      expect((await store.getUserById(a.id))?.lastSeenAt).toBe(5_000);
      expect((await store.getUserById(b.id))?.lastSeenAt).toBe(5_000);
      expect((await store.getUserById(c.id))?.lastSeenAt).toBeNull();
      await store.touchLastSeen([], 6_000);
    });

    it('returns null when updating the profile of a missing user', async () => {
      expect(await store.updateProfile(randomUUID(), { displayName: 'x' })).toBeNull();
    });
  });

  // ---- invites ----

  describe('invites', () => {
    function newInvite(extra: Partial<NewInvite> = {}): NewInvite {
      return {
        id: randomUUID(),
        codeHash: randomBytes(32).toString('hex'),
        source: 'panel',
        createdBy: null,
        label: null,
        username: null,
        role: 'user',
        maxUses: 1,
        expiresAt: 10_000,
        createdAt: 1_000,
        ...extra,
      };
    }
    const registerWith = (name: string, invite: InviteRecord, now = 5_000) =>
      store.createUser(newUser(name), { invite: { id: invite.id, now } });

    it('round-trips an invite, finds it by code hash and lists the newest first', async () => {
      const admin = await register('alice');
      const older = await store.createInvite(newInvite({ createdBy: admin.id, label: 'book club' }));
      const newer = await store.createInvite(
        newInvite({ source: 'cli', username: 'bob', role: 'admin', maxUses: 3, createdAt: 2_000 }),
      );
      expect(older).toMatchObject({ uses: 0, revoked: false, label: 'book club', createdBy: admin.id });
      expect(await store.getInviteByCodeHash(newer.codeHash)).toEqual(newer);
      expect(await store.getInvite(older.id)).toEqual(older);
      expect(await store.getInviteByCodeHash('0'.repeat(64))).toBeNull();
      expect((await store.listInvites()).map((i) => i.id)).toEqual([newer.id, older.id]);
    });

    it('refuses a second invite with the same code hash', async () => {
      const invite = await store.createInvite(newInvite());
      await expect(store.createInvite(newInvite({ codeHash: invite.codeHash }))).rejects.toBeInstanceOf(
        UniqueViolation,
      );
    });

    it('takes one use per registration, and refuses past maxUses without creating the user', async () => {
      const invite = await store.createInvite(newInvite({ maxUses: 2 }));
      await registerWith('ann', invite);
      await registerWith('ben', invite);
      await expect(registerWith('cat', invite)).rejects.toBeInstanceOf(InviteUnavailable);
      expect(await store.getUserByUsername('cat')).toBeNull();
      expect((await store.getInvite(invite.id))?.uses).toBe(2);
    });

    it('refuses an expired or revoked invite, and an unknown one', async () => {
      const expiring = await store.createInvite(newInvite({ expiresAt: 5_000 }));
      await expect(registerWith('ann', expiring, 5_000)).rejects.toBeInstanceOf(InviteUnavailable);
      const revoked = await store.createInvite(newInvite());
      expect(await store.revokeInvite(revoked.id)).toBe(true);
      expect(await store.revokeInvite(revoked.id)).toBe(true);
      expect((await store.getInvite(revoked.id))?.revoked).toBe(true);
      await expect(registerWith('ben', revoked)).rejects.toBeInstanceOf(InviteUnavailable);
      expect(await store.revokeInvite(randomUUID())).toBe(false);
      await expect(
        store.createUser(newUser('cat'), { invite: { id: randomUUID(), now: 5_000 } }),
      ).rejects.toBeInstanceOf(InviteUnavailable);
      expect(await store.listUsers()).toEqual([]);
    });

    it('does not spend a use on a registration that fails (username taken)', async () => {
      await register('ann');
      const invite = await store.createInvite(newInvite());
      await expect(registerWith('ANN', invite)).rejects.toBeInstanceOf(UniqueViolation);
      expect((await store.getInvite(invite.id))?.uses).toBe(0);
    });

    it('lets exactly one of many concurrent registrations (on two stores for MySQL) use a single-use invite', async () => {
      const second = (await harness.openSecond()) ?? store;
      try {
        const invite = await store.createInvite(newInvite());
        const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
        const results = await Promise.allSettled(
          names.map((name, i) =>
            (i % 2 === 0 ? store : second).createUser(newUser(name), {
              invite: { id: invite.id, now: 5_000 },
            }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(names.length - 1);
        for (const reason of lost) expect(reason).toBeInstanceOf(InviteUnavailable);
        expect((await store.getInvite(invite.id))?.uses).toBe(1);
        expect(await store.listUsers()).toHaveLength(1);
      } finally {
        if (second !== store) await second.close();
      }
    });

    it('keeps an invite when the admin who made it is deleted', async () => {
      const admin = await register('alice');
      const invite = await store.createInvite(newInvite({ createdBy: admin.id }));
      await store.deleteUser(admin.id);
      expect((await store.getInvite(invite.id))?.createdBy).toBe(admin.id);
    });
  });

  // ---- sessions ----

  describe('sessions', () => {
    it('creates, reads and deletes a session', async () => {
      const user = await register('alice');
      const session = { tokenHash: 'h1', userId: user.id, createdAt: 1, expiresAt: 100 };
      await store.createSession(session);
      expect(await store.getSession('h1')).toEqual(session);
      await store.deleteSession('h1');
      expect(await store.getSession('h1')).toBeNull();
    });

    it('ends every session of a user except the kept one', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      for (const hash of ['a1', 'a2', 'a3']) {
        await store.createSession({ tokenHash: hash, userId: alice.id, createdAt: 1, expiresAt: 100 });
      }
      await store.createSession({ tokenHash: 'b1', userId: bob.id, createdAt: 1, expiresAt: 100 });
      await store.deleteUserSessions(alice.id, 'a2');
      expect(await store.getSession('a1')).toBeNull();
      expect(await store.getSession('a2')).not.toBeNull();
      expect(await store.getSession('a3')).toBeNull();
      expect(await store.getSession('b1')).not.toBeNull();
      await store.deleteUserSessions(alice.id);
      expect(await store.getSession('a2')).toBeNull();
    });

    it('deletes expired sessions and returns how many', async () => {
      const user = await register('alice');
      await store.createSession({ tokenHash: 'old', userId: user.id, createdAt: 1, expiresAt: 50 });
      await store.createSession({ tokenHash: 'edge', userId: user.id, createdAt: 1, expiresAt: 100 });
      await store.createSession({ tokenHash: 'new', userId: user.id, createdAt: 1, expiresAt: 150 });
      expect(await store.deleteExpiredSessions(100)).toBe(2);
      expect(await store.getSession('new')).not.toBeNull();
    });
  });

  // ---- avatars and pins ----

  describe('avatars and pins', () => {
    it('stores an avatar under a new version, mirrors it on the user, and clears both on delete', async () => {
      const user = await register('alice');
      const data = bytes(2_000);
      const v1 = await store.putAvatar(user.id, 'image/png', data);
      expect(await store.getAvatar(user.id)).toEqual({ mime: 'image/png', data, version: v1 });
      expect((await store.getUserById(user.id))?.avatarVersion).toBe(v1);
      const v2 = await store.putAvatar(user.id, 'image/webp', bytes(10));
      expect(v2).toBeGreaterThan(v1);
      await store.deleteAvatar(user.id);
      expect(await store.getAvatar(user.id)).toBeNull();
      expect((await store.getUserById(user.id))?.avatarVersion).toBeNull();
    });

    it('stores and replaces the contact-pins blob', async () => {
      const user = await register('alice');
      expect(await store.getPins(user.id)).toBeNull();
      await store.putPins(user.id, bytes(200));
      const second = bytes(300);
      await store.putPins(user.id, second);
      expect(await store.getPins(user.id)).toEqual(second);
    });
  });

  // ---- channels and membership ----

  describe('channels and membership', () => {
    it('hands a group whose owner leaves to its longest-standing member', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const carol = await register('carol');
      const id = await group(alice, bob);
      await store.addMember(id, carol.id, alice.id);
      await store.removeMember(id, alice.id, alice.id);
      const roles = Object.fromEntries((await store.getMembers(id)).map((m) => [m.userId, m.role]));
      expect(roles).toEqual({ [bob.id]: 'owner', [carol.id]: 'member' });
    });

    it('creates the broadcast channel once, however often ensured', async () => {
      const first = await store.ensureBroadcast();
      const second = await store.ensureBroadcast();
      expect(second).toEqual(first);
      expect(first).toMatchObject({ id: 'broadcast', kind: 'broadcast', memberEpoch: 0, lastSeq: 0 });
    });

    it('creates a group with a create entry and one join entry per member', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      const channel = await store.getChannel(id);
      expect(channel).toMatchObject({ kind: 'group', name: 'Group', lastSeq: 3, memberEpoch: 0 });
      const { messages } = await store.listMessages(id, { after: 0, limit: 10, minSeq: 0 });
      expect(messages.map((m) => m.system)).toEqual([
        { event: 'create', userId: alice.id, actorId: alice.id, logIndex: null },
        { event: 'join', userId: alice.id, actorId: alice.id, logIndex: null },
        { event: 'join', userId: bob.id, actorId: alice.id, logIndex: null },
      ]);
      expect(await store.getMembers(id)).toEqual([
        { channelId: id, userId: alice.id, role: 'owner', joinedSeq: 2 },
        { channelId: id, userId: bob.id, role: 'member', joinedSeq: 3 },
      ]);
    });

    it('returns an existing dm unchanged instead of creating it again', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const input = {
        id: 'dm-alice-bob',
        kind: 'dm' as const,
        name: null,
        members: [
          { userId: alice.id, role: 'member' as const },
          { userId: bob.id, role: 'member' as const },
        ],
        createdAt: 3_000,
      };
      const first = await store.createChannel(input);
      const again = await store.createChannel({ ...input, createdAt: 4_000 });
      expect(first.created).toBe(true);
      expect(again).toEqual({ channel: first.channel, created: false });
    });

    it('rejects a group whose id already exists', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await expect(
        store.createChannel({
          id,
          kind: 'group',
          name: 'x',
          members: [{ userId: alice.id, role: 'owner' }],
          createdAt: 1,
        }),
      ).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('adds a member to a group with a join entry, its joinedSeq and an epoch bump', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      const change = await store.addMember(id, bob.id, alice.id);
      expect(change.entry).toMatchObject({
        seq: 3,
        kind: 'system',
        system: { event: 'join', userId: bob.id, actorId: alice.id, logIndex: null },
      });
      expect(change.channel).toMatchObject({ lastSeq: 3, memberEpoch: 1 });
      expect(await store.getMember(id, bob.id)).toMatchObject({ joinedSeq: 3, role: 'member' });
    });

    it('adds a member to broadcast without bumping the epoch', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      await store.removeMember('broadcast', bob.id, alice.id);
      const epoch = (await store.getChannel('broadcast'))?.memberEpoch;
      const change = await store.addMember('broadcast', bob.id, alice.id);
      expect(change.channel.memberEpoch).toBe(epoch);
    });

    it('records a leave when members remove themselves and a remove otherwise, bumping the epoch each time', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const carol = await register('carol');
      const id = await group(alice, bob, carol);
      const left = await store.removeMember(id, bob.id, bob.id);
      expect(left.entry.system).toEqual({ event: 'leave', userId: bob.id, actorId: bob.id, logIndex: null });
      expect(left.channel.memberEpoch).toBe(1);
      const removed = await store.removeMember(id, carol.id, alice.id);
      expect(removed.entry.system).toEqual({
        event: 'remove',
        userId: carol.id,
        actorId: alice.id,
        logIndex: null,
      });
      expect(removed.channel.memberEpoch).toBe(2);
      expect((await store.getMembers(id)).map((m) => m.userId)).toEqual([alice.id]);
    });

    it('bumps the broadcast epoch when a member is removed (a ban)', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const change = await store.removeMember('broadcast', bob.id, alice.id);
      expect(change.channel.memberEpoch).toBe(1);
      expect(change.entry.system?.event).toBe('remove');
    });

    it('drops the read marker of a removed member', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await store.setReadMarker(bob.id, id, 3);
      await store.removeMember(id, bob.id, alice.id);
      await store.addMember(id, bob.id, alice.id);
      const view = (await store.listMemberships(bob.id)).find((m) => m.channel.id === id);
      expect(view?.readSeq).toBe(0);
    });

    it('throws RecordNotFound or UniqueViolation for impossible membership changes', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await expect(store.addMember('nope', bob.id, null)).rejects.toBeInstanceOf(RecordNotFound);
      await expect(store.addMember(id, alice.id, null)).rejects.toBeInstanceOf(UniqueViolation);
      await expect(store.addMember(id, randomUUID(), null)).rejects.toBeInstanceOf(RecordNotFound);
      await expect(store.removeMember(id, bob.id, alice.id)).rejects.toBeInstanceOf(RecordNotFound);
    });
  });

  // ---- membership log ----

  describe('membership log', () => {
    /** A log entry as the store keeps it; the store checks no signature (the routes do). */
    function entry(
      channelId: string,
      index: number,
      action: LogEntryRecord['action'],
      actorId: string,
      subjectId: string,
    ): LogEntryRecord {
      const binds = action === 'create' || action === 'add';
      return {
        channelId,
        index,
        prev: index === 0 ? new Uint8Array(32) : new Uint8Array(32).fill(index),
        action,
        actorId,
        subjectId,
        subjectIdentityPk: binds ? bytes(32) : new Uint8Array(0),
        sig: bytes(64),
        hash: new Uint8Array(32).fill(index + 1),
      };
    }
    const append = (
      channelId: string,
      entries: LogEntryRecord[],
      owner: string | null,
      mode: 'create' | 'append' | 'adopt' = 'append',
    ) => {
      const first = entries[0];
      const expectLength = first?.index ?? 0;
      return store.appendMembershipLog({
        channelId,
        expectLength,
        expectHead: expectLength === 0 ? new Uint8Array(32) : new Uint8Array(32).fill(expectLength),
        entries,
        owner,
        mode,
        name: 'Signed',
        createdAt: 5_000,
      });
    };

    it('creates a group from its create entry: one notice, the creator as owner, epoch 1', async () => {
      const alice = await register('alice');
      const id = `g-${randomUUID()}`;
      const result = await append(id, [entry(id, 0, 'create', alice.id, alice.id)], alice.id, 'create');
      expect(result).toMatchObject({
        ok: true,
        channel: { id, kind: 'group', name: 'Signed', logLength: 1, memberEpoch: 1, lastSeq: 1 },
      });
      expect(result.ok && result.entries.map((e) => e.system)).toEqual([
        { event: 'create', userId: alice.id, actorId: alice.id, logIndex: 0 },
      ]);
      expect(await store.getMembers(id)).toEqual([
        { channelId: id, userId: alice.id, role: 'owner', joinedSeq: 1 },
      ]);
      const again = append(id, [entry(id, 0, 'create', alice.id, alice.id)], alice.id, 'create');
      await expect(again).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('appends only at the head it was checked against, applying each entry to the member table', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const carol = await register('carol');
      const id = `g-${randomUUID()}`;
      await append(id, [entry(id, 0, 'create', alice.id, alice.id)], alice.id, 'create');
      const added = await append(
        id,
        [entry(id, 1, 'add', alice.id, bob.id), entry(id, 2, 'add', bob.id, carol.id)],
        alice.id,
      );
      expect(added).toMatchObject({ ok: true, channel: { logLength: 3, memberEpoch: 3, lastSeq: 3 } });
      expect((await store.getMembers(id)).map((m) => [m.userId, m.role, m.joinedSeq])).toEqual([
        [alice.id, 'owner', 1],
        [bob.id, 'member', 2],
        [carol.id, 'member', 3],
      ]);
      // A second writer that checked against length 1 or 3 with another head loses.
      expect(await append(id, [entry(id, 1, 'add', alice.id, carol.id)], alice.id)).toEqual({
        ok: false,
        code: 'log_conflict',
        length: 3,
      });
      const wrongHead = await store.appendMembershipLog({
        channelId: id,
        expectLength: 3,
        expectHead: bytes(32),
        entries: [entry(id, 3, 'leave', carol.id, carol.id)],
        owner: alice.id,
        mode: 'append',
        createdAt: 6_000,
      });
      expect(wrongHead).toEqual({ ok: false, code: 'log_conflict', length: 3 });
      // The owner leaves: roles follow the owner the caller computed from the log.
      const left = await append(id, [entry(id, 3, 'leave', alice.id, alice.id)], bob.id);
      expect(left.ok && left.entries[0]?.system).toEqual({
        event: 'leave',
        userId: alice.id,
        actorId: alice.id,
        logIndex: 3,
      });
      expect((await store.getMembers(id)).map((m) => [m.userId, m.role])).toEqual([
        [bob.id, 'owner'],
        [carol.id, 'member'],
      ]);
      const log = await store.getMembershipLog(id, 1, 2);
      expect(log.map((e) => [e.index, e.action, e.subjectId])).toEqual([
        [1, 'add', bob.id],
        [2, 'add', carol.id],
      ]);
      expect(log[0]?.hash).toEqual(new Uint8Array(32).fill(2));
      expect(await store.getMembershipLog(id, 4, 10)).toEqual([]);
      expect(await append('g-missing', [entry('g-missing', 0, 'add', alice.id, bob.id)], alice.id)).toEqual({
        ok: false,
        code: 'not_found',
      });
    });

    it('adopts a signed log for a group made before it, keeping the rows and retiring older keys', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      expect(await shareToAll(id, alice.id, 1)).toBe(0);
      expect(await append(id, [entry(id, 0, 'create', alice.id, alice.id)], alice.id)).toMatchObject({
        ok: false,
        code: 'log_conflict',
      });
      const adopted = await append(
        id,
        [entry(id, 0, 'create', alice.id, alice.id), entry(id, 1, 'add', alice.id, bob.id)],
        alice.id,
        'adopt',
      );
      expect(adopted).toMatchObject({ ok: true, channel: { logLength: 2, memberEpoch: 2 } });
      expect((await store.getMembers(id)).map((m) => [m.userId, m.joinedSeq])).toEqual([
        [alice.id, 2],
        [bob.id, 3],
      ]);
      const [share] = await store.getShares(id, bob.id, { senderId: alice.id });
      expect(share?.epoch).toBe(0);
      const result = await store.appendMessages(
        [{ channelId: id, senderId: alice.id, keyId: 1, clientMsgId: randomUUID(), ciphertext: bytes(120) }],
        7_000,
      );
      expect(result[0]).toMatchObject({ ok: false, code: 'stale_key' });
    });

    it('keeps a deleted account in the log and the epoch, and stops routing to it', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = `g-${randomUUID()}`;
      await append(id, [entry(id, 0, 'create', alice.id, alice.id)], alice.id, 'create');
      await append(id, [entry(id, 1, 'add', alice.id, bob.id)], alice.id);
      const changes = await store.deleteUser(bob.id);
      const change = changes.find((c) => c.channel.id === id);
      expect(change?.entry.system).toEqual({
        event: 'remove',
        userId: bob.id,
        actorId: null,
        logIndex: null,
      });
      expect(change?.channel).toMatchObject({ memberEpoch: 2, logLength: 2 });
      expect((await store.getMembers(id)).map((m) => m.userId)).toEqual([alice.id]);
      expect((await store.getMembershipLog(id, 0, 10)).map((e) => e.subjectId)).toEqual([alice.id, bob.id]);
    });
  });

  // ---- key transparency ----

  describe('key transparency', () => {
    const head = (epoch: number, hash = epoch + 1) => ({
      epoch,
      root: new Uint8Array(32).fill(7),
      prevHash: new Uint8Array(32).fill(epoch),
      timeMs: 10_000 + epoch,
      sig: new Uint8Array(64).fill(9),
      hash: new Uint8Array(32).fill(hash),
    });

    it('writes a pending version-1 binding with every new account, from its bundle', async () => {
      const alice = await register('alice');
      const [b] = await store.ktPendingBindings(10);
      expect(b).toMatchObject({ userId: alice.id, version: 1, username: 'alice', epoch: null });
      expect(Buffer.from(b?.identityKey ?? []).toString('base64url')).toBe(alice.bundle.identityKey);
      expect(await store.ktLatestBinding(alice.id)).toEqual(b);
    });

    it('commits an epoch only after the newest head, publishing exactly the bindings given', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      expect(await store.ktLatestHead()).toBeNull();
      expect(await store.ktCommitEpoch(head(1), [])).toBe(false);
      expect(await store.ktCommitEpoch(head(0), [{ userId: alice.id, version: 1 }])).toBe(true);
      expect(await store.ktCommitEpoch(head(0, 99), [{ userId: bob.id, version: 1 }])).toBe(false);
      expect((await store.ktPendingBindings(10)).map((b) => b.userId)).toEqual([bob.id]);
      expect(await store.ktCommitEpoch(head(1), [{ userId: bob.id, version: 1 }])).toBe(true);
      expect(await store.ktPendingBindings(10)).toEqual([]);
      expect((await store.ktPublishedBindings(0, 1)).map((b) => [b.userId, b.epoch])).toEqual([[bob.id, 1]]);
      expect((await store.ktPublishedBindings(-1, 1)).map((b) => b.epoch)).toEqual([0, 1]);
      expect((await store.ktHeads(0, 10)).map((h) => h.epoch)).toEqual([0, 1]);
      expect(await store.ktLatestHead()).toEqual(head(1));
      expect((await store.ktHeads(1, 1))[0]?.hash).toEqual(new Uint8Array(32).fill(2));
    });

    it('lets one holder at a time take the epoch lease, until it expires', async () => {
      expect(await store.ktTakeLease('relay-a', 1_000, 5_000)).toBe(true);
      expect(await store.ktTakeLease('relay-b', 2_000, 5_000)).toBe(false);
      expect(await store.ktTakeLease('relay-a', 3_000, 5_000)).toBe(true);
      expect(await store.ktTakeLease('relay-b', 7_999, 5_000)).toBe(false);
      expect(await store.ktTakeLease('relay-b', 8_001, 5_000)).toBe(true);
      expect(await store.ktTakeLease('relay-a', 9_000, 5_000)).toBe(false);
    });

    it('backfills nothing for accounts that already have a binding, published or not', async () => {
      const alice = await register('alice');
      await store.ktCommitEpoch(head(0), [{ userId: alice.id, version: 1 }]);
      const bob = await register('bob');
      expect(await store.ktBackfill()).toBe(0);
      expect((await store.ktPendingBindings(10)).map((b) => b.userId)).toEqual([bob.id]);
    });
  });

  // ---- shares ----

  describe('sender-key shares', () => {
    it("fixes a key's epoch at its first upload even after the channel epoch moves", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      expect(await shareToAll(id, alice.id, 7)).toBe(0);
      await store.addMember(id, bob.id, alice.id);
      expect(await store.putShares(id, alice.id, 7, [{ recipientId: bob.id, sealed: bytes(144) }])).toBe(0);
      expect(await store.putShares(id, alice.id, 8, [{ recipientId: bob.id, sealed: bytes(144) }])).toBe(1);
      expect((await store.getShares(id, bob.id, { keyId: 7 }))[0]?.epoch).toBe(0);
    });

    it("replaces a recipient's sealed share on re-upload", async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await store.putShares(id, alice.id, 1, [{ recipientId: alice.id, sealed: bytes(144) }]);
      const sealed = bytes(144);
      await store.putShares(id, alice.id, 1, [{ recipientId: alice.id, sealed }]);
      expect(await store.getShares(id, alice.id)).toEqual([
        { channelId: id, senderId: alice.id, keyId: 1, recipientId: alice.id, sealed, epoch: 0 },
      ]);
    });

    it("returns only the recipient's shares, filtered by sender and key id", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, alice.id, 2);
      await shareToAll(id, bob.id, 1);
      const all = await store.getShares(id, bob.id);
      expect(all.map((s) => [s.senderId === alice.id ? 'alice' : 'bob', s.keyId]).sort()).toEqual([
        ['alice', 1],
        ['alice', 2],
        ['bob', 1],
      ]);
      expect(all.every((s) => s.recipientId === bob.id)).toBe(true);
      expect(await store.getShares(id, bob.id, { senderId: alice.id })).toHaveLength(2);
      expect(await store.getShares(id, bob.id, { senderId: alice.id, keyId: 2 })).toHaveLength(1);
      expect(await store.getShares(id, bob.id, { keyId: 1 })).toHaveLength(2);
    });

    it('stores an upload larger than one insert chunk', async () => {
      const alice = await register('alice');
      const users = await Promise.all(Array.from({ length: 520 }, (_, i) => register(`user${i}`)));
      const shares = users.map((u) => ({ recipientId: u.id, sealed: bytes(144) }));
      expect(await store.putShares('broadcast', alice.id, 1, shares)).toBe(0);
      const last = users.at(-1);
      if (last === undefined) throw new Error('no users');
      expect(await store.getShares('broadcast', last.id)).toEqual([
        expect.objectContaining({ senderId: alice.id, keyId: 1, sealed: shares.at(-1)?.sealed }),
      ]);
    });

    it('refuses shares for a missing channel', async () => {
      const alice = await register('alice');
      await expect(
        store.putShares('nope', alice.id, 1, [{ recipientId: alice.id, sealed: bytes(144) }]),
      ).rejects.toBeInstanceOf(RecordNotFound);
    });
  });

  // ---- sends ----

  describe('appending messages', () => {
    it('assigns gap-free increasing seqs within one batch', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      const results = await store.appendMessages(
        [msg(id, alice.id, 1), msg(id, alice.id, 1), msg(id, alice.id, 1)],
        5_000,
      );
      expect(results.map((r) => (r.ok ? r.message.seq : -1))).toEqual([3, 4, 5]);
      expect((await store.getChannel(id))?.lastSeq).toBe(5);
    });

    it('assigns gap-free seqs to 50 concurrent sends', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, bob.id, 1);
      const sends = Array.from({ length: 50 }, (_, i) =>
        store.appendMessages([msg(id, i % 2 === 0 ? alice.id : bob.id, 1)], 5_000 + i),
      );
      const seqs = (await Promise.all(sends)).map(([r]) => (r?.ok ? r.message.seq : -1));
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 4));
      expect((await store.getChannel(id))?.lastSeq).toBe(53);
    });

    it('rejects a send to a missing channel', async () => {
      const alice = await register('alice');
      expect(await store.appendMessages([msg('nope', alice.id, 1)], 1)).toEqual([
        { ok: false, code: 'not_found' },
      ]);
    });

    it('rejects a send from a non-member', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      expect(await store.appendMessages([msg(id, bob.id, 1)], 1)).toEqual([
        { ok: false, code: 'not_member' },
      ]);
    });

    it('rejects a send whose key predates the current member epoch', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      await store.addMember(id, bob.id, alice.id);
      await store.putShares(id, alice.id, 1, [{ recipientId: bob.id, sealed: bytes(144) }]);
      expect(await store.appendMessages([msg(id, alice.id, 1)], 1)).toEqual([
        { ok: false, code: 'stale_key' },
      ]);
    });

    it("rejects a send whose key misses a member's share, listing the missing members sorted", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const carol = await register('carol');
      const id = await group(alice, bob, carol);
      await store.putShares(id, alice.id, 1, [{ recipientId: alice.id, sealed: bytes(144) }]);
      expect(await store.appendMessages([msg(id, alice.id, 1)], 1)).toEqual([
        { ok: false, code: 'missing_shares', missing: [bob.id, carol.id].sort() },
      ]);
    });

    it("requires the sender's own share too", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await store.putShares(id, alice.id, 1, [{ recipientId: bob.id, sealed: bytes(144) }]);
      expect(await store.appendMessages([msg(id, alice.id, 1)], 1)).toEqual([
        { ok: false, code: 'missing_shares', missing: [alice.id] },
      ]);
    });

    it('reports every member as missing for a key that was never shared', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      expect(await store.appendMessages([msg(id, alice.id, 9)], 1)).toEqual([
        { ok: false, code: 'missing_shares', missing: [alice.id, bob.id].sort() },
      ]);
    });

    it('asks for a share for a member who joined broadcast after the key was shared', async () => {
      const alice = await register('alice');
      await shareToAll('broadcast', alice.id, 1);
      const bob = await register('bob');
      expect(await store.appendMessages([msg('broadcast', alice.id, 1)], 1)).toEqual([
        { ok: false, code: 'missing_shares', missing: [bob.id] },
      ]);
      await store.putShares('broadcast', alice.id, 1, [{ recipientId: bob.id, sealed: bytes(144) }]);
      expect((await store.appendMessages([msg('broadcast', alice.id, 1)], 1))[0]?.ok).toBe(true);
    });

    it('returns the original message for a retried clientMsgId, even after the channel changed', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      const send = msg(id, alice.id, 1);
      const [first] = await store.appendMessages([send], 5_000);
      await store.addMember(id, bob.id, alice.id);
      const [retry] = await store.appendMessages([{ ...send, ciphertext: bytes(10) }], 6_000);
      expect(first).toMatchObject({ ok: true, duplicate: false });
      expect(retry).toEqual({ ok: true, duplicate: true, message: first?.ok ? first.message : null });
      expect((await store.getChannel(id))?.lastSeq).toBe(4);
    });

    it('refuses a clientMsgId the sender already used in another channel', async () => {
      const alice = await register('alice');
      const one = await group(alice);
      const two = await group(alice);
      await shareToAll(one, alice.id, 1);
      await shareToAll(two, alice.id, 1);
      const send = msg(one, alice.id, 1);
      const [first] = await store.appendMessages([send], 5);
      const [moved] = await store.appendMessages([{ ...send, channelId: two }], 6);
      expect(first?.ok).toBe(true);
      expect(moved).toEqual({ ok: false, code: 'id_conflict' });
      expect((await store.getChannel(two))?.lastSeq).toBe(2);
    });

    it('keeps the valid sends of a batch when one is rejected', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      const results = await store.appendMessages(
        [msg(id, alice.id, 1), msg(id, bob.id, 1), msg(id, alice.id, 1)],
        5,
      );
      expect(results.map((r) => (r.ok ? r.message.seq : r.code))).toEqual([3, 'not_member', 4]);
    });

    it('stores a clientMsgId repeated inside one batch once', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      const send = msg(id, alice.id, 1);
      const [a, b] = await store.appendMessages([send, send], 5);
      expect(a).toMatchObject({ ok: true, duplicate: false, message: { seq: 3 } });
      expect(b).toMatchObject({ ok: true, duplicate: true, message: { seq: 3 } });
    });

    it("tells a stored send from another sender's send with the same clientMsgId", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, bob.id, 1);
      const old = msg(id, alice.id, 1);
      await store.appendMessages([old], 5);
      // One lookup serves the batch: alice's stored id must not make bob's send a duplicate.
      const results = await store.appendMessages(
        [{ ...msg(id, bob.id, 1), clientMsgId: old.clientMsgId }, old, msg(id, alice.id, 1)],
        6,
      );
      expect(results.map((r) => (r.ok ? [r.message.senderId, r.message.seq, r.duplicate] : r.code))).toEqual([
        [bob.id, 5, false],
        [alice.id, 4, true],
        [alice.id, 6, false],
      ]);
    });

    it('names the members a batch is missing shares for, per sender key', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const carol = await register('carol');
      const id = await group(alice, bob, carol);
      await store.putShares(id, alice.id, 1, [
        { recipientId: alice.id, sealed: bytes(144) },
        { recipientId: carol.id, sealed: bytes(144) },
      ]);
      await shareToAll(id, alice.id, 2);
      const results = await store.appendMessages(
        [msg(id, alice.id, 1), msg(id, alice.id, 2), msg(id, alice.id, 3)],
        5,
      );
      expect(results.map((r) => (r.ok ? 'ok' : r))).toEqual([
        { ok: false, code: 'missing_shares', missing: [bob.id] },
        'ok',
        { ok: false, code: 'missing_shares', missing: [alice.id, bob.id, carol.id].sort() },
      ]);
    });

    it('does not count shares of the same key id in another channel', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const one = await group(alice, bob);
      const two = await group(alice, bob);
      await shareToAll(one, alice.id, 1);
      await store.putShares(two, alice.id, 1, [{ recipientId: alice.id, sealed: bytes(144) }]);
      expect(await store.appendMessages([msg(two, alice.id, 1)], 5)).toEqual([
        { ok: false, code: 'missing_shares', missing: [bob.id] },
      ]);
    });

    it('stores sends to several channels in one batch', async () => {
      const alice = await register('alice');
      const one = await group(alice);
      const two = await group(alice);
      await shareToAll(one, alice.id, 1);
      await shareToAll(two, alice.id, 1);
      const results = await store.appendMessages(
        [msg(two, alice.id, 1), msg(one, alice.id, 1), msg(two, alice.id, 1)],
        5,
      );
      expect(results.map((r) => (r.ok ? [r.message.channelId, r.message.seq] : null))).toEqual([
        [two, 3],
        [one, 3],
        [two, 4],
      ]);
    });

    it('round-trips the stored message', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await shareToAll(id, alice.id, 4_000_000_000);
      const send = { ...msg(id, alice.id, 4_000_000_000), ciphertext: bytes(64 * 1024) };
      await store.appendMessages([send], 7_777);
      expect(await store.getMessage(id, 3)).toEqual({
        channelId: id,
        seq: 3,
        kind: 'msg',
        senderId: alice.id,
        keyId: 4_000_000_000,
        clientMsgId: send.clientMsgId,
        ciphertext: send.ciphertext,
        sentAt: 7_777,
        deleted: false,
        system: null,
      });
      expect(await store.getMessage(id, 99)).toBeNull();
    });
  });

  // ---- history ----

  describe('history', () => {
    /** A group of alice alone with messages at seqs 3..12. */
    async function tenMessages(): Promise<string> {
      const alice = await register('alice');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      await store.appendMessages(
        Array.from({ length: 10 }, () => msg(id, alice.id, 1)),
        5,
      );
      return id;
    }
    const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

    it('pages forward after a seq in ascending order', async () => {
      const id = await tenMessages();
      const page = await store.listMessages(id, { after: 4, limit: 5, minSeq: 0 });
      expect(seqs(page)).toEqual([5, 6, 7, 8, 9]);
      expect(page.hasMore).toBe(true);
      const last = await store.listMessages(id, { after: 9, limit: 5, minSeq: 0 });
      expect(seqs(last)).toEqual([10, 11, 12]);
      expect(last.hasMore).toBe(false);
    });

    it('pages backward before a seq, each page in ascending order', async () => {
      const id = await tenMessages();
      const page = await store.listMessages(id, { before: 10, limit: 4, minSeq: 0 });
      expect(seqs(page)).toEqual([6, 7, 8, 9]);
      expect(page.hasMore).toBe(true);
      const first = await store.listMessages(id, { before: 4, limit: 4, minSeq: 0 });
      expect(seqs(first)).toEqual([1, 2, 3]);
      expect(first.hasMore).toBe(false);
    });

    it('never returns entries below minSeq', async () => {
      const id = await tenMessages();
      expect(seqs(await store.listMessages(id, { after: 0, limit: 3, minSeq: 6 }))).toEqual([6, 7, 8]);
      const back = await store.listMessages(id, { before: 9, limit: 10, minSeq: 6 });
      expect(seqs(back)).toEqual([6, 7, 8]);
      expect(back.hasMore).toBe(false);
    });

    it('returns the latest page when no cursor is given', async () => {
      const id = await tenMessages();
      const page = await store.listMessages(id, { limit: 3, minSeq: 0 });
      expect(seqs(page)).toEqual([10, 11, 12]);
      expect(page.hasMore).toBe(true);
    });
  });

  // ---- deleting messages ----

  describe('deleting messages', () => {
    it('deletes an own message down to a tombstone without ciphertext', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      const seq = await sendOk(id, alice.id, 1);
      expect(await store.deleteMessage(id, seq, alice.id)).toBe('deleted');
      expect(await store.getMessage(id, seq)).toMatchObject({
        seq,
        kind: 'msg',
        deleted: true,
        ciphertext: null,
      });
      expect(await store.deleteMessage(id, seq, alice.id)).toBe('deleted');
    });

    it("refuses to delete another member's message or a system entry", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      const seq = await sendOk(id, alice.id, 1);
      expect(await store.deleteMessage(id, seq, bob.id)).toBe('forbidden');
      expect(await store.deleteMessage(id, 1, alice.id)).toBe('forbidden');
      expect((await store.getMessage(id, seq))?.deleted).toBe(false);
    });

    it('reports a missing message as not_found', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      expect(await store.deleteMessage(id, 42, alice.id)).toBe('not_found');
    });
  });

  // ---- memberships and read markers ----

  describe('memberships and read markers', () => {
    it('counts unread messages from others after the later of read marker and join', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, bob.id, 1);
      const s1 = await sendOk(id, alice.id, 1);
      const s2 = await sendOk(id, alice.id, 1);
      await sendOk(id, bob.id, 1); // own message: not unread for bob
      const s4 = await sendOk(id, alice.id, 1);
      await store.deleteMessage(id, s4, alice.id); // deleted: not unread
      await sendOk(id, alice.id, 1);
      const view = () => store.listMemberships(bob.id).then((all) => all.find((m) => m.channel.id === id));
      expect(await view()).toMatchObject({ readSeq: 0, unread: 3, member: { joinedSeq: 3 } });
      await store.setReadMarker(bob.id, id, s1);
      expect((await view())?.unread).toBe(2);
      await store.setReadMarker(bob.id, id, s2);
      expect(await view()).toMatchObject({ readSeq: s2, unread: 1 });
    });

    it('counts nothing from before the member joined', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      await sendOk(id, alice.id, 1);
      await store.addMember(id, bob.id, alice.id);
      await shareToAll(id, alice.id, 2);
      await sendOk(id, alice.id, 2);
      const view = (await store.listMemberships(bob.id)).find((m) => m.channel.id === id);
      expect(view?.unread).toBe(1);
    });

    it('gives one channel as the user sees it, or null for a channel they are not in', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice);
      const all = await store.listMemberships(alice.id);
      expect(await store.getMembership(alice.id, id)).toEqual(all.find((v) => v.channel.id === id));
      expect(await store.getMembership(bob.id, id)).toBeNull();
      expect(await store.getMembership(alice.id, 'nope')).toBeNull();
    });

    it('lists every channel of the user, broadcast included', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      const views = await store.listMemberships(alice.id);
      expect(views.map((v) => v.channel.id).sort()).toEqual(['broadcast', id].sort());
      expect(views.find((v) => v.channel.id === id)?.member.role).toBe('owner');
    });

    it('never moves a read marker backwards', async () => {
      const alice = await register('alice');
      const id = await group(alice);
      await store.setReadMarker(alice.id, id, 2);
      await store.setReadMarker(alice.id, id, 1);
      expect((await store.listMemberships(alice.id)).find((m) => m.channel.id === id)?.readSeq).toBe(2);
    });
  });

  // ---- deleting accounts ----

  describe('deleting accounts', () => {
    it('removes every membership with a remove entry and an epoch bump, and returns the changes', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      const changes = await store.deleteUser(bob.id);
      expect(changes.map((c) => c.channel.id).sort()).toEqual(['broadcast', id].sort());
      for (const change of changes) {
        expect(change.entry.system).toEqual({
          event: 'remove',
          userId: bob.id,
          actorId: null,
          logIndex: null,
        });
        expect(change.channel.memberEpoch).toBe(1);
        expect(change.channel.lastSeq).toBe(change.entry.seq);
      }
      expect(await store.getMember(id, bob.id)).toBeNull();
      expect(await store.getUserById(bob.id)).toBeNull();
    });

    it('wipes the ciphertext of the deleted user but keeps tombstones and others messages', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, bob.id, 1);
      const mine = await sendOk(id, bob.id, 1);
      const theirs = await sendOk(id, alice.id, 1);
      await store.deleteUser(bob.id);
      expect(await store.getMessage(id, mine)).toMatchObject({
        senderId: bob.id,
        deleted: true,
        ciphertext: null,
      });
      expect((await store.getMessage(id, theirs))?.ciphertext).not.toBeNull();
    });

    it('drops sessions, avatar, pins and shares to and from the user, and frees the username', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await shareToAll(id, bob.id, 1);
      await store.createSession({
        tokenHash: 'bob-session',
        userId: bob.id,
        createdAt: 1,
        expiresAt: 10 ** 13,
      });
      await store.putAvatar(bob.id, 'image/png', bytes(10));
      await store.putPins(bob.id, bytes(10));
      await store.deleteUser(bob.id);
      expect(await store.getSession('bob-session')).toBeNull();
      expect(await store.getAvatar(bob.id)).toBeNull();
      expect(await store.getPins(bob.id)).toBeNull();
      expect(await store.getShares(id, alice.id)).toEqual([expect.objectContaining({ senderId: alice.id })]);
      expect(await store.getShares(id, bob.id)).toEqual([]);
      expect((await register('bob')).id).not.toBe(bob.id);
    });

    it('does nothing for a user that does not exist', async () => {
      expect(await store.deleteUser(randomUUID())).toEqual([]);
    });
  });

  // ---- admin ----

  describe('admin', () => {
    it("lists users with a count of each one's live messages", async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      const id = await group(alice, bob);
      await shareToAll(id, alice.id, 1);
      await sendOk(id, alice.id, 1);
      const gone = await sendOk(id, alice.id, 1);
      await sendOk(id, alice.id, 1);
      await store.deleteMessage(id, gone, alice.id);
      const users = await store.listUsersForAdmin();
      expect(users.map((u) => [u.username, u.messageCount])).toEqual([
        ['alice', 2],
        ['bob', 0],
      ]);
    });

    it('counts users, disabled users, channels, messages, ciphertext bytes and active sessions', async () => {
      const alice = await register('alice');
      const bob = await register('bob');
      await store.setDisabled(bob.id, true);
      const id = await group(alice);
      await shareToAll(id, alice.id, 1);
      await store.appendMessages(
        [
          { ...msg(id, alice.id, 1), ciphertext: bytes(100) },
          { ...msg(id, alice.id, 1), ciphertext: bytes(250) },
        ],
        5,
      );
      await store.createSession({ tokenHash: 'live', userId: alice.id, createdAt: 1, expiresAt: 200 });
      await store.createSession({ tokenHash: 'dead', userId: alice.id, createdAt: 1, expiresAt: 50 });
      expect(await store.stats(100)).toEqual({
        users: 2,
        disabledUsers: 1,
        channels: 2,
        messages: 2,
        ciphertextBytes: 350,
        activeSessions: 1,
      });
    });
  });
});
