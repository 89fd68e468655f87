// The Store, written once over a dialect Backend: its decisions (roles, membership entries and
// epochs, idempotency) live here, appends in append-batch.ts, the send rule in
// channels/send-check.ts; backends only run queries.
import { BROADCAST_CHANNEL_ID } from '../protocol/common';
import { appendBatch } from './append-batch';
import { type Backend, KT_CHUNK, type MembershipRow, type Queries, SHARE_CHUNK } from './backend';
import {
  type ChannelRow,
  channelFromRow,
  type KtBindingRow,
  logEntryFromRow,
  logRow,
  type MessageRow,
  memberFromRow,
  messageFromRow,
  nextAvatarVersion,
  shareFromRow,
  systemRow,
  type UserPatch,
  type UserRow,
  userFromRow,
  userToRow,
} from './shared';
import {
  type AdminUserRecord,
  type AppendResult,
  type ChannelRecord,
  type InviteRecord,
  InviteUnavailable,
  type KtBindingRecord,
  type KtHeadRecord,
  type LogAppend,
  type LogAppendResult,
  type LogEntryRecord,
  type MemberRecord,
  type MemberRole,
  type MembershipChange,
  type MembershipView,
  type MessageRecord,
  type NewInvite,
  type NewMessage,
  type NewUser,
  RecordNotFound,
  type Role,
  type SessionRecord,
  type ShareRecord,
  type Store,
  type StoreStats,
  type SystemEventKind,
  UniqueViolation,
  type UserRecord,
} from './store';

/** Upper bound for "no upper bound" on seq. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

function newChannelRow(
  id: string,
  kind: ChannelRow['kind'],
  name: string | null,
  createdAt: number,
): ChannelRow {
  return { id, kind, name, memberEpoch: 0, lastSeq: 0, logLength: 0, createdAt };
}

function viewFromRow(row: MembershipRow): MembershipView {
  return {
    channel: channelFromRow(row.channel),
    member: memberFromRow(row.member),
    readSeq: row.readSeq,
    unread: row.unread,
  };
}

async function lockExisting(q: Queries, channelId: string): Promise<ChannelRow> {
  const channel = await q.lockChannel(channelId);
  if (channel === undefined) throw new RecordNotFound('channel');
  return channel;
}

/** True for a group whose membership comes from its signed log (not the relay's table). */
function hasLog(channel: ChannelRow): boolean {
  return channel.kind === 'group' && channel.logLength > 0;
}

interface Notice {
  event: SystemEventKind;
  userId: string;
  actorId: string | null;
  logIndex?: number;
}

/** Appends a system entry at the next seq; returns the entry and the channel after it. */
async function appendSystem(
  q: Queries,
  channel: ChannelRow,
  notice: Notice,
  at: number,
  after: { memberEpoch: number; logLength?: number },
): Promise<{ channel: ChannelRow; entry: MessageRow }> {
  const entry = systemRow(
    channel.id,
    channel.lastSeq + 1,
    at,
    notice.event,
    notice.userId,
    notice.actorId,
    notice.logIndex ?? null,
  );
  await q.insertMessages([entry]);
  const next = {
    ...channel,
    lastSeq: entry.seq,
    memberEpoch: after.memberEpoch,
    logLength: after.logLength ?? channel.logLength,
  };
  await q.updateChannel(next.id, {
    lastSeq: next.lastSeq,
    memberEpoch: next.memberEpoch,
    logLength: next.logLength,
  });
  return { channel: next, entry };
}

/**
 * Removes a member with a `leave` (self) or `remove` entry and an epoch bump. A group with a log
 * keeps its epoch (the log's length) and its owner: only the log changes them, so the relay only
 * stops routing to the account.
 */
