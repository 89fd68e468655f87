// Sender-key shares (DESIGN §3): the caller uploads sealed copies of its own sender key, one per
// current member, and fetches the shares addressed to itself. The sender is always the session
// user; nobody can upload a share in another member's name.
import type { Hono } from 'hono';
import { badRequest } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, paramsOf, queryOf } from '../../middleware/validate';
import { ChannelParams, SharesQuery, type SharesResponse, SharesUploadBody } from '../../protocol';
import { fromB64, toWireShare } from '../views';
import { requireMember } from './access';

export function registerShareRoutes(r: Hono<AppEnv>, deps: ResolvedDeps): void {
  const { store } = deps;

  r.post('/:id/shares', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    await requireMember(store, id, me.id);
    const body = await jsonBody(c, SharesUploadBody);
    const recipients = body.shares.map((s) => s.recipientId);
    const duplicates = recipients.filter((r, i) => recipients.indexOf(r) !== i);
    if (duplicates.length > 0) {
      throw badRequest('one share per recipient', { duplicates: [...new Set(duplicates)] });
    }
    const members = new Set((await store.getMembers(id)).map((m) => m.userId));
    const notMembers = recipients.filter((r) => !members.has(r));
    if (notMembers.length > 0) {
      throw badRequest('shares may only go to current members of the channel', { notMembers });
    }
    await store.putShares(
      id,
      me.id,
      body.keyId,
      body.shares.map((s) => ({ recipientId: s.recipientId, sealed: fromB64(s.sealed) })),
    );
    return c.body(null, 204);
  });

  r.get('/:id/shares', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    await requireMember(store, id, me.id);
    const q = queryOf(c, SharesQuery);
    const filter: { senderId?: string; keyId?: number } = {};
    if (q.senderId !== undefined) filter.senderId = q.senderId;
    if (q.keyId !== undefined) filter.keyId = q.keyId;
    const shares = await store.getShares(id, me.id, filter);
    const answer: SharesResponse = { shares: shares.map(toWireShare) };
    return c.json(answer);
  });
}
