// Who is in a conversation, decided by the client (DESIGN §7.1, §7.2). Groups: the signed
// membership log, fetched from the relay and verified entry by entry; the member set, owner and
// epoch come only from it. DMs: exactly me and the peer, fixed by the id I derive myself.
// Broadcast: whoever the relay lists (anyone with an account; not private from the operator).
// The relay's member lists and "missing members" are hints: anyone outside this set is refused.
import {
  CryptoError,
  constantTimeEqual,
  dmChannelId,
  type MemberAction,
  type MemberEntry,
  MembershipLog,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  signMemberEntry,
  toBase64,
} from '@parley/crypto-core';
import type { ChannelSummary, LogEntry } from '@parley/server/protocol';
import type { Session } from './account';
import type { ChannelAlerts } from './alerts';
import type { Api } from './api';
import type { Contacts } from './contacts';
import { TrustError } from './errors';

/** A signed membership head as messages carry it (`mh`, DESIGN §7.3). */
export interface MembershipHead {
  index: number;
  hash: string;
}

export class GroupLogs {
  readonly #api: Api;
  readonly #session: Session;
  readonly #alerts: ChannelAlerts;
  readonly #contacts: Contacts;
  readonly #logs = new Map<string, MembershipLog>();
  readonly #syncing = new Map<string, Promise<MembershipLog>>();
  /** Called when a channel's verified log grew (the app re-renders its notices). */
  onGrow: (channelId: string) => void = () => {};

  constructor(api: Api, session: Session, alerts: ChannelAlerts, contacts: Contacts) {
    this.#api = api;
    this.#session = session;
    this.#alerts = alerts;
    this.#contacts = contacts;
  }