async function removeFromChannel(
  q: Queries,
  channel: ChannelRow,
  userId: string,
  actorId: string | null,
): Promise<MembershipChange> {
  const leaving = await q.member(channel.id, userId);
  await q.deleteMember(channel.id, userId);
  await q.deleteReadMarker(userId, channel.id);
  const signed = hasLog(channel);
  if (leaving?.role === 'owner' && !signed) await handOverOwnership(q, channel.id);
  const event = actorId === userId ? 'leave' : 'remove';
  const epoch = signed ? channel.memberEpoch : channel.memberEpoch + 1;
  const after = await appendSystem(q, channel, { event, userId, actorId }, Date.now(), {
    memberEpoch: epoch,
  });
  return { channel: channelFromRow(after.channel), entry: messageFromRow(after.entry) };
}

/** A group whose last owner left passes to its longest-standing member, so someone can still manage it. */
async function handOverOwnership(q: Queries, channelId: string): Promise<void> {
  const rest = await q.membersOf(channelId);
  if (rest.length === 0 || rest.some((m) => m.role === 'owner')) return;
  const heir = rest.reduce((a, b) => (b.joinedSeq < a.joinedSeq ? b : a));
  await q.setMemberRole(channelId, heir.userId, 'owner');
}

const NOTICE_OF: Record<LogEntryRecord['action'], SystemEventKind> = {
  create: 'create',
  add: 'join',
  remove: 'remove',
  leave: 'leave',
};

/**
 * One compare-and-append of signed log entries (LogAppend): the head must still be the one the
 * caller verified against; then each entry is stored with its notice and applied to the table.
 */
async function appendLog(q: Queries, input: LogAppend): Promise<LogAppendResult> {
  if (input.mode === 'create') {
    await q.insertChannelIfAbsent(
      newChannelRow(input.channelId, 'group', input.name ?? null, input.createdAt),
    );
  }
  let channel = await q.lockChannel(input.channelId);
  if (channel === undefined || channel.kind !== 'group') return { ok: false, code: 'not_found' };
  if (input.mode === 'create' && channel.lastSeq > 0) throw new UniqueViolation('channel');
  const legacy = channel.logLength === 0 && channel.lastSeq > 0;
  if (input.mode === 'adopt' ? !legacy : legacy) return { ok: false, code: 'log_conflict', length: 0 };
  if (channel.logLength !== input.expectLength) {
    return { ok: false, code: 'log_conflict', length: channel.logLength };
  }
  if (input.expectLength > 0) {
    const [head] = await q.logEntries(channel.id, input.expectLength - 1, 1);
    if (head === undefined || !sameBytes(head.hash, input.expectHead)) {
      return { ok: false, code: 'log_conflict', length: channel.logLength };
    }
  }
  await q.insertLogEntries(input.entries.map(logRow));
  const notices: MessageRecord[] = [];
  for (const e of input.entries) {
    const logLength = e.index + 1;
    const after = await appendSystem(
      q,
      channel,
      { event: NOTICE_OF[e.action], userId: e.subjectId, actorId: e.actorId, logIndex: e.index },
      input.createdAt,
      { memberEpoch: logLength, logLength },
    );
    channel = after.channel;
    notices.push(messageFromRow(after.entry));
    if (input.mode === 'adopt') continue; // the members' rows are already there
    if (e.action === 'create' || e.action === 'add') {
      await q.insertMember({
        channelId: channel.id,
        userId: e.subjectId,
        role: 'member',
        joinedSeq: after.entry.seq,
      });
    } else {
      await q.deleteMember(channel.id, e.subjectId);
      await q.deleteReadMarker(e.subjectId, channel.id);
    }
  }
  if (input.mode === 'adopt') await q.retireSenderKeys(channel.id);
  for (const m of await q.membersOf(channel.id)) {
    const role = m.userId === input.owner ? 'owner' : 'member';
    if (m.role !== role) await q.setMemberRole(channel.id, m.userId, role);
  }
  return { ok: true, channel: channelFromRow(channel), entries: notices };
}

