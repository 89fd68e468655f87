// ParleyClient: the one object the web app, the integration tests and the benchmarks hold. It ties
// accounts, contacts, channels, sender keys, messages and the real-time socket together and keeps
// a decrypted, seq-ordered timeline per channel.
import { dmChannelId, newGroupChannelId, wipe } from '@parley/crypto-core';
import {
  type ChannelSummary,
  CloseCode,
  type LogEntry,
  type Me,
  type WireMessage,
} from '@parley/server/protocol';
import * as account from './account';
import { type AlertKind, type ChannelAlert, ChannelAlerts } from './alerts';
import { Api } from './api';
import { Channels } from './channels';
import { type ContactEvents, Contacts } from './contacts';
import type { EditVersion } from './edits';
import { Emitter } from './emitter';
import { ApiError, LockedError, TrustError } from './errors';
import type { FetchLike } from './http';
import { KeyTransparency } from './kt';
import { GroupLogs } from './membership';
import { mentionedIds } from './mentions';
import { Messages, type MessageView, type SendResult } from './messages';
import { isReactionEmoji, type ReactionSummary, toggledOn } from './reactions';
import { enrichTimeline } from './rich-timeline';
import { SenderKeys } from './sender-keys';
import {
  type ConnectionEvent,
  isFinal,
  RealtimeSocket,
  type SocketOptions,
  type WebSocketCtor,
} from './socket';
import { judgeTimeline } from './timeline-integrity';
import { ChannelViews } from './views';

export interface ClientOptions {
  /** Relay base URL, e.g. `http://localhost:8080` (the page's origin in the browser). */
  baseUrl: string;
  fetch: FetchLike;
  /** WebSocket constructor; without it the client works over REST only. */
  WebSocket?: WebSocketCtor;
  /** Origin header for Node; browsers set their own. */
  origin?: string;
  /** Defaults to baseUrl with ws(s):// and `/ws`. */
  wsUrl?: string;
  /** Argon2id derivation (the web app passes its Web Worker version). */
  derive?: account.DeriveFn;
  /** Socket tuning (timeouts, backoff). */
  socket?: Partial<Omit<SocketOptions, 'url' | 'WebSocket' | 'userId'>>;
  /** Highest pins version this device saw before (rollback protection across reloads). */
  pinsVersion?: number;
  /** This browser's memory of each account's salt and KDF parameters. */
  kdfMemory?: account.KdfMemory;
  /** Asked before deriving when the relay's salt or KDF parameters changed (see account.checkKdf). */
  confirmKdfChange?: (change: account.KdfChange) => Promise<boolean>;
  /** How often a connected client checks the key log for new heads (default 30 s). */
  keyLogPollMs?: number;
}

/** Self-monitoring cadence while connected, and how often a moving head is written to the pins. */
const KEY_LOG_POLL_MS = 30_000;
const KEY_LOG_SAVE_MS = 5 * 60_000;

export interface ClientEvents extends ContactEvents {
  /** A decrypted timeline entry, new or changed (e.g. now deleted). Order: see `timeline()`. */
  message: MessageView;
  deleted: { channelId: string; seq: number };
  /** A channel appeared, changed (members, epoch) or went away (null). */
  channel: { channelId: string; channel: ChannelSummary | null };
  typing: { channelId: string; userId: string };
  presence: { userId: string; online: boolean };
  connection: ConnectionEvent;
  /**
   * The session ended on the relay (logout elsewhere, disabled account, password change).
   * `accountClosed`: the relay closed the socket because an admin disabled or deleted the account.
   */
  sessionEnded: { reason: string; accountClosed: boolean };
  /** Something the user should know about but that did not stop the client (bad pins blob, bad frame). */
  warning: Error;
  /** The relay was caught lying in a channel, or a member's key is in doubt (DESIGN §7). */
  alert: ChannelAlert;
  /** An alert's cause is gone (e.g. the owner re-signed the members). */
  alertCleared: { channelId: string; kind: AlertKind };
  /** The pins failed closed (`unknown` says why) or trust was restored (null). DESIGN §7.4. */
  trust: { unknown: string | null };
  /** A group's verified membership log grew: its members and notices changed. */
  membership: { channelId: string };
  /**
   * The key log shows something wrong with this account's own key, or the log itself forked or
   * went back (DESIGN §7.5). Raised once; it is never cleared for the session.
   */
  keyLogAlarm: { reason: string };
}

