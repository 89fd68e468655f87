// /api/kt: the key-transparency log (DESIGN §7.5), public and read-only, so that any client and
// any auditor can check what the relay committed to: the newest signed head, the chain of heads,
// a user's binding with its map proof, and each epoch's changes.
import { ktBindingToWire, ktHeadToWire, ktProofToWire } from '@parley/crypto-core';
import { Hono } from 'hono';
import { toBinding } from '../../kt/key-log';
import { notFound } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { paramsOf, queryOf, refuseQuery } from '../../middleware/validate';
import {
  KtChangesQuery,
  type KtChangesResponse,
  type KtHeadResponse,
  KtHeadsQuery,
  type KtHeadsResponse,
  KtLookupParams,
  KtLookupQuery,
  type KtLookupResponse,
} from '../../protocol';
import { toB64 } from '../views';

export function ktRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store, keyLog } = deps;
  const r = new Hono<AppEnv>();

  r.get('/head', refuseQuery, async (c) => {
    const head = await store.ktLatestHead();
    const answer: KtHeadResponse = {
      head: head ? ktHeadToWire(head) : null,
      logKey: toB64(keyLog.logKey.publicKey),
    };
    return c.json(answer);
  });

  r.get('/heads', async (c) => {
    const { from, limit } = queryOf(c, KtHeadsQuery);
    const answer: KtHeadsResponse = { heads: (await store.ktHeads(from, limit)).map(ktHeadToWire) };
    return c.json(answer);
  });

  r.get('/lookup/:userId', async (c) => {
    const { userId } = paramsOf(c, KtLookupParams);
    const { epoch } = queryOf(c, KtLookupQuery);
    const found = await keyLog.lookup(userId, epoch);
    if (!found) throw notFound(epoch === undefined ? 'key log head' : 'epoch');
    const answer: KtLookupResponse = {
      head: ktHeadToWire(found.head),
      binding: found.binding ? ktBindingToWire(toBinding(found.binding)) : null,
      proof: ktProofToWire(found.proof),
    };
    return c.json(answer);
  });

  r.get('/changes', async (c) => {
    const { epoch } = queryOf(c, KtChangesQuery);
    const [head] = await store.ktHeads(epoch, 1);
    if (head?.epoch !== epoch) throw notFound('epoch');
    const changes = await store.ktPublishedBindings(epoch - 1, epoch);
    const answer: KtChangesResponse = { epoch, changes: changes.map((b) => ktBindingToWire(toBinding(b))) };
    return c.json(answer);
  });

  return r;
}