/** A user's first key binding, from the bundle they registered (version 1, not yet published). */
function firstBinding(user: UserRow): KtBindingRow {
  const bundle = JSON.parse(user.bundle) as { identityKey: string; encKey: string; encKeySig: string };
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));
  return {
    userId: user.id,
    version: 1,
    username: user.username,
    identityKey: bytes(bundle.identityKey),
    encKey: bytes(bundle.encKey),
    encKeySig: bytes(bundle.encKeySig),
    epoch: null,
  };
}

/** Takes a user out of every channel (a `remove` notice each, by nobody). */
async function leaveEverything(q: Queries, userId: string): Promise<MembershipChange[]> {
  const changes: MembershipChange[] = [];
  for (const channelId of (await q.channelIdsOf(userId)).sort()) {
    const channel = await lockExisting(q, channelId);
    changes.push(await removeFromChannel(q, channel, userId, null));
  }
  return changes;
}

export class DrizzleStore implements Store {
  readonly dialect: 'sqlite' | 'mysql';
  readonly #b: Backend;

  constructor(backend: Backend) {
    this.#b = backend;
    this.dialect = backend.dialect;
  }

  close(): Promise<void> {
    return this.#b.close();
  }

  newestMigration(): Promise<number | null> {
    return this.#b.newestMigration();
  }

  // ---- users ----