export interface SendOptions {
  /** Reuse this id (a retry of a send that may have reached the relay). */
  clientMsgId?: string;
  /** The clientMsgId of the message this one answers. */
  replyTo?: string;
  /** User ids to sign in as mentioned; by default the channel's members the text's `@`s name. */
  mentions?: string[];
}

/** A member that `@` can name. */
export interface MentionCandidate {
  id: string;
  username: string;
  displayName: string;
}

/** A member as the client itself verified it (not as the relay lists it). */
export interface VerifiedMember {
  userId: string;
  role: 'owner' | 'member';
}

export class ParleyClient {
  readonly api: Api;
  readonly events = new Emitter<ClientEvents>();
  readonly #opts: ClientOptions;
  #session: account.Session | null = null;
  #parts: Parts | null = null;
  #socket: RealtimeSocket | null = null;
  #unsubscribe: (() => void)[] = [];
  #views: ChannelViews | null = null;
  #keyLogSavedAt = 0;
  #keyLogTimer: ReturnType<typeof setInterval> | null = null;
  readonly #now: () => number = Date.now;
  /** Judged timelines, cached until the channel's entries or verified log change. */
  readonly #judged = new Map<string, { key: string; entries: MessageView[] }>();
  #probing = false;
  /** Close code of a 4001/4003 that arrived while a probe was running. */
  #probeAgain: number | undefined = undefined;

  constructor(options: ClientOptions) {
    this.#opts = options;
    const http = { baseUrl: options.baseUrl, fetch: options.fetch };
    this.api = new Api(options.origin === undefined ? http : { ...http, origin: options.origin });
  }

  // ---- accounts ----

  get user(): Me | null {
    return this.#session?.user ?? null;
  }

