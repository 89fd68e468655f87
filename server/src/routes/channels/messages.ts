// Ciphertext messages (DESIGN §4 "Delivery semantics"): send (the one send path of
// realtime/send-message.ts, rendered as HTTP), history that
// never reaches before the caller joined, delete own message (tombstone stays), read markers.
import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, forbidden, notFound } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, paramsOf, queryOf } from '../../middleware/validate';
import {
  ChannelParams,
  HistoryQuery,
  type HistoryResponse,
  MessageParams,
  ReadBody,
  SendBody,
  type SendResponse,
} from '../../protocol';
import { SendRefused } from '../../realtime/send-message';
import { fromB64, toWireMessage } from '../views';
import { requireMember } from './access';

const STATUS: Record<SendRefused['code'], ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  stale_key: 409,
  missing_shares: 409,
  rate_limited: 429,
};

/** Renders a refused send as its HTTP error. */
function httpRefusal(err: SendRefused): ApiError {
  const retry = err.details !== undefined && 'retryAfterMs' in err.details ? err.details.retryAfterMs : null;
  const headers = retry === null ? undefined : { 'Retry-After': String(Math.ceil(retry / 1000)) };
  return new ApiError(STATUS[err.code], err.code, err.message, err.details, headers);
}

export function registerMessageRoutes(r: Hono<AppEnv>, deps: ResolvedDeps): void {
  const { store, logger } = deps;

  r.post('/:id/messages', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const body = await jsonBody(c, SendBody);
    const send = { channelId: id, senderId: me.id, keyId: body.keyId, clientMsgId: body.clientMsgId };
    const { message, duplicate } = await deps
      .sendMessage({ ...send, ciphertext: fromB64(body.ciphertext) })
      .catch((err: unknown) => {
        throw err instanceof SendRefused ? httpRefusal(err) : err;
      });
    const answer: SendResponse = { seq: message.seq, sentAt: message.sentAt };
    return c.json(answer, duplicate ? 200 : 201);
  });

  r.get('/:id/messages', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const { member } = await requireMember(store, id, c.get('user').id);
    const q = queryOf(c, HistoryQuery);
    const query: { after?: number; before?: number; limit: number; minSeq: number } = {
      limit: q.limit,
      minSeq: member.joinedSeq,
    };
    if (q.after !== undefined) query.after = q.after;
    if (q.before !== undefined) query.before = q.before;
    const page = await store.listMessages(id, query);
    const answer: HistoryResponse = { messages: page.messages.map(toWireMessage), hasMore: page.hasMore };
    return c.json(answer);
  });

  r.delete('/:id/messages/:seq', async (c) => {
    const { id, seq } = paramsOf(c, MessageParams);
    const me = c.get('user');
    const { member } = await requireMember(store, id, me.id);
    if (seq < member.joinedSeq) throw notFound('message');
    const outcome = await store.deleteMessage(id, seq, me.id);
    if (outcome === 'not_found') throw notFound('message');
    if (outcome === 'forbidden') throw forbidden('you can only delete your own messages');
    deps.events.publish({ type: 'deleted', channelId: id, seq });
    logger.info({ event: 'delete', channelId: id, userId: me.id, seq }, 'message deleted');
    return c.body(null, 204);
  });

  r.put('/:id/read', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const { channel } = await requireMember(store, id, me.id);
    const { seq } = await jsonBody(c, ReadBody);
    await store.setReadMarker(me.id, id, Math.min(seq, channel.lastSeq));
    return c.body(null, 204);
  });
}
