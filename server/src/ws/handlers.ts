// Client frames: counted against the user's frame budget, parsed as JSON, validated with
// ClientFrame, answered by exactly one `ack` or `error` carrying the request id. A frame that
// cannot be used gets an `error` (id null when no id could be read) and the socket stays open; a
// socket that keeps sending past its budget is closed (frame-limit.ts).
import type { RawData } from 'ws';
import { safeError } from '../log';
import { logLimiter } from '../log-limit';
import { ClientFrame, CloseCode, type ErrorCode } from '../protocol';
import { SendRefused } from '../realtime/send-message';
import { fromB64, toWireMessage } from '../routes/views';
import type { Connection } from './connection';
import { MAX_IN_FLIGHT, PAGE_MAX_BYTES, TYPING_MIN_INTERVAL_MS, type WsContext } from './context';
import { channelNotFound, FrameError } from './errors';
import type { FrameVerdict } from './frame-limit';
import { fitPage } from './pages';
import { sharesPresence } from './presence-scope';
import { syncChannel } from './sync';

type Frame<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;
type Result = Record<string, unknown>;

/** Reads a request id out of a frame that failed validation, when it has a usable one. */
function idOf(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || !('id' in json)) return null;
  const id = (json as { id: unknown }).id;
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 ? id : null;
}

function sendError(conn: Connection, id: string | null, code: ErrorCode, message: string, details?: unknown) {
  conn.send({
    type: 'error',
    id,
    error: details === undefined ? { code, message } : { code, message, details },
  });
}

export async function handleRaw(ctx: WsContext, conn: Connection, data: RawData, isBinary: boolean) {
  // Frames still arriving while the relay closes the socket are dropped, uncounted.
  if (conn.closed) return;
  // Every frame counts, before any parsing: invalid frames cost the relay too.
  const verdict = ctx.frames.take(conn.userId);
  if (verdict.kind !== 'ok') {
    refuseFrame(ctx, conn, verdict, isBinary ? null : data);
    return;
  }
  if (isBinary) {
    sendError(conn, null, 'bad_request', 'frames are JSON text');
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(data.toString());
  } catch {
    sendError(conn, null, 'bad_request', 'frame is not JSON');
    return;
  }
  const id = idOf(json);
  const parsed = ClientFrame.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 10)
      .map((i) => ({ path: i.path.join('.'), message: i.message }));
    sendError(conn, id, 'bad_request', 'invalid frame', issues);
    return;
  }
  const frame = parsed.data;
  if (conn.inFlight >= MAX_IN_FLIGHT) {
    sendError(conn, frame.id, 'rate_limited', 'too many unanswered requests on this socket');
    return;
  }
  conn.inFlight++;
  try {
    const result = await dispatch(ctx, conn, frame);
    conn.send({ type: 'ack', id: frame.id, result });
  } catch (err) {
    if (err instanceof FrameError || err instanceof SendRefused) {
      sendError(conn, frame.id, err.code, err.message, err.details);
    } else {
      const safe = safeError(err);
      logLimiter(ctx.logger).error(
        `ws-frame-failed:${frame.type}:${safe.type}:${safe.code ?? ''}`,
        { err: safe, event: 'ws-frame-failed', frame: frame.type, userId: conn.userId },
        'socket request failed',
      );
      sendError(conn, frame.id, 'internal', 'internal error');
    }
  } finally {
    conn.inFlight--;
  }
}

/** Over the frame budget: `rate_limited` with a retry hint, or the close once the debt is full. */
function refuseFrame(
  ctx: WsContext,
  conn: Connection,
  verdict: Exclude<FrameVerdict, { kind: 'ok' }>,
  data: RawData | null,
) {
  if (verdict.kind === 'close') {
    logLimiter(ctx.logger).warn(
      'ws-frame-flood',
      { event: 'ws-frame-flood', userId: conn.userId, conn: conn.id },
      'closing a socket that kept sending past its frame budget',
    );
    conn.close(CloseCode.tooManyFrames, 'too many frames');
    return;
  }
  ctx.metrics.refusals.inc({ code: 'rate_limited' });
  let id: string | null = null;
  if (data !== null) {
    try {
      id = idOf(JSON.parse(data.toString()));
    } catch {
      // no usable id
    }
  }
  sendError(conn, id, 'rate_limited', 'too many frames; slow down', { retryAfterMs: verdict.retryAfterMs });
}