  get session(): account.Session {
    if (!this.#session) throw new LockedError();
    return this.#session;
  }

  async register(
    input: account.RegisterInput & { onProgress?: account.ProgressFn },
  ): Promise<{ user: Me; recoveryCode: string | null }> {
    const { session, recoveryCode } = await account.register(this.#deps(input.onProgress), input);
    await this.#unlock(session);
    return { user: session.user, recoveryCode };
  }

  async login(input: { username: string; password: string; onProgress?: account.ProgressFn }): Promise<Me> {
    const session = await account.login(this.#deps(input.onProgress), input);
    await this.#unlock(session);
    return session.user;
  }

  /** Resumes a live session cookie with keys the app kept (e.g. in IndexedDB). */
  async resume(identity: account.Session['identity']): Promise<Me> {
    const session = await account.resume(this.api, identity);
    await this.#unlock(session);
    return session.user;
  }

  async recoverWithCode(input: {
    username: string;
    code: string;
    newPassword: string;
    onProgress?: account.ProgressFn;
  }) {
    const session = await account.recoverWithCode(this.#deps(input.onProgress), input);
    await this.#unlock(session);
    return session.user;
  }

  async changePassword(input: { oldPassword: string; newPassword: string; onProgress?: account.ProgressFn }) {
    await account.changePassword(this.#deps(input.onProgress), this.session, input);
  }

  /** Creates or replaces the recovery key; the code is returned once. */
  setRecovery(): Promise<string> {
    return account.setRecovery(this.api, this.session);
  }

  /** Ends the session on the relay (best effort) and wipes the keys from memory. */
  async logout(): Promise<void> {
    // First the socket: the relay closes it (4001) as the session ends, and that must not be
    // taken for a session ended elsewhere.
    this.disconnect();
    try {
      await this.api.logout();
    } finally {
      this.lock();
    }
  }

  /** Forgets the keys and stops the socket without telling the relay. */
  lock(): void {
    this.disconnect();
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    if (this.#session) wipe(this.#session.identity.signSk, this.#session.identity.boxSk);
    this.#session = null;
    this.#parts = null;
    this.#views?.close();
    this.#views = null;
    this.#judged.clear();
  }

  // ---- parts, for the app's finer needs ----

  get contacts(): Contacts {
    return this.#need().contacts;
  }
  get channels(): Channels {
    return this.#need().channels;
  }
  get messages(): Messages {
    return this.#need().messages;
  }
  get senderKeys(): SenderKeys {
    return this.#need().keys;
  }
  get groupLogs(): GroupLogs {
    return this.#need().logs;
  }
  get socket(): RealtimeSocket | null {
    return this.#socket;
  }
  /** Highest pins version seen: keep it across reloads to refuse a rolled-back pins blob. */
  get pinsVersion(): number {
    return this.#parts?.contacts.pins.highestVersion ?? 0;
  }

  // ---- real time ----

  /** Opens the socket (no-op without a WebSocket constructor). Every channel is followed from now on. */
  connect(): void {
    const parts = this.#need();
    if (this.#socket || !this.#opts.WebSocket) return;
    const socket = new RealtimeSocket({
      ...this.#opts.socket,
      url: this.#opts.wsUrl ?? wsUrlOf(this.#opts.baseUrl),
      WebSocket: this.#opts.WebSocket,
      userId: this.session.user.id,
    });
    this.#socket = socket;
    for (const c of parts.channels.list()) socket.track(c.id, this.#views?.maxSeq(c.id) ?? c.lastSeq);
    const ev = socket.events;
    this.#unsubscribe.push(
      ev.on('message', (m) => void this.#ingest(m)),
      ev.on('deleted', (d) => this.#onDeleted(d.channelId, d.seq)),
      ev.on('channel', (c) => this.#onChannel(c.channelId, c.channel)),
      ev.on('typing', (t) => this.events.emit('typing', t)),
      ev.on('presence', (p) => this.events.emit('presence', p)),
      ev.on('error', (e) => this.events.emit('warning', e)),
      ev.on('connection', (c) => this.#onConnection(c)),
    );
    parts.messages.setTransport((channelId, body) => socket.send({ channelId, ...body }));
    socket.start();
    this.#keyLogTimer = setInterval(
      () => void this.#watchKeyLog(),
      this.#opts.keyLogPollMs ?? KEY_LOG_POLL_MS,
    );
  }

  disconnect(): void {
    if (this.#keyLogTimer) clearInterval(this.#keyLogTimer);
    this.#keyLogTimer = null;
    this.#socket?.stop();
    this.#socket = null;
    if (this.#parts) this.#parts.messages.setTransport((channelId, body) => this.api.send(channelId, body));
  }

  // ---- channels ----

  /** Reloads the channel list; groups' member lists are checked against their signed logs. */
  async refreshChannels(): Promise<ChannelSummary[]> {
    const list = await this.channels.refresh();
    for (const c of list) this.#socket?.track(c.id, this.#views?.maxSeq(c.id) ?? c.lastSeq);
    await Promise.all(list.map((c) => this.#checkMembers(c)));
    return list;
  }

  /** Opens (or finds) the DM with a peer; its id must be the one I derive from the pair (§7.2). */
  async openDm(peerId: string): Promise<ChannelSummary> {
    const summary = await this.api.openDm(peerId);
    if (summary.id !== dmChannelId(this.session.user.id, peerId)) {
      throw new TrustError(
        `the server answered with ${summary.id}, which is not your direct message with this person`,
      );
    }
    return this.#adopt(summary);
  }

  /** A new private channel, its id and `create` entry signed by me (DESIGN §7.1). */
  async createGroup(name: string): Promise<ChannelSummary> {
    const id = newGroupChannelId();
    const summary = await this.api.createGroup(id, name, this.groupLogs.create(id));
    await this.groupLogs.sync(id);
    return this.#adopt(summary);
  }

  /** Invites a contact with my signed `add`, binding the key I have in force for them. */
  async invite(channelId: string, userId: string): Promise<ChannelSummary> {
    const summary = await this.#signed(
      channelId,
      () => this.groupLogs.add(channelId, userId),
      (entry) => this.api.invite(channelId, userId, entry),
    );
    await this.groupLogs.sync(channelId);
    return this.#adopt(summary);
  }

  /** Removes a member (owner), or yourself (leave); in a group, with my signed entry. */
  async removeMember(channelId: string, userId: string): Promise<void> {
    const channel = await this.channels.get(channelId);
    if (channel.kind === 'group' && channel.logLength > 0) {
      await this.#signed(
        channelId,
        () => this.groupLogs.remove(channelId, userId),
        (entry) => this.api.removeMember(channelId, userId, entry),
      );
    } else {
      await this.api.removeMember(channelId, userId);
    }
    if (userId === this.session.user.id) this.#forgetChannel(channelId);
    else {
      await this.groupLogs.sync(channelId).catch(() => {});
      await this.channels.get(channelId, true);
    }
  }

  /** The owner of a group made before signed membership re-signs its current members. */
  async signMembers(channelId: string): Promise<ChannelSummary> {
    const channel = await this.channels.get(channelId, true);
    const summary = await this.api.adoptLog(channelId, await this.groupLogs.adopt(channel));
    await this.groupLogs.sync(channelId);
    return this.#adopt(summary);
  }

  /**
   * The members I verified: a group's from its signed log (owner first), a DM's two, broadcast's
   * as the relay lists them. Null for a group whose log is not verified (yet).
   */
  members(channelId: string): VerifiedMember[] | null {
    const channel = this.channels.peek(channelId);
    if (!channel) return null;
    if (channel.kind !== 'group') {
      return channel.members.map((m) => ({ userId: m.userId, role: m.role }));
    }
    const log = this.groupLogs.peek(channelId);
    if (!log || log.length === 0) return null;
    return log
      .members()
      .map((m) => ({ userId: m.userId, role: m.userId === log.owner ? 'owner' : 'member' }));
  }

  /** What the client caught in this channel (ghosts, forks, key mismatches…). */
  alerts(channelId: string): readonly ChannelAlert[] {
    return this.#need().alerts.of(channelId);
  }

  /** Why the key log cannot be trusted for this account (self-monitoring, forks), or null. */
  get keyLogAlarm(): string | null {
    return this.#parts?.kt.alarm ?? null;
  }

  /** The key log's confirmation of a contact's key (version and epoch), once checked. */
  async keyLogStatus(userId: string) {
    await this.contacts.checkKeyLog(userId).catch(() => {});
    return { status: this.contacts.keyLogStatus(userId) ?? null, epoch: this.#need().kt.epoch };
  }

  /** Why trust is unknown (the pins blob failed closed), or null. */
  get trustUnknown(): string | null {
    return this.#parts?.contacts.trustUnknown ?? null;
  }

  /** Leaves trust unknown: keep the contacts re-verified since, or start over (warned in the UI). */
  async resolveTrust(how: 'reverified' | 'reset'): Promise<void> {
    await this.contacts.resolveTrust(how);
    this.#keyLogSavedAt = 0;
    await this.#keepKeyLogState();
    this.events.emit('trust', { unknown: null });
  }

  leave(channelId: string): Promise<void> {
    return this.removeMember(channelId, this.session.user.id);
  }

  // ---- messages ----

  /**
   * Encrypts and sends a text; resolves once the relay committed it. `replyTo` names the message
   * it answers; the `@username`s of the channel's members are signed in as `mentions` unless the
   * caller gives its own list.
   */
  async send(channelId: string, text: string, opts: SendOptions = {}): Promise<SendResult> {
    const mentions = opts.mentions ?? this.#mentionsIn(channelId, text);
    return this.messages.sendPayload(
      channelId,
      {
        kind: 'text',
        text,
        ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
        ...(mentions.length > 0 ? { mentions } : {}),
      },
      opts.clientMsgId !== undefined ? { clientMsgId: opts.clientMsgId } : {},
    );
  }

  /** A text answering `target` (a clientMsgId of the channel). */
  reply(
    channelId: string,
    target: string,
    text: string,
    opts: Omit<SendOptions, 'replyTo'> = {},
  ): Promise<SendResult> {
    return this.send(channelId, text, { ...opts, replyTo: target });
  }

  /**
   * Replaces the text of one of my messages (held in the timeline) with a signed edit, sent on
   * the same ordered, acked path as messages. Receivers apply it only because I sent the target.
   */
  async edit(channelId: string, target: string, text: string): Promise<SendResult> {
    const held = this.#findText(channelId, target);
    if (!held || held.senderId !== this.session.user.id) {
      throw new TrustError('only your own messages can be edited');
    }
    const mentions = this.#mentionsIn(channelId, text);
    return this.messages.sendPayload(channelId, {
      kind: 'edit',
      target,
      text,
      ...(mentions.length > 0 ? { mentions } : {}),
    });
  }

  /** Every version of a message's text, the original first (one entry when it was never edited). */
  editHistory(channelId: string, target: string): EditVersion[] {
    const held = this.#findText(channelId, target);
    if (held?.payload?.kind !== 'text') return [];
    return held.edits ?? [{ text: held.payload.text, at: held.payload.sentAt, seq: held.seq }];
  }

  /** Puts my `emoji` on a message. */
  react(channelId: string, target: string, emoji: string): Promise<SendResult> {
    return this.#react(channelId, target, emoji, true);
  }

  /** Takes my `emoji` back from a message. */
  unreact(channelId: string, target: string, emoji: string): Promise<SendResult> {
    return this.#react(channelId, target, emoji, false);
  }

  /** Puts `emoji` on, or takes it back if I have it on already. */
  toggleReaction(channelId: string, target: string, emoji: string): Promise<SendResult> {
    return this.#react(channelId, target, emoji, toggledOn(this.reactions(channelId, target), emoji));
  }

  /** The reactions on a message, per emoji: count, who, and whether I am one of them. */
  reactions(channelId: string, target: string): readonly ReactionSummary[] {
    return this.#findText(channelId, target)?.reactions ?? [];
  }

  /** The members `@` can name in a channel (everyone but me), as the client verified them. */
  mentionCandidates(channelId: string): MentionCandidate[] {
    const me = this.session.user.id;
    const ids = (this.members(channelId) ?? this.channels.peek(channelId)?.members ?? []).map(
      (m) => m.userId,
    );
    const out: MentionCandidate[] = [];
    for (const id of ids) {
      const c = id === me ? undefined : this.contacts.peek(id);
      if (c) out.push({ id, username: c.username, displayName: c.displayName || c.username });
    }
    return out;
  }

  /**
   * The entries held for a channel, ordered by seq, as the signed data tells them (DESIGN §7.3):
   * replays, server removals, reordering, withheld messages and unsigned notices are marked.
   */
  timeline(channelId: string): readonly MessageView[] {
    const views = this.#needViews();
    const log = this.#parts?.logs.peek(channelId);
    const key = `${views.version(channelId)}:${log?.length ?? 0}`;
    const cached = this.#judged.get(channelId);
    if (cached?.key === key) return cached.entries;
    const kind = this.channels.peek(channelId)?.kind ?? 'group';
    const judged = judgeTimeline(views.timeline(channelId).entries(), {
      kind,
      logEntry: (i) => (log && i < log.length ? log.entries()[i] : undefined),
    });
    // Edits, reactions and replies only from what the integrity checks let through.
    const entries = enrichTimeline(judged, this.session.user.id);
    this.#judged.set(channelId, { key, entries });
    return entries;
  }

  /** Loads the latest page (when nothing is held) or the page before the oldest entry held. */
  async loadOlder(channelId: string, limit = 50): Promise<{ messages: MessageView[]; hasMore: boolean }> {
    const views = this.#needViews();
    const oldest = views.timeline(channelId).minSeq;
    const page = await this.messages.history(
      channelId,
      oldest === null ? { limit } : { before: oldest, limit },
    );
    for (const [i, v] of page.messages.entries()) views.put(v, page.wire[i]);
    return { messages: page.messages, hasMore: page.hasMore };
  }

  /** Fetches everything after the newest entry held over REST (for use without a socket). */
  async loadNewer(channelId: string, limit = 200): Promise<MessageView[]> {
    const views = this.#needViews();
    const view = views.timeline(channelId);
    const added: MessageView[] = [];
    for (;;) {
      const after = view.maxSeq ?? 0;
      const page = await this.messages.history(channelId, { after, limit });
      for (const [i, v] of page.messages.entries()) {
        views.put(v, page.wire[i]);
        added.push(v);
      }
      if (!page.hasMore || page.messages.length === 0) return added;
    }
  }

  /** Deletes one of my messages: a signed delete, then the relay drops the ciphertext. */
  async deleteMessage(channelId: string, seq: number): Promise<void> {
    const views = this.#needViews();
    let view = views.timeline(channelId).get(seq);
    if (!view) {
      // Not held (sent over REST, say): fetch and decrypt it, which proves it is mine and its id.
      const page = await this.messages.history(channelId, { after: seq - 1, limit: 1 });
      for (const [i, v] of page.messages.entries()) views.put(v, page.wire[i]);
      view = views.timeline(channelId).get(seq);
    }
    if (view?.status !== 'ok' || !view.clientMsgId || view.senderId !== this.session.user.id) {
      throw new TrustError('only your own messages can be deleted');
    }
    await this.messages.delete(channelId, seq, view.clientMsgId);
    this.#onDeleted(channelId, seq);
  }

  async markRead(channelId: string, seq: number): Promise<void> {
    if (this.#socket?.ready) await this.#socket.markRead(channelId, seq);
    else await this.api.markRead(channelId, seq);
  }

  typing(channelId: string): void {
    this.#socket?.typing(channelId);
  }

  // ---- internals ----

  #findText(channelId: string, clientMsgId: string): MessageView | undefined {
    return this.timeline(channelId).find(
      (m) => m.clientMsgId === clientMsgId && m.status === 'ok' && m.payload?.kind === 'text',
    );
  }

  async #react(channelId: string, target: string, emoji: string, on: boolean): Promise<SendResult> {
    if (!isReactionEmoji(emoji)) throw new TypeError(`react: ${emoji} is not one of the reaction emoji`);
    if (!this.#findText(channelId, target)) throw new TrustError('that message cannot be reacted to');
    return this.messages.sendPayload(channelId, { kind: 'reaction', target, emoji, on });
  }

  /** The ids of the channel's members that the text's `@username`s name. */
  #mentionsIn(channelId: string, text: string): string[] {
    return mentionedIds(text, this.mentionCandidates(channelId));
  }

  #deps(onProgress?: account.ProgressFn): account.AccountDeps {
    const o = this.#opts;
    return {
      api: this.api,
      ...(o.derive ? { derive: o.derive } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(o.kdfMemory ? { kdfMemory: o.kdfMemory } : {}),
      ...(o.confirmKdfChange ? { confirmKdfChange: o.confirmKdfChange } : {}),
    };
  }

  #needViews(): ChannelViews {
    if (!this.#views) throw new LockedError();
    return this.#views;
  }

  #need(): Parts {
    if (!this.#parts) throw new LockedError();
    return this.#parts;
  }

  async #unlock(session: account.Session): Promise<void> {
    this.lock();
    this.#session = session;
    const contactEvents = new Emitter<ContactEvents>();
    const contacts = new Contacts(this.api, session, contactEvents, {
      pinsVersion: this.#opts.pinsVersion ?? 0,
    });
    const channels = new Channels(this.api);
    const alerts = new ChannelAlerts({
      onRaise: (a) => this.events.emit('alert', a),
      onClear: (channelId, kind) => this.events.emit('alertCleared', { channelId, kind }),
    });
    const logs = new GroupLogs(this.api, session, alerts, contacts);
    logs.onGrow = (channelId) => this.events.emit('membership', { channelId });
    const keys = new SenderKeys({ api: this.api, session, contacts, logs, alerts });
    // The pins are not loaded yet: kt takes up their key-log state after contacts.load() below.
    const kt = new KeyTransparency(this.api, session, undefined);
    kt.onAlarm = (reason) => this.events.emit('keyLogAlarm', { reason });
    contacts.useKeyLog(kt);
    const views: ChannelViews = new ChannelViews({
      decrypt: (m): Promise<MessageView> => messages.decrypt(m),
      onView: (v) => this.events.emit('message', v),
    });
    const messages = new Messages({
      api: this.api,
      session,
      contacts,
      channels,
      keys,
      logs,
      kt,
      alerts,
      view: views,
    });
    this.#parts = { contacts, channels, keys, messages, logs, alerts, kt };
    this.#views = views;
    this.#unsubscribe.push(
      contactEvents.on('keyChange', (e) => this.events.emit('keyChange', e)),
      contactEvents.on('badBundle', (e) => this.events.emit('badBundle', e)),
      contactEvents.on('contacts', (e) => this.events.emit('contacts', e)),
      contactEvents.on('keyProblem', (e) => this.events.emit('keyProblem', e)),
      contactEvents.on('keyInForce', (e) => {
        // The contact's new key is accepted: my keys in our channels were sealed to the old one,
        // so rotate them (the contact could not read what I send next otherwise).
        for (const c of this.channels.list()) {
          if (c.members.some((m) => m.userId === e.userId)) this.senderKeys.invalidate(c.id);
        }
        this.events.emit('keyInForce', e);
        void this.#views?.retrySender(e.userId);
        // The key in force changed: it must be the one the key log publishes (DESIGN §7.5).
        void this.contacts.checkKeyLog(e.userId).catch(() => {});
      }),
    );
    await contacts.load();
    kt.restore(contacts.pins.kt);
    // A missing, bad or rolled-back pins blob fails closed: nothing is pinned or sent until the
    // user re-verifies or resets (DESIGN §7.4).
    if (contacts.trustUnknown !== null) this.events.emit('trust', { unknown: contacts.trustUnknown });
    await this.#watchKeyLog();
    await channels.refresh();
    await Promise.all(channels.list().map((c) => this.#checkMembers(c)));
  }

  /**
   * Self-monitoring (DESIGN §7.5): fetch and verify the newest key-log head, check this account's
   * own entry, and keep the head in the pins. At login, then on the socket's schedule.
   */
  async #watchKeyLog(): Promise<void> {
    const parts = this.#parts;
    if (!parts) return;
    try {
      await parts.kt.refresh();
      await parts.kt.checkSelf();
      await this.#keepKeyLogState();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) this.events.emit('warning', err as Error);
    }
  }

  /** Writes the key-log state into the pins when it is new, or every few minutes as heads move. */
  async #keepKeyLogState(): Promise<void> {
    const parts = this.#parts;
    const state = parts?.kt.state();
    if (!parts || !state || parts.contacts.trustUnknown !== null) return;
    const kept = parts.contacts.pins.kt;
    const stale = this.#now() - this.#keyLogSavedAt > KEY_LOG_SAVE_MS;
    if (kept && kept.logKey === state.logKey && (kept.epoch === state.epoch || !stale)) return;
    parts.contacts.pins.setKt(state);
    await parts.contacts.pins.save();
    this.#keyLogSavedAt = this.#now();
  }

  /** Runs a signed membership change; if someone changed the log first, signs against the new head once. */
  async #signed<T>(
    channelId: string,
    sign: () => Promise<LogEntry>,
    send: (entry: LogEntry) => Promise<T>,
  ): Promise<T> {
    try {
      return await send(await sign());
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'log_conflict')) throw err;
      await this.groupLogs.sync(channelId);
      return send(await sign());
    }
  }

  /** Checks a group's member list against its verified log (ghosts raise an alert). Never rejects. */
  async #checkMembers(channel: ChannelSummary): Promise<void> {
    if (channel.kind !== 'group' || !this.#parts) return;
    await this.#parts.logs.verifiedFor(channel).catch((err: unknown) => {
      if (!(err instanceof TrustError)) this.events.emit('warning', err as Error);
    });
  }

  async #ingest(m: WireMessage): Promise<void> {
    const parts = this.#parts;
    if (!parts) return;
    if (m.kind === 'system' && m.system) void this.#onSystem(m);
    await this.#views?.ingest(m);
  }

  async #onSystem(m: WireMessage): Promise<void> {
    // Membership changed: the cached summary (members, epoch) is stale.
    try {
      if (this.channels.peek(m.channelId)?.kind === 'group') await this.groupLogs.sync(m.channelId);
      if (this.channels.applyBroadcastJoin(m)) {
        const channel = this.channels.peek(m.channelId);
        if (channel) this.events.emit('channel', { channelId: m.channelId, channel });
      } else {
        await this.channels.get(m.channelId, true);
      }
      if (m.system?.event === 'join' && !this.contacts.peek(m.system.userId))
        await this.contacts.learn(m.system.userId);
    } catch (err) {
      if (!(err instanceof ApiError)) this.events.emit('warning', err as Error);
    }
  }

  #onDeleted(channelId: string, seq: number): void {
    const updated = this.#views?.markDeleted(channelId, seq);
    this.events.emit('deleted', { channelId, seq });
    if (updated) this.events.emit('message', updated);
  }

  #onChannel(channelId: string, channel: ChannelSummary | null): void {
    if (!this.#parts) return;
    if (channel === null) this.#forgetChannel(channelId);
    else {
      this.channels.put(channel);
      void this.#checkMembers(channel);
      if (channel.members.some((m) => !this.contacts.peek(m.userId) && m.userId !== this.session.user.id)) {
        this.contacts.refresh().catch((e: unknown) => this.events.emit('warning', e as Error));
      }
      this.events.emit('channel', { channelId, channel });
    }
  }

  #adopt(channel: ChannelSummary): ChannelSummary {
    this.channels.put(channel);
    this.#socket?.track(
      channel.id,
      this.#views?.maxSeq(channel.id) ?? channel.joinedSeq - 1,
      channel.lastSeq,
    );
    this.events.emit('channel', { channelId: channel.id, channel });
    return channel;
  }

