// The real-time connection (issue 4): one WebSocket, requests correlated with `ack`/`error` by id,
// `hello` with the last seq per channel on every (re)connect, reconnect with jittered exponential
// backoff, and unacked sends retried with the same clientMsgId (the relay makes them idempotent).
// Timelines, sync pages and gap fetches are ChannelSync's job.
import {
  type ChannelSummary,
  CloseCode,
  HistoryResponse,
  type SendBody,
  SendResponse,
  ServerFrame,
  type WireMessage,
} from '@parley/server/protocol';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { ChannelSync } from './channel-sync';
import { Emitter } from './emitter';
import { ApiError, ClosedError, ProtocolError, socketApiError, TimeoutError } from './errors';
import type { Timeline } from './timeline';

/** What the client needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed' | 'stopped';

export interface ConnectionEvent {
  state: ConnectionState;
  /** Consecutive failed attempts so far (0 once a hello was acked). */
  attempt: number;
  /** When closed: the delay before the next attempt; absent when the relay said not to come back. */
  retryInMs?: number;
  /** When closed: the close code the socket reported. */
  code?: number;
}

export interface SocketEvents extends Record<string, unknown> {
  /** A timeline entry new to this client (each (channel, seq) once), or a tombstone replacing one. */
  message: WireMessage;
  deleted: { channelId: string; seq: number };
  channel: { channelId: string; channel: ChannelSummary | null };
  typing: { channelId: string; userId: string };
  presence: { userId: string; online: boolean };
  connection: ConnectionEvent;
  /** A frame the client could not use, or an `error` frame not tied to a request. */
  error: Error;
}

export interface SocketOptions {
  /** ws:// or wss:// URL of /ws. */
  url: string;
  WebSocket: WebSocketCtor;
  /** The logged-in user: own acked sends are put in the timeline without waiting for the echo. */
  userId?: string;
  /** Time to wait for an ack (and for the socket to open). */
  requestTimeoutMs?: number;
  /** Interval of keep-alive pings; 0 turns them off. */
  pingIntervalMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Page size of gap fetches. */
  fetchLimit?: number;
}

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Outgoing {
  frame: { channelId: string } & SendBody;
  resolve: (result: SendResponse) => void;
  reject: (err: Error) => void;
}

const OPEN = 1;