  get #me(): string {
    return this.#session.user.id;
  }

  /** The verified log held for a group, if any was fetched. */
  peek(channelId: string): MembershipLog | undefined {
    return this.#logs.get(channelId);
  }

  /** The verified log, fetched if none is held yet. */
  async get(channelId: string): Promise<MembershipLog> {
    return this.#logs.get(channelId) ?? this.sync(channelId);
  }

  /**
   * Fetches what the relay has beyond the verified log and verifies it. The relay cannot take an
   * entry back: a head that changed under us, or an entry that does not verify, is an alert and
   * the verified log stays as it was. One sync per channel at a time.
   */
  sync(channelId: string): Promise<MembershipLog> {
    let running = this.#syncing.get(channelId);
    if (!running) {
      running = this.#sync(channelId).finally(() => this.#syncing.delete(channelId));
      this.#syncing.set(channelId, running);
    }
    return running;
  }

  async #sync(channelId: string): Promise<MembershipLog> {
    const held = this.#logs.get(channelId) ?? MembershipLog.empty(channelId);
    let log = held;
    // Ask from the entry before our head as well, to see that the relay still serves the same one.
    let from = Math.max(0, log.length - 1);
    for (;;) {
      const page = await this.#api.membershipLog(channelId, from);
      if (page.length < held.length) {
        this.#viewsDiffer(
          channelId,
          `it now shows ${page.length} membership changes where it showed ${held.length}`,
        );
        return held;
      }
      for (const wire of page.entries) {
        const entry = this.#parse(channelId, wire);
        if (!entry) return this.#keep(channelId, log);
        if (entry.index < log.length) {
          if (!constantTimeEqual(log.hashAt(entry.index), memberEntryHash(entry))) {
            this.#viewsDiffer(channelId, `its membership entry ${entry.index} changed`);
            return this.#keep(channelId, log);
          }
          continue;
        }
        try {
          log = log.withEntry(entry);
        } catch (err) {
          if (!(err instanceof CryptoError)) throw err;
          this.#viewsDiffer(channelId, `it served a membership entry that does not verify (${err.message})`);
          return this.#keep(channelId, log);
        }
      }
      if (page.entries.length === 0 || log.length >= page.length) break;
      from = log.length;
    }
    return this.#keep(channelId, log);
  }

  #keep(channelId: string, log: MembershipLog): MembershipLog {
    const before = this.#logs.get(channelId)?.length ?? 0;
    this.#logs.set(channelId, log);
    this.#checkBoundKeys(log);
    if (log.length > before) this.onGrow(channelId);
    return log;
  }

  #parse(channelId: string, wire: LogEntry): MemberEntry | null {
    try {
      return memberEntryFromWire(channelId, wire);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      this.#viewsDiffer(channelId, `it served a malformed membership entry (${err.message})`);
      return null;
    }
  }

  /**
   * A message's `mh` names the membership head its sender verified. A log behind it is fetched;
   * if the relay cannot supply that entry, or ours there has another hash, the server is showing
   * members different member lists.
   */
  async checkHead(channelId: string, mh: MembershipHead): Promise<void> {
    let log = this.#logs.get(channelId);
    if (!log || log.length <= mh.index) log = await this.sync(channelId);
    if (log.length <= mh.index) {
      this.#viewsDiffer(
        channelId,
        `a member saw membership change ${mh.index + 1}, which the server does not show you`,
      );
    } else if (toBase64(log.hashAt(mh.index)) !== mh.hash) {
      this.#viewsDiffer(channelId, `a member saw a different membership change ${mh.index + 1} than you`);
    }
  }

  /** The head to sign into a message (`mh`), or undefined when no log is held. */
  head(channelId: string): MembershipHead | undefined {
    const log = this.#logs.get(channelId);
    if (!log || log.length === 0) return undefined;
    return { index: log.length - 1, hash: toBase64(log.head) };
  }

  // ---- signing my own entries ----

  /** The signed `create` entry of a new group. */
  create(channelId: string): LogEntry {
    return this.#sign(MembershipLog.empty(channelId), 'create', this.#me, this.#session.identity.signPk);
  }

  /** The signed `add` of a contact, binding the identity key I have in force for them. */
  async add(channelId: string, userId: string): Promise<LogEntry> {
    const contact = await this.#contacts.get(userId);
    await this.#contacts.checkKeyLog(userId, { wait: true }); // bind only a key the key log backs
    if (this.#contacts.blockReason(userId) !== null) {
      throw new TrustError(`cannot invite ${contact.username}: check their security key first`);
    }
    return this.#sign(await this.sync(channelId), 'add', userId, contact.identityKey);
  }

  /** The signed `remove` of another member, or `leave` when the user is me. */
  async remove(channelId: string, userId: string): Promise<LogEntry> {
    const action: MemberAction = userId === this.#me ? 'leave' : 'remove';
    return this.#sign(await this.sync(channelId), action, userId);
  }

  /** The owner's re-signed log of a group made before signed membership: create, then each member. */
  async adopt(channel: ChannelSummary): Promise<LogEntry[]> {
    let log = MembershipLog.empty(channel.id);
    const entries: LogEntry[] = [];
    const append = (action: MemberAction, userId: string, key: Uint8Array) => {
      const entry = signMemberEntry(log.next(action, this.#me, userId, key), this.#session.identity.signSk);
      log = log.withEntry(entry);
      entries.push(memberEntryToWire(entry));
    };
    append('create', this.#me, this.#session.identity.signPk);
    for (const m of channel.members) {
      if (m.userId === this.#me) continue;
      const contact = await this.#contacts.get(m.userId);
      if (this.#contacts.blockReason(m.userId) === 'key-changed') {
        throw new TrustError(`check ${contact.username}'s security key before you sign the members`);
      }
      append('add', m.userId, contact.identityKey);
    }
    return entries;
  }

  #sign(log: MembershipLog, action: MemberAction, subjectId: string, key?: Uint8Array): LogEntry {
    const fields = log.next(action, this.#me, subjectId, key);
    const entry = signMemberEntry(fields, this.#session.identity.signSk);
    log.withEntry(entry); // refuse here what every reader would refuse
    return memberEntryToWire(entry);
  }

  // ---- who gets my sender key ----

  /**
   * Everyone my sender key in this channel is sealed to, myself included: the verified members
   * of a group, me and the peer in a DM (whatever the relay lists), the relay's list in broadcast.
   */
  async recipients(channel: ChannelSummary): Promise<string[]> {
    if (channel.kind === 'dm') return [this.#me, this.dmPeer(channel)];
    if (channel.kind === 'broadcast') return channel.members.map((m) => m.userId);
    const log = await this.verifiedFor(channel);
    return log.members().map((m) => m.userId);
  }

  /** The key epoch the client itself vouches for: a group's verified log length, else the relay's. */
  async epoch(channel: ChannelSummary): Promise<number> {
    if (channel.kind !== 'group') return channel.memberEpoch;
    return (await this.verifiedFor(channel)).epoch;
  }

  /**
   * The verified log of a group, synced when the relay's summary says it has more. Throws
   * TrustError for a group whose members are not signed (made before the log).
   */
  async verifiedFor(channel: ChannelSummary): Promise<MembershipLog> {
    let log = this.#logs.get(channel.id);
    if (!log || log.length < channel.logLength) log = await this.sync(channel.id);
    if (log.length === 0) {
      this.#alerts.raise({
        channelId: channel.id,
        kind: 'unverified-membership',
        message:
          'This channel was created before members were signed. Until its owner re-signs the member list, nobody can check who is in it, so sending is paused.',
        userIds: [],
      });
      throw new TrustError(`channel ${channel.id}: membership not verified`);
    }
    this.#alerts.clear(channel.id, 'unverified-membership');
    // A view that the signed data shows to be stale or forked: nobody knows whom to seal to.
    if (this.#alerts.of(channel.id).some((a) => a.kind === 'views-differ')) {
      throw new TrustError(`channel ${channel.id}: the server is showing members different member lists`);
    }
    this.#checkListed(channel, log);
    return log;
  }

  /** The DM peer, checked against the id I derive myself (DESIGN §7.2). */
  dmPeer(channel: ChannelSummary): string {
    const others = channel.members.map((m) => m.userId).filter((id) => id !== this.#me);
    const peer = others[0];
    if (peer === undefined || dmChannelId(this.#me, peer) !== channel.id) {
      throw new TrustError(`channel ${channel.id}: not the direct message of you and its member`);
    }
    if (others.length > 1) this.#ghosts(channel.id, others.slice(1), 'lists in this direct message');
    return peer;
  }

  /**
   * Splits the members a relay says lack my key into those I seal to and those I refuse: anyone
   * outside the verified set is refused and named in an alert.
   */
  async filterMissing(channel: ChannelSummary, missing: readonly string[]): Promise<string[]> {
    const allowed = new Set(await this.recipients(channel));
    const refused = missing.filter((id) => !allowed.has(id));
    if (refused.length > 0) this.#ghosts(channel.id, refused, 'asked for your key for');
    return missing.filter((id) => allowed.has(id));
  }

  forget(channelId: string): void {
    this.#logs.delete(channelId);
  }

  /** Members the relay lists that the verified log does not have are ghosts. */
  #checkListed(channel: ChannelSummary, log: MembershipLog): void {
    if (log.length < channel.logLength) return; // the relay is ahead; checked once we catch up
    const ghosts = channel.members.map((m) => m.userId).filter((id) => !log.isMember(id));
    if (ghosts.length > 0) this.#ghosts(channel.id, ghosts, 'lists as members');
  }

  #ghosts(channelId: string, userIds: string[], what: string): void {
    const names = userIds.map((id) => this.#nameOf(id)).join(', ');
    this.#alerts.raise({
      channelId,
      kind: 'ghost-member',
      message: `The server ${what} ${names}, who no member added. Your key was not shared with them.`,
      userIds,
    });
  }

  /** How alerts name a user: display name and username, as the directory has them. */
  #nameOf(userId: string): string {
    const c = this.#contacts.peek(userId);
    return c ? `${c.displayName || c.username} (@${c.username})` : userId;
  }

  #viewsDiffer(channelId: string, why: string): void {
    this.#alerts.raise({
      channelId,
      kind: 'views-differ',
      message: `The server is showing members different member lists: ${why}.`,
      userIds: [],
    });
  }

  /** A bound key that differs from the key in force for that user is a key change (§7.1). */
  #checkBoundKeys(log: MembershipLog): void {
    for (const m of log.members()) {
      const mine = m.userId === this.#me;
      const inForce = mine ? this.#session.identity.signPk : this.#contacts.peek(m.userId)?.identityKey;
      if (!inForce || constantTimeEqual(inForce, m.identityPk)) continue;
      const name = mine ? 'you' : this.#nameOf(m.userId);
      this.#alerts.raise({
        channelId: log.channelId,
        kind: 'key-mismatch',
        message: `The member list binds a different security key for ${name} than the one you have. Compare safety numbers.`,
        userIds: [m.userId],
      });
    }
  }
}
