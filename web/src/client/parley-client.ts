// ParleyClient: the one object the web app, the integration tests and the benchmarks hold. It ties
// accounts, contacts, channels, sender keys, messages and the real-time socket together and keeps
// a decrypted, seq-ordered timeline per channel.
import { wipe } from '@parley/crypto-core';
import { type ChannelSummary, CloseCode, type Me, type WireMessage } from '@parley/server/protocol';
import * as account from './account';
import { Api } from './api';
import { Channels } from './channels';
import { type ContactEvents, Contacts } from './contacts';
import { Emitter } from './emitter';
import { ApiError, LockedError, TrustError } from './errors';
import type { FetchLike } from './http';
import { Messages, type MessageView, type SendResult } from './messages';
import { SenderKeys } from './sender-keys';
import {
  type ConnectionEvent,
  isFinal,
  RealtimeSocket,
  type SocketOptions,
  type WebSocketCtor,
} from './socket';
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
}

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
  }

  disconnect(): void {
    this.#socket?.stop();
    this.#socket = null;
    if (this.#parts) this.#parts.messages.setTransport((channelId, body) => this.api.send(channelId, body));
  }

  // ---- channels ----

  async refreshChannels(): Promise<ChannelSummary[]> {
    const list = await this.channels.refresh();
    for (const c of list) this.#socket?.track(c.id, this.#views?.maxSeq(c.id) ?? c.lastSeq);
    return list;
  }

  async openDm(peerId: string): Promise<ChannelSummary> {
    return this.#adopt(await this.api.openDm(peerId));
  }

  async createGroup(name: string): Promise<ChannelSummary> {
    return this.#adopt(await this.api.createGroup(name));
  }

  async invite(channelId: string, userId: string): Promise<ChannelSummary> {
    return this.#adopt(await this.api.invite(channelId, userId));
  }

  /** Removes a member (owner), or yourself (leave). */
  async removeMember(channelId: string, userId: string): Promise<void> {
    await this.api.removeMember(channelId, userId);
    if (userId === this.session.user.id) this.#forgetChannel(channelId);
    else await this.channels.get(channelId, true);
  }

  leave(channelId: string): Promise<void> {
    return this.removeMember(channelId, this.session.user.id);
  }

  // ---- messages ----

  /** Encrypts and sends; resolves once the relay committed it. */
  async send(channelId: string, text: string, opts: { clientMsgId?: string } = {}): Promise<SendResult> {
    return this.messages.sendText(channelId, text, opts);
  }

  /** The decrypted entries held for a channel, ordered by seq, without duplicates. */
  timeline(channelId: string): readonly MessageView[] {
    return this.#needViews().timeline(channelId).entries();
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

  async deleteMessage(channelId: string, seq: number): Promise<void> {
    await this.messages.delete(channelId, seq);
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

  #deps(onProgress?: account.ProgressFn): account.AccountDeps {
    return {
      api: this.api,
      ...(this.#opts.derive ? { derive: this.#opts.derive } : {}),
      ...(onProgress ? { onProgress } : {}),
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
    const channels = new Channels(this.api, session.user.id);
    const keys = new SenderKeys(this.api, session, contacts);
    const messages = new Messages({ api: this.api, session, contacts, channels, keys });
    this.#parts = { contacts, channels, keys, messages };
    this.#views = new ChannelViews({
      decrypt: (m) => messages.decrypt(m),
      onView: (v) => this.events.emit('message', v),
    });
    this.#unsubscribe.push(
      contactEvents.on('keyChange', (e) => this.events.emit('keyChange', e)),
      contactEvents.on('badBundle', (e) => this.events.emit('badBundle', e)),
      contactEvents.on('contacts', (e) => this.events.emit('contacts', e)),
      contactEvents.on('keyInForce', (e) => {
        // The contact's new key is accepted: my keys in our channels were sealed to the old one,
        // so rotate them (the contact could not read what I send next otherwise).
        for (const c of this.channels.list()) {
          if (c.members.some((m) => m.userId === e.userId)) this.senderKeys.invalidate(c.id);
        }
        this.events.emit('keyInForce', e);
        void this.#views?.retrySender(e.userId);
      }),
    );
    try {
      await contacts.load();
    } catch (err) {
      if (!(err instanceof TrustError)) throw err;
      // A bad or rolled-back pins blob: say so loudly, keep what we pinned, and go on with the directory.
      this.events.emit('warning', err);
      await contacts.refresh();
    }
    await channels.refresh();
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
}

function wsUrlOf(baseUrl: string): string {
  const u = new URL('/ws', baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export function createClient(options: ClientOptions): ParleyClient {
  return new ParleyClient(options);
}
