// Ciphertext messages (DESIGN §4 "Delivery semantics"): send (idempotent on clientMsgId, checked
// for membership, key epoch and share coverage inside the store's transaction), history that
// never reaches before the caller joined, delete own message (tombstone stays), read markers.
import type { Hono } from 'hono';
import type { AppendResult } from '../../db/store';
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
import { fromB64, toWireMessage } from '../views';
import { requireMember } from './access';

/** Maps a refused append to its HTTP error. */
function appendFailure(result: Exclude<AppendResult, { ok: true }>): ApiError {
  switch (result.code) {
    case 'not_member':
    case 'not_found':
      return notFound('channel');
    case 'id_conflict':
      return new ApiError(
        409,
        'conflict',
        'this clientMsgId is already used for a message in another channel',
      );
    case 'stale_key':
      return new ApiError(
        409,
        'stale_key',
        'this sender key predates the last membership change: make a new key, share it and resend',
      );
    case 'missing_shares':
      return new ApiError(
        409,
        'missing_shares',
        `the sender key has no share for ${result.missing.join(', ')}: seal it to them and resend`,
        { missing: result.missing },
      );
  }
}

export function registerMessageRoutes(r: Hono<AppEnv>, deps: ResolvedDeps): void {
  const { store, logger } = deps;

  r.post('/:id/messages', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const body = await jsonBody(c, SendBody);
    const ciphertext = fromB64(body.ciphertext);
    const result = await deps.appendMessage(
      { channelId: id, senderId: me.id, keyId: body.keyId, clientMsgId: body.clientMsgId, ciphertext },
      deps.now(),
    );
    if (!result.ok) throw appendFailure(result);
    const { message, duplicate } = result;
    if (!duplicate) {
      deps.events.publish({ type: 'message', message });
      logger.info(
        { event: 'send', channelId: id, userId: me.id, seq: message.seq, bytes: ciphertext.length },
        'message stored',
      );
    }
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
