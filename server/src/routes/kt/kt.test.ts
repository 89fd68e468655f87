import {
  ktBindingFromWire,
  ktHeadFromWire,
  ktHeadHash,
  ktLeafValue,
  ktMapKey,
  ktProofFromWire,
  ktVerifyProof,
  verifyKtChain,
} from '@parley/crypto-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KtChangesResponse, KtHeadResponse, KtHeadsResponse, KtLookupResponse } from '../../protocol';
import { createHarness, type Harness, uuid } from '../testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const get = async (path: string) => h.request('GET', path);
const json = async <T>(path: string, schema: { parse(v: unknown): T }) => {
  const res = await get(path);
  expect(res.status).toBe(200);
  return schema.parse(await res.json());
};

describe('/api/kt', () => {
  it('has no head before the first epoch, and always names its log key (no session needed)', async () => {
    const { head, logKey } = await json('/api/kt/head', KtHeadResponse);
    expect(head).toBeNull();
    expect(Buffer.from(logKey, 'base64url')).toEqual(Buffer.from(h.keyLog.logKey.publicKey));
    expect((await get(`/api/kt/lookup/${uuid()}`)).status).toBe(404);
  });

  it('publishes waiting bindings in one signed epoch, and none when nothing changed', async () => {
    const alice = await h.register('alice');
    const bob = await h.register('bob');
    await h.keyLog.tick();
    await h.keyLog.tick();
    const { heads } = await json('/api/kt/heads', KtHeadsResponse);
    expect(heads.map((x) => x.epoch)).toEqual([0]);
    const head = ktHeadFromWire(heads[0]);
    verifyKtChain([head], h.keyLog.logKey.publicKey);
    const { changes } = await json('/api/kt/changes?epoch=0', KtChangesResponse);
    expect(changes.map((c) => c.userId).sort()).toEqual([alice.id, bob.id].sort());
    await h.register('carol');
    await h.keyLog.tick();
    const chain = (await json('/api/kt/heads?from=0', KtHeadsResponse)).heads.map((w) => ktHeadFromWire(w));
    expect(chain.map((x) => x.epoch)).toEqual([0, 1]);
    expect(verifyKtChain(chain, h.keyLog.logKey.publicKey)).toEqual(ktHeadHash(chain[1] as never));
    expect((await json('/api/kt/heads?from=1&limit=1', KtHeadsResponse)).heads).toHaveLength(1);
  });

  it('answers a lookup with the binding and a proof that verifies under the head, present or absent', async () => {
    const alice = await h.register('alice');
    await h.keyLog.tick();
    const found = await json(`/api/kt/lookup/${alice.id}`, KtLookupResponse);
    const root = ktHeadFromWire(found.head).root;
    const binding = ktBindingFromWire(found.binding);
    expect(binding).toMatchObject({ userId: alice.id, username: 'alice', version: 1 });
    expect(Buffer.from(binding.identityKey).toString('base64url')).toBe(alice.session.bundle.identityKey);
    expect(ktVerifyProof(root, ktMapKey(alice.id), ktLeafValue(binding), ktProofFromWire(found.proof))).toBe(
      true,
    );
    const stranger = uuid();
    const absent = await json(`/api/kt/lookup/${stranger}`, KtLookupResponse);
    expect(absent.binding).toBeNull();
    expect(ktVerifyProof(root, ktMapKey(stranger), null, ktProofFromWire(absent.proof))).toBe(true);
    // A lookup at an earlier epoch answers under that epoch's head.
    await h.register('bob');
    await h.keyLog.tick();
    const old = await json(`/api/kt/lookup/${alice.id}?epoch=0`, KtLookupResponse);
    expect(old.head).toEqual(found.head);
    expect((await json(`/api/kt/lookup/${alice.id}`, KtLookupResponse)).head.epoch).toBe(1);
  });

  it('refuses bad queries and unknown epochs precisely', async () => {
    await h.register('alice');
    await h.keyLog.tick();
    expect((await get('/api/kt/changes')).status).toBe(400);
    expect((await get('/api/kt/changes?epoch=9')).status).toBe(404);
    expect((await get('/api/kt/heads?limit=0')).status).toBe(400);
    expect((await get('/api/kt/lookup/not-a-uuid')).status).toBe(400);
    expect((await get(`/api/kt/lookup/${uuid()}?epoch=5`)).status).toBe(404);
    expect((await get('/api/kt/head?x=1')).status).toBe(400);
  });
});