function dispatch(ctx: WsContext, conn: Connection, frame: ClientFrame): Promise<Result> {
  switch (frame.type) {
    case 'hello':
      return hello(ctx, conn, frame);
    case 'send':
      return send(ctx, conn, frame);
    case 'fetch':
      return fetchPage(ctx, conn, frame);
    case 'typing':
      return typing(ctx, conn, frame);
    case 'read':
      return read(ctx, conn, frame);
    case 'ping':
      return Promise.resolve({});
  }
}

/** The member record of the socket's user, or not_found (same answer for a foreign channel). */
async function requireMember(ctx: WsContext, conn: Connection, channelId: string) {
  const member = await ctx.store.getMember(channelId, conn.userId);
  if (!member) throw channelNotFound();
  return member;
}

/**
 * Sync: for each channel named in `since`, the entries after it as `sync` pages; channels the user
 * is no longer in get `channel: null`; channels not named go live without sync (the client loads
 * their history with `fetch`). Then presence of the people the user shares channels with, then the ack.
 */
async function hello(ctx: WsContext, conn: Connection, frame: Frame<'hello'>): Promise<Result> {
  await conn.serially(async () => {
    for (const [channelId, since] of Object.entries(frame.since)) {
      if (!conn.channels.has(channelId)) {
        conn.send({ type: 'channel', channelId, channel: null });
        continue;
      }
      if (!(await syncChannel(ctx, conn, channelId, since))) return;
    }
    for (const [channelId, view] of conn.channels) {
      if (view.queue !== null && !Object.hasOwn(frame.since, channelId)) conn.goLive(channelId, -1);
    }
    for (const userId of await contactsOnline(ctx, conn)) {
      conn.send({ type: 'presence', userId, online: true });
    }
  });
  return {};
}

async function contactsOnline(ctx: WsContext, conn: Connection): Promise<Set<string>> {
  const contacts = new Set<string>();
  const lists = await Promise.all(
    [...conn.channels.keys()].filter(sharesPresence).map((id) => ctx.members.get(id)),
  );
  for (const { ids } of lists) for (const id of ids) if (id !== conn.userId) contacts.add(id);
  return ctx.presence.onlineAmong([...contacts]);
}

async function send(ctx: WsContext, conn: Connection, frame: Frame<'send'>): Promise<Result> {
  const { channelId, keyId, clientMsgId } = frame;
  const { message } = await ctx.sendMessage({
    channelId,
    senderId: conn.userId,
    keyId,
    clientMsgId,
    ciphertext: fromB64(frame.ciphertext),
  });
  return { seq: message.seq, sentAt: message.sentAt };
}

async function fetchPage(ctx: WsContext, conn: Connection, frame: Frame<'fetch'>): Promise<Result> {
  const member = await requireMember(ctx, conn, frame.channelId);
  const page = await ctx.store.listMessages(frame.channelId, {
    after: frame.after,
    limit: frame.limit,
    minSeq: member.joinedSeq,
  });
  const fitted = fitPage(page, PAGE_MAX_BYTES);
  return { messages: fitted.messages.map(toWireMessage), hasMore: fitted.hasMore };
}

const lastTyping = new WeakMap<Connection, Map<string, number>>();

async function typing(ctx: WsContext, conn: Connection, frame: Frame<'typing'>): Promise<Result> {
  if (!conn.channels.has(frame.channelId)) throw channelNotFound();
  let seen = lastTyping.get(conn);
  if (!seen) {
    seen = new Map();
    lastTyping.set(conn, seen);
  }
  const now = ctx.now();
  if (now - (seen.get(frame.channelId) ?? 0) >= TYPING_MIN_INTERVAL_MS) {
    seen.set(frame.channelId, now);
    ctx.events.publish({ type: 'typing', channelId: frame.channelId, userId: conn.userId });
  }
  return {};
}

async function read(ctx: WsContext, conn: Connection, frame: Frame<'read'>): Promise<Result> {
  await requireMember(ctx, conn, frame.channelId);
  await ctx.store.setReadMarker(conn.userId, frame.channelId, frame.seq);
  return {};
}