  #forgetChannel(channelId: string): void {
    this.channels.remove(channelId);
    this.senderKeys.forget(channelId);
    this.groupLogs.forget(channelId);
    this.#need().alerts.forget(channelId);
    this.#judged.delete(channelId);
    this.#socket?.untrack(channelId);
    this.events.emit('channel', { channelId, channel: null });
  }

  #onConnection(c: ConnectionEvent): void {
    this.events.emit('connection', c);
    if (c.state === 'open') this.#views?.retrySoon();
    if (c.state !== 'closed') return;
    // The relay said the session or account ended (the socket does not come back by itself then),
    // or repeated failures to connect suggest it: ask, and end the session only if the relay
    // confirms with a 401. Otherwise a socket closed for good connects again.
    const final = isFinal(c.code);
    if (final || c.attempt >= 2) this.#probe(final ? c.code : undefined);
  }

  #probe(finalCode: number | undefined): void {
    if (this.#probing) {
      // A close that will not reconnect must get its own answer once the running probe is done.
      if (finalCode !== undefined) this.#probeAgain = finalCode;
      return;
    }
    this.#probing = true;
    const socket = this.#socket;
    const accountClosed = finalCode === CloseCode.accountClosed;
    const resume = () => {
      if (finalCode !== undefined && socket && socket === this.#socket) socket.resume();
    };
    this.api
      .me()
      .then(resume, (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          const closed = accountClosed || this.#probeAgain === CloseCode.accountClosed;
          this.#probeAgain = undefined;
          this.disconnect();
          this.events.emit('sessionEnded', { reason: err.message, accountClosed: closed });
        } else resume();
      })
      .finally(() => {
        this.#probing = false;
        const again = this.#probeAgain;
        this.#probeAgain = undefined;
        if (again !== undefined && this.#socket) this.#probe(again);
      });
  }
}

interface Parts {
  contacts: Contacts;
  channels: Channels;
  keys: SenderKeys;
  messages: Messages;
  logs: GroupLogs;
  alerts: ChannelAlerts;
  kt: KeyTransparency;
}

function wsUrlOf(baseUrl: string): string {
  const u = new URL('/ws', baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export function createClient(options: ClientOptions): ParleyClient {
  return new ParleyClient(options);
}