export class RealtimeSocket {
  readonly events = new Emitter<SocketEvents>();
  readonly #opts: Required<Omit<SocketOptions, 'userId'>> & { userId: string | undefined };
  readonly #sync: ChannelSync;
  readonly #pending = new Map<string, Pending>();
  /** Unacked sends by clientMsgId; retried after every reconnect until acked or refused. */
  readonly #outbox = new Map<string, Outgoing>();
  #readyWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #ws: WebSocketLike | null = null;
  #state: ConnectionState = 'idle';
  #ready = false;
  #attempt = 0;
  #nextId = 1;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #openTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: SocketOptions) {
    this.#opts = {
      requestTimeoutMs: 10_000,
      pingIntervalMs: 25_000,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      fetchLimit: 100,
      ...options,
      userId: options.userId,
    };
    this.#sync = new ChannelSync({
      fetch: (channelId, after) => this.fetch(channelId, after),
      onEntry: (m) => this.events.emit('message', m),
      onError: (err) => this.events.emit('error', err),
      isReady: () => this.#ready,
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** True once the current connection's hello was acked: sends and requests go out at once. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Number of sends not yet acked. */
  get unacked(): number {
    return this.#outbox.size;
  }

  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped') return;
    this.#connect();
  }

  /** Closes for good: pending requests and unacked sends are rejected with ClosedError. */
  stop(): void {
    if (this.#state === 'stopped') return;
    this.#setState({ state: 'stopped', attempt: this.#attempt });
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      detach(ws);
      ws.close(1000, 'client stopped');
    }
    this.#ready = false;
    const err = new ClosedError('socket stopped');
    this.#failPending(err);
    for (const out of this.#outbox.values()) out.reject(err);
    this.#outbox.clear();
    for (const w of this.#readyWaiters) w.reject(err);
    this.#readyWaiters = [];
  }

  /**
   * Connects again after the relay ended the session or closed the account (4001/4003), which
   * does not reconnect by itself: for when the relay says the session is still good after all.
   */
  resume(): void {
    if (this.#state !== 'closed' || this.#ws || this.#reconnectTimer) return;
    this.#scheduleReconnect();
  }

  /** The channel's timeline of wire entries, created untracked if new. */
  timeline(channelId: string): Timeline<WireMessage> {
    return this.#sync.timeline(channelId);
  }

  /**
   * Follows a channel from `head` on: hello asks for everything after it, and entries up to
   * `lastSeq` (when known) are fetched now. Called for every channel the user is in.
   */
  track(channelId: string, head: number, lastSeq?: number): void {
    this.#sync.track(channelId, head, lastSeq);
  }

  /** Stops following a channel (the user left or was removed). */
  untrack(channelId: string): void {
    this.#sync.untrack(channelId);
  }

  /** The last seq per tracked channel, as sent in hello. */
  since(): Record<string, number> {
    return this.#sync.since();
  }

  /**
   * Sends a ciphertext; resolves with its seq once the relay acks (after its commit). Survives
   * reconnects: the same frame is sent again until acked. Rejects with ApiError when refused.
   */
  send(frame: { channelId: string } & SendBody): Promise<SendResponse> {
    const existing = this.#outbox.get(frame.clientMsgId);
    if (existing) return new Promise((resolve, reject) => this.#chain(existing, resolve, reject));
    return new Promise<SendResponse>((resolve, reject) => {
      const out: Outgoing = { frame, resolve, reject };
      this.#outbox.set(frame.clientMsgId, out);
      if (this.#ready) this.#transmit(out);
    });
  }

  /** A page of the timeline after `after`, applied to the channel's timeline. */
  async fetch(channelId: string, after: number, limit = this.#opts.fetchLimit) {
    const result = await this.request({ type: 'fetch', channelId, after, limit });
    const page = HistoryResponse.safeParse(result);
    if (!page.success) throw new ProtocolError('fetch: unexpected ack');
    this.#sync.page(channelId, after, page.data.messages);
    return page.data;
  }

  /** Best effort: dropped when not connected. */
  typing(channelId: string): void {
    if (this.#ready) this.request({ type: 'typing', channelId }).catch(() => {});
  }

  markRead(channelId: string, seq: number): Promise<Record<string, unknown>> {
    return this.request({ type: 'read', channelId, seq });
  }

  /** Sends a request frame once connected and resolves with its ack's result. */
  async request(frame: { type: 'fetch' | 'typing' | 'read' | 'ping'; [k: string]: unknown }) {
    if (!this.#ready) await this.#whenReady();
    return this.#request(frame);
  }

  // ---- connection ----

  #connect(): void {
    this.#setState({ state: 'connecting', attempt: this.#attempt });
    let ws: WebSocketLike;
    try {
      ws = new this.#opts.WebSocket(this.#opts.url);
    } catch (err) {
      this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
      this.#scheduleReconnect(1006);
      return;
    }
    this.#ws = ws;
    this.#openTimer = setTimeout(() => ws.close(4000, 'open timeout'), this.#opts.requestTimeoutMs);
    ws.onopen = () => this.#onOpen(ws);
    ws.onmessage = (event: { data: unknown }) => this.#onMessage(event.data);
    ws.onclose = (event: { code: number }) => this.#onClose(ws, event.code);
    ws.onerror = () => {
      // Always followed by close, which reconnects.
    };
  }

  #onOpen(ws: WebSocketLike): void {
    if (ws !== this.#ws) return;
    if (this.#openTimer) clearTimeout(this.#openTimer);
    this.#openTimer = null;
    const since = this.since();
    this.#sync.beginSync(since);
    this.#request({ type: 'hello', since })
      .catch((err: unknown) => {
        // A refused hello (e.g. a channel we were removed from) must not block sending.
        if (!(err instanceof ClosedError)) this.events.emit('error', asError(err));
        if (err instanceof ClosedError || err instanceof TimeoutError) throw err;
      })
      .then(() => this.#onReady(ws))
      .catch(() => {
        if (ws === this.#ws) ws.close(4000, 'hello failed');
      });
  }

  #onReady(ws: WebSocketLike): void {
    if (ws !== this.#ws) return;
    this.#ready = true;
    this.#attempt = 0;
    this.#setState({ state: 'open', attempt: 0 });
    for (const w of this.#readyWaiters) w.resolve();
    this.#readyWaiters = [];
    for (const out of this.#outbox.values()) this.#transmit(out);
    this.#sync.fillAll();
    if (this.#opts.pingIntervalMs > 0) {
      this.#pingTimer = setInterval(() => {
        this.#request({ type: 'ping' }).catch(() => {});
      }, this.#opts.pingIntervalMs);
    }
  }

  #onClose(ws: WebSocketLike, code: number): void {
    if (ws !== this.#ws) return;
    detach(ws);
    this.#ws = null;
    this.#ready = false;
    this.#sync.reset();
    this.#clearTimers();
    this.#failPending(new ClosedError(`socket closed (${code})`));
    if (this.#state === 'stopped') return;
    this.#attempt += 1;
    if (isFinal(code)) {
      // The session or the account is over: coming back would only be refused again. The owner
      // checks with the relay and either ends the session or calls resume().
      this.#setState({ state: 'closed', attempt: this.#attempt, code });
      return;
    }
    this.#scheduleReconnect(code);
  }

  #scheduleReconnect(code?: number): void {
    const delay = backoffDelay(this.#attempt - 1, this.#opts.backoff, this.#opts.random);
    this.#setState({
      state: 'closed',
      attempt: this.#attempt,
      retryInMs: delay,
      ...(code === undefined ? {} : { code }),
    });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#state !== 'stopped') this.#connect();
    }, delay);
  }

  #setState(event: ConnectionEvent): void {
    this.#state = event.state;
    this.events.emit('connection', event);
  }

  #clearTimers(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#openTimer) clearTimeout(this.#openTimer);
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#reconnectTimer = null;
    this.#openTimer = null;
    this.#pingTimer = null;
  }

  #whenReady(): Promise<void> {
    if (this.#state === 'stopped') return Promise.reject(new ClosedError('socket stopped'));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  // ---- requests ----

  #request(frame: { type: string; [k: string]: unknown }): Promise<Record<string, unknown>> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return Promise.reject(new ClosedError('socket not open'));
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`${frame.type}: no answer within ${this.#opts.requestTimeoutMs} ms`));
        // An unanswered request means a dead or stuck connection: start over.
        if (ws === this.#ws) ws.close(4000, 'request timeout');
      }, this.#opts.requestTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  #transmit(out: Outgoing): void {
    const { channelId, clientMsgId, keyId, ciphertext } = out.frame;
    this.#request({ type: 'send', channelId, clientMsgId, keyId, ciphertext }).then(
      (result) => {
        const ack = SendResponse.safeParse(result);
        if (this.#outbox.get(clientMsgId) !== out) return;
        this.#outbox.delete(clientMsgId);
        if (!ack.success) {
          out.reject(new ProtocolError('send: unexpected ack'));
          return;
        }
        this.#recordOwnSend(out.frame, ack.data);
        out.resolve(ack.data);
      },
      (err: unknown) => {
        // Connection problems leave the send in the outbox for the next connection.
        if (err instanceof ClosedError || err instanceof TimeoutError) return;
        if (this.#outbox.get(clientMsgId) !== out) return;
        if (err instanceof ApiError && err.code === 'rate_limited') {
          // Sending too fast: try the same frame again after the hinted delay.
          setTimeout(() => {
            if (this.#ready && this.#outbox.get(clientMsgId) === out) this.#transmit(out);
          }, retryAfter(err));
          return;
        }
        this.#outbox.delete(clientMsgId);
        out.reject(asError(err));
      },
    );
  }

  #chain(existing: Outgoing, resolve: (r: SendResponse) => void, reject: (e: Error) => void): void {
    const { resolve: r0, reject: j0 } = existing;
    existing.resolve = (r) => {
      r0(r);
      resolve(r);
    };
    existing.reject = (e) => {
      j0(e);
      reject(e);
    };
  }

  #recordOwnSend(frame: Outgoing['frame'], ack: SendResponse): void {
    if (!this.#opts.userId) return;
    this.#sync.entry({
      channelId: frame.channelId,
      seq: ack.seq,
      kind: 'msg',
      senderId: this.#opts.userId,
      keyId: frame.keyId,
      clientMsgId: frame.clientMsgId,
      ciphertext: frame.ciphertext,
      sentAt: ack.sentAt,
      deleted: false,
      system: null,
    });
  }

  #failPending(err: Error): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
  }

  // ---- incoming frames ----

  #onMessage(data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      this.events.emit('error', new ProtocolError('socket: frame is not JSON'));
      return;
    }
    const parsed = ServerFrame.safeParse(json);
    if (!parsed.success) {
      this.events.emit(
        'error',
        new ProtocolError(`socket: unknown frame: ${parsed.error.issues[0]?.message}`),
      );
      return;
    }
    const frame = parsed.data;
    switch (frame.type) {
      case 'ack':
      case 'error': {
        const p = frame.id === null ? undefined : this.#pending.get(frame.id);
        if (!p) {
          if (frame.type === 'error') {
            this.events.emit('error', socketApiError(frame.error));
          }
          return;
        }
        this.#pending.delete(frame.id as string);
        clearTimeout(p.timer);
        if (frame.type === 'ack') p.resolve(frame.result);
        else p.reject(socketApiError(frame.error));
        return;
      }
      case 'message':
        this.#sync.entry(frame.message);
        return;
      case 'sync':
        this.#sync.syncPage(frame.channelId, frame.messages, frame.hasMore);
        return;
      case 'deleted':
        this.#sync.deleted(frame.channelId, frame.seq);
        this.events.emit('deleted', { channelId: frame.channelId, seq: frame.seq });
        return;
      case 'channel':
        this.#sync.channel(frame.channelId, frame.channel);
        this.events.emit('channel', { channelId: frame.channelId, channel: frame.channel });
        return;
      case 'typing':
        this.events.emit('typing', { channelId: frame.channelId, userId: frame.userId });
        return;
      case 'presence':
        this.events.emit('presence', { userId: frame.userId, online: frame.online });
        return;
    }
  }
}

/** Close codes after which reconnecting is pointless: the session ended, or the account was closed. */
export function isFinal(code: number | undefined): boolean {
  return code === CloseCode.sessionEnded || code === CloseCode.accountClosed;
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

function retryAfter(err: ApiError): number {
  const ms = (err.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? Math.min(ms, 10_000) : 250;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