  async createUser(
    user: Omit<NewUser, 'role'>,
    opts: { forceAdmin?: boolean; pins?: Uint8Array; invite?: { id: string; now: number } } = {},
  ): Promise<UserRecord> {
    const username = user.username.toLowerCase();
    try {
      return await this.#b.transaction(async (q) => {
        await q.insertChannelIfAbsent(newChannelRow(BROADCAST_CHANNEL_ID, 'broadcast', null, user.createdAt));
        // The broadcast lock also serializes registrations, so "first user" is decided once.
        const broadcast = await lockExisting(q, BROADCAST_CHANNEL_ID);
        if ((await q.userByUsername(username)) !== undefined) throw new UniqueViolation('username');
        if (opts.invite !== undefined && !(await q.takeInviteUse(opts.invite.id, opts.invite.now))) {
          throw new InviteUnavailable();
        }
        const first = (await q.countUsers()) === 0;
        const role: Role = first || opts.forceAdmin === true ? 'admin' : 'user';
        const row = userToRow({ ...user, username, role });
        await q.insertUser(row);
        const { entry } = await appendSystem(
          q,
          broadcast,
          { event: 'join', userId: user.id, actorId: null },
          user.createdAt,
          { memberEpoch: broadcast.memberEpoch },
        );
        await q.insertMember({
          channelId: BROADCAST_CHANNEL_ID,
          userId: user.id,
          role: 'member',
          joinedSeq: entry.seq,
        });
        if (opts.pins !== undefined) await q.upsertPins({ userId: user.id, blob: opts.pins });
        await q.insertKtBindings([firstBinding(row)]);
        return userFromRow(row);
      });
    } catch (err) {
      if (!(err instanceof UniqueViolation) && this.#b.isUniqueViolation(err))
        throw new UniqueViolation('username');
      throw err;
    }
  }

  async getUserById(id: string): Promise<UserRecord | null> {
    const row = await this.#b.reads.userById(id);
    return row === undefined ? null : userFromRow(row);
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const row = await this.#b.reads.userByUsername(username.toLowerCase());
    return row === undefined ? null : userFromRow(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.#b.reads.listUsers()).map(userFromRow);
  }

  async updateProfile(
    id: string,
    patch: { displayName?: string; email?: string | null },
  ): Promise<UserRecord | null> {
    const set: UserPatch = {};
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.email !== undefined) set.email = patch.email;
    if (Object.keys(set).length > 0) await this.#updateUser(id, set);
    return this.getUserById(id);
  }

  updateCredentials(
    id: string,
    creds: { kdfSalt: Uint8Array; kdf: NewUser['kdf']; verifier: string; keyBlob: Uint8Array },
  ): Promise<void> {
    return this.#updateUser(id, {
      kdfSalt: creds.kdfSalt,
      kdfAlg: creds.kdf.alg,
      kdfOpslimit: creds.kdf.opslimit,
      kdfMemlimit: creds.kdf.memlimit,
      verifier: creds.verifier,
      keyBlob: creds.keyBlob,
    });
  }

  setRecovery(id: string, recovery: { verifier: string; blob: Uint8Array } | null): Promise<void> {
    return this.#updateUser(id, {
      recoveryVerifier: recovery?.verifier ?? null,
      recoveryBlob: recovery?.blob ?? null,
    });
  }

  setRole(id: string, role: Role): Promise<void> {
    return this.#updateUser(id, { role });
  }

  setDisabled(id: string, disabled: boolean): Promise<void> {
    return this.#updateUser(id, { disabled });
  }

  async touchLastSeen(ids: readonly string[], at: number): Promise<void> {
    if (ids.length > 0) await this.#b.write((q) => q.touchLastSeen([...ids], at));
  }

  #updateUser(id: string, patch: UserPatch): Promise<void> {
    return this.#b.write((q) => q.updateUser(id, patch));
  }

  deleteUser(id: string): Promise<MembershipChange[]> {
    return this.#b.transaction(async (q) => {
      if ((await q.userById(id)) === undefined) return [];
      const changes = await leaveEverything(q, id);
      await q.wipeMessagesOf(id);
      await q.deleteKeysAndSharesOf(id);
      await q.deleteSessionsOf(id, undefined);
      await q.deleteAvatar(id);
      await q.deletePins(id);
      await q.deleteUser(id);
      return changes;
    });
  }

  removeFromAllChannels(id: string): Promise<MembershipChange[]> {
    return this.#b.transaction((q) => leaveEverything(q, id));
  }

  // ---- sessions ----

  createSession(session: SessionRecord): Promise<void> {
    return this.#b.write((q) => q.insertSession({ ...session }));
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    return (await this.#b.reads.sessionByHash(tokenHash)) ?? null;
  }

  deleteSession(tokenHash: string): Promise<void> {
    return this.#b.write((q) => q.deleteSession(tokenHash));
  }

  deleteUserSessions(userId: string, keepTokenHash?: string): Promise<void> {
    return this.#b.write((q) => q.deleteSessionsOf(userId, keepTokenHash));
  }

  deleteExpiredSessions(now: number): Promise<number> {
    return this.#b.write((q) => q.deleteExpiredSessions(now));
  }

  // ---- avatars and pins ----

  putAvatar(userId: string, mime: string, data: Uint8Array): Promise<number> {
    return this.#b.transaction(async (q) => {
      const user = await q.userById(userId);
      if (user === undefined) throw new RecordNotFound('user');
      const version = nextAvatarVersion(user.avatarVersion, Date.now());
      await q.upsertAvatar({ userId, mime, data, version });
      await q.updateUser(userId, { avatarVersion: version });
      return version;
    });
  }

  async getAvatar(userId: string): Promise<{ mime: string; data: Uint8Array; version: number } | null> {
    const row = await this.#b.reads.avatarOf(userId);
    return row === undefined ? null : { mime: row.mime, data: row.data, version: row.version };
  }

  deleteAvatar(userId: string): Promise<void> {
    return this.#b.transaction(async (q) => {
      await q.deleteAvatar(userId);
      await q.updateUser(userId, { avatarVersion: null });
    });
  }

  async getPins(userId: string): Promise<Uint8Array | null> {
    return (await this.#b.reads.pinsOf(userId))?.blob ?? null;
  }

  putPins(userId: string, blob: Uint8Array): Promise<void> {
    return this.#b.write((q) => q.upsertPins({ userId, blob }));
  }

  // ---- channels and membership ----

  async ensureBroadcast(): Promise<ChannelRecord> {
    await this.#b.write((q) =>
      q.insertChannelIfAbsent(newChannelRow(BROADCAST_CHANNEL_ID, 'broadcast', null, Date.now())),
    );
    const row = await this.#b.reads.channelById(BROADCAST_CHANNEL_ID);
    if (row === undefined) throw new RecordNotFound('channel');
    return channelFromRow(row);
  }

  async getChannel(id: string): Promise<ChannelRecord | null> {
    const row = await this.#b.reads.channelById(id);
    return row === undefined ? null : channelFromRow(row);
  }

  createChannel(input: {
    id: string;
    kind: 'dm' | 'group';
    name: string | null;
    members: { userId: string; role: MemberRole }[];
    createdAt: number;
  }): Promise<{ channel: ChannelRecord; created: boolean }> {
    const creator = input.members[0];
    if (creator === undefined) throw new Error('createChannel: a channel needs at least one member');
    return this.#b.transaction(async (q) => {
      await q.insertChannelIfAbsent(newChannelRow(input.id, input.kind, input.name, input.createdAt));
      let channel = await lockExisting(q, input.id);
      // A channel that already has entries was created before (or by a concurrent call that won).
      if (channel.lastSeq > 0) {
        if (channel.kind !== 'dm' || input.kind !== 'dm') throw new UniqueViolation('channel');
        return { channel: channelFromRow(channel), created: false };
      }
      ({ channel } = await appendSystem(
        q,
        channel,
        { event: 'create', userId: creator.userId, actorId: creator.userId },
        input.createdAt,
        { memberEpoch: channel.memberEpoch },
      ));
      for (const m of input.members) {
        const joined = await appendSystem(
          q,
          channel,
          { event: 'join', userId: m.userId, actorId: creator.userId },
          input.createdAt,
          { memberEpoch: channel.memberEpoch },
        );
        channel = joined.channel;
        await q.insertMember({
          channelId: input.id,
          userId: m.userId,
          role: m.role,
          joinedSeq: joined.entry.seq,
        });
      }
      return { channel: channelFromRow(channel), created: true };
    });
  }

  async appendMembershipLog(input: LogAppend): Promise<LogAppendResult> {
    try {
      return await this.#b.transaction((q) => appendLog(q, input));
    } catch (err) {
      // Two creates of one id, or two appends at one index, racing past the head check.
      if (err instanceof UniqueViolation || !this.#b.isUniqueViolation(err)) throw err;
      if (input.mode === 'create') throw new UniqueViolation('channel');
      const channel = await this.#b.reads.channelById(input.channelId);
      return { ok: false, code: 'log_conflict', length: channel?.logLength ?? 0 };
    }
  }

  async getMembershipLog(channelId: string, from: number, limit: number): Promise<LogEntryRecord[]> {
    return (await this.#b.reads.logEntries(channelId, from, limit)).map(logEntryFromRow);
  }

  async listMemberships(userId: string): Promise<MembershipView[]> {
    return (await this.#b.reads.membershipsOf(userId)).map(viewFromRow);
  }

  async getMembership(userId: string, channelId: string): Promise<MembershipView | null> {
    const [row] = await this.#b.reads.membershipsOf(userId, channelId);
    return row === undefined ? null : viewFromRow(row);
  }

  async getMembers(channelId: string): Promise<MemberRecord[]> {
    return (await this.#b.reads.membersOf(channelId)).map(memberFromRow);
  }

  async getMember(channelId: string, userId: string): Promise<MemberRecord | null> {
    const row = await this.#b.reads.member(channelId, userId);
    return row === undefined ? null : memberFromRow(row);
  }

  addMember(channelId: string, userId: string, actorId: string | null): Promise<MembershipChange> {
    return this.#b.transaction(async (q) => {
      const channel = await lockExisting(q, channelId);
      if ((await q.member(channelId, userId)) !== undefined) throw new UniqueViolation('member');
      if ((await q.userById(userId)) === undefined) throw new RecordNotFound('user');
      if (hasLog(channel)) throw new Error('addMember: this group changes only through its signed log');
      const epoch = channel.memberEpoch + (channel.kind === 'broadcast' ? 0 : 1);
      const after = await appendSystem(q, channel, { event: 'join', userId, actorId }, Date.now(), {
        memberEpoch: epoch,
      });
      await q.insertMember({ channelId, userId, role: 'member', joinedSeq: after.entry.seq });
      return { channel: channelFromRow(after.channel), entry: messageFromRow(after.entry) };
    });
  }

  removeMember(channelId: string, userId: string, actorId: string | null): Promise<MembershipChange> {
    return this.#b.transaction(async (q) => {
      const channel = await lockExisting(q, channelId);
      if ((await q.member(channelId, userId)) === undefined) throw new RecordNotFound('member');
      return removeFromChannel(q, channel, userId, actorId);
    });
  }

  // ---- sender-key shares ----

  putShares(
    channelId: string,
    senderId: string,
    keyId: number,
    shares: { recipientId: string; sealed: Uint8Array }[],
  ): Promise<number> {
    return this.#b.transaction(async (q) => {
      const channel = await lockExisting(q, channelId);
      await q.insertSenderKeyIfAbsent({ channelId, senderId, keyId, epoch: channel.memberEpoch });
      const key = await q.senderKey(channelId, senderId, keyId);
      if (key === undefined) throw new RecordNotFound('sender key');
      const rows = shares.map((s) => ({
        channelId,
        senderId,
        keyId,
        recipientId: s.recipientId,
        sealed: s.sealed,
      }));
      for (let i = 0; i < rows.length; i += SHARE_CHUNK) await q.upsertShares(rows.slice(i, i + SHARE_CHUNK));
      return key.epoch;
    });
  }

  async getShares(
    channelId: string,
    recipientId: string,
    filter: { senderId?: string; keyId?: number } = {},
  ): Promise<ShareRecord[]> {
    const rows = await this.#b.reads.sharesFor(channelId, recipientId, filter);
    return rows.map((r) => shareFromRow(r.share, r.epoch));
  }

  // ---- messages ----

  async appendMessages(batch: NewMessage[], now: number): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    try {
      return await this.#b.transaction((q) => appendBatch(q, batch, now));
    } catch (err) {
      // A concurrent batch stored one of these (senderId, clientMsgId) first: run again, and the
      // idempotency lookup now finds it.
      if (!this.#b.isUniqueViolation(err)) throw err;
      return this.#b.transaction((q) => appendBatch(q, batch, now));
    }
  }

  async listMessages(
    channelId: string,
    query: { after?: number; before?: number; limit: number; minSeq: number },
  ): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
    const limit = Math.max(1, query.limit);
    const from = Math.max(0, query.minSeq);
    let rows: MessageRow[];
    if (query.after !== undefined) {
      const after = Math.max(query.after, from - 1);
      rows = await this.#b.reads.messagesAfter(channelId, after, query.before ?? NO_BOUND, limit + 1);
      const hasMore = rows.length > limit;
      return { messages: rows.slice(0, limit).map(messageFromRow), hasMore };
    }
    // `before`, or the latest page when neither cursor is given.
    rows = await this.#b.reads.messagesBefore(channelId, query.before ?? NO_BOUND, from, limit + 1);
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(messageFromRow), hasMore };
  }

  async getMessage(channelId: string, seq: number): Promise<MessageRecord | null> {
    const row = await this.#b.reads.messageAt(channelId, seq);
    return row === undefined ? null : messageFromRow(row);
  }

  deleteMessage(
    channelId: string,
    seq: number,
    senderId: string,
  ): Promise<'deleted' | 'not_found' | 'forbidden'> {
    return this.#b.transaction(async (q) => {
      const row = await q.messageAt(channelId, seq);
      if (row === undefined) return 'not_found';
      if (row.kind !== 'msg' || row.senderId !== senderId) return 'forbidden';
      if (!row.deleted) await q.markDeleted(channelId, seq);
      return 'deleted';
    });
  }

  setReadMarker(userId: string, channelId: string, seq: number): Promise<void> {
    return this.#b.write((q) => q.raiseReadMarker(userId, channelId, seq));
  }

  // ---- key transparency ----

  async ktPendingBindings(limit: number): Promise<KtBindingRecord[]> {
    return this.#b.reads.ktPending(limit);
  }

  async ktPublishedBindings(after: number, upTo: number): Promise<KtBindingRecord[]> {
    return this.#b.reads.ktPublished(after, upTo);
  }

  async ktLatestBinding(userId: string): Promise<KtBindingRecord | null> {
    return (await this.#b.reads.ktLatestBinding(userId)) ?? null;
  }

  async ktLatestHead(): Promise<KtHeadRecord | null> {
    return (await this.#b.reads.ktLatestHead()) ?? null;
  }

  ktHeads(from: number, limit: number): Promise<KtHeadRecord[]> {
    return this.#b.reads.ktHeads(from, limit);
  }

  async ktCommitEpoch(head: KtHeadRecord, bindings: { userId: string; version: number }[]): Promise<boolean> {
    try {
      return await this.#b.transaction(async (q) => {
        const latest = await q.ktLatestHead();
        if ((latest?.epoch ?? -1) !== head.epoch - 1) return false;
        await q.insertKtHead({ ...head });
        for (let i = 0; i < bindings.length; i += KT_CHUNK) {
          await q.publishKtBindings(head.epoch, bindings.slice(i, i + KT_CHUNK));
        }
        return true;
      });
    } catch (err) {
      // Another relay inserted this epoch between our check and our insert.
      if (this.#b.isUniqueViolation(err)) return false;
      throw err;
    }
  }

  ktTakeLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.#b.write((q) => q.takeKtLease(holder, now, now + ttlMs));
  }

  ktBackfill(): Promise<number> {
    return this.#b.transaction(async (q) => {
      const missing = await q.usersWithoutBinding();
      for (let i = 0; i < missing.length; i += SHARE_CHUNK) {
        await q.insertKtBindings(missing.slice(i, i + SHARE_CHUNK).map(firstBinding));
      }
      return missing.length;
    });
  }

  // ---- invites ----

  async createInvite(invite: NewInvite): Promise<InviteRecord> {
    const row: InviteRecord = { ...invite, uses: 0, revoked: false };
    try {
      await this.#b.write((q) => q.insertInvite(row));
    } catch (err) {
      if (this.#b.isUniqueViolation(err)) throw new UniqueViolation('invite');
      throw err;
    }
    return row;
  }

  async getInviteByCodeHash(codeHash: string): Promise<InviteRecord | null> {
    return (await this.#b.reads.inviteByCodeHash(codeHash)) ?? null;
  }

  async getInvite(id: string): Promise<InviteRecord | null> {
    return (await this.#b.reads.inviteById(id)) ?? null;
  }

  listInvites(): Promise<InviteRecord[]> {
    return this.#b.reads.listInvites();
  }

  async revokeInvite(id: string): Promise<boolean> {
    if ((await this.#b.reads.inviteById(id)) === undefined) return false;
    await this.#b.write((q) => q.revokeInvite(id));
    return true;
  }

  // ---- admin ----

  async listUsersForAdmin(): Promise<AdminUserRecord[]> {
    const [users, counts] = await Promise.all([
      this.#b.reads.listUsers(),
      this.#b.reads.messageCountsBySender(),
    ]);
    return users.map((row) => ({ ...userFromRow(row), messageCount: counts.get(row.id) ?? 0 }));
  }

  stats(now: number): Promise<StoreStats> {
    return this.#b.reads.stats(now);
  }
}

/** Byte equality of two public hashes (not secret; no need for constant time). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
