import {
  generateIdentity,
  type IdentityKeys,
  KT_GENESIS_PREV,
  type KtHead,
  KtMap,
  ktBindingToWire,
  ktHeadHash,
  ktHeadToWire,
  ktLeafValue,
  ktMapKey,
  ktProofToWire,
  makeBundle,
  ready,
  signKtHead,
  toBase64,
} from '@parley/crypto-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from './account';
import type { Api } from './api';
import { KeyTransparency } from './kt';

beforeAll(ready);

/** A relay's key log in memory, served through the few Api calls the client uses. */
function fakeLog() {
  const logKey = generateIdentity();
  const map = new KtMap();
  const heads: KtHead[] = [];
  const bindings = new Map<string, ReturnType<typeof ktBindingToWire>>();
  const log = {
    logKey,
    heads,
    /** What /api/kt/head answers; a test may point it elsewhere. */
    served: () => heads.at(-1),
    publish(userId: string, keys: IdentityKeys, version = 1) {
      const b = makeBundle(keys);
      const binding = { userId, username: userId, version, ...b };
      map.set(ktMapKey(userId), ktLeafValue(binding));
      bindings.set(userId, ktBindingToWire(binding));
      const prev = heads.at(-1);
      heads.push(
        signKtHead(
          {
            epoch: heads.length,
            root: map.root(),
            prevHash: prev ? ktHeadHash(prev) : KT_GENESIS_PREV,
            timeMs: 1,
          },
          logKey.signSk,
        ),
      );
    },
    api: {
      ktHead: async () => {
        const h = log.served();
        return { head: h ? ktHeadToWire(h) : null, logKey: toBase64(logKey.signPk) };
      },
      ktHeads: async (from: number, limit = 500) => heads.slice(from, from + limit).map(ktHeadToWire),
      ktLookup: async (userId: string) => ({
        head: ktHeadToWire(heads.at(-1) as KtHead),
        binding: bindings.get(userId) ?? null,
        proof: ktProofToWire(map.prove(ktMapKey(userId))),
      }),
    } as unknown as Api,
  };
  return log;
}

function session(id: string, keys: IdentityKeys): Session {
  return {
    user: {
      id,
      username: id,
      displayName: id,
      email: null,
      role: 'user',
      avatarVersion: null,
      hasRecovery: false,
      createdAt: 0,
    },
    identity: keys,
    bundle: makeBundle(keys),
  };
}

describe('KeyTransparency', () => {
  it('pins the log key and head on first use, then accepts only heads that chain from them', async () => {
    const log = fakeLog();
    const me = generateIdentity();
    log.publish('me', me);
    const kt = new KeyTransparency(log.api, session('me', me), undefined);
    expect(await kt.refresh()).toBe(true);
    await kt.checkSelf();
    expect(kt.alarm).toBeNull();
    log.publish('bob', generateIdentity());
    log.publish('carol', generateIdentity());
    expect(await kt.refresh()).toBe(true);
    expect(kt.epoch).toBe(2);
    // A later session starts from the state kept in the pins.
    const again = new KeyTransparency(log.api, session('me', me), kt.state() ?? undefined);
    log.publish('dave', generateIdentity());
    expect(await again.refresh()).toBe(true);
    expect(again.alarm).toBeNull();
  });

  it('raises the alarm for a head that goes back, a second head for an epoch, or another signing key', async () => {
    const log = fakeLog();
    const me = generateIdentity();
    log.publish('me', me);
    log.publish('bob', generateIdentity());
    const kt = new KeyTransparency(log.api, session('me', me), undefined);
    await kt.refresh();
    log.served = () => log.heads[0];
    await kt.refresh();
    expect(kt.alarm).toMatch(/went back/);

    const forked = new KeyTransparency(log.api, session('me', me), undefined);
    log.served = () => log.heads[1];
    await forked.refresh();
    const other = signKtHead({ ...(log.heads[1] as KtHead), root: new Uint8Array(32) }, log.logKey.signSk);
    log.served = () => other;
    await forked.refresh();
    expect(forked.alarm).toMatch(/forked at epoch 1/);

    const stranger = fakeLog();
    stranger.publish('me', me);
    const pinned = new KeyTransparency(stranger.api, session('me', me), kt.state() ?? undefined);
    await pinned.refresh();
    expect(pinned.alarm).toMatch(/another key/);
  });

  it('watches its own entry: another key, or a version it never made, is the alarm', async () => {
    const log = fakeLog();
    const me = generateIdentity();
    log.publish('me', generateIdentity());
    const swapped = new KeyTransparency(log.api, session('me', me), undefined);
    await swapped.checkSelf();
    expect(swapped.alarm).toMatch(/different key for you/);

    const log2 = fakeLog();
    log2.publish('me', me, 1);
    log2.publish('me', me, 3);
    const bumped = new KeyTransparency(log2.api, session('me', me), undefined);
    await bumped.checkSelf();
    expect(bumped.alarm).toMatch(/version 3/);
  });

  it('checks contacts against the map, refusing another key or a version that went down', async () => {
    const log = fakeLog();
    const me = generateIdentity();
    const bob = generateIdentity();
    log.publish('me', me);
    log.publish('bob', bob, 2);
    const kt = new KeyTransparency(log.api, session('me', me), undefined);
    expect(await kt.checkContact('bob', 'bob', makeBundle(bob))).toEqual({ ok: true, version: 2, epoch: 1 });
    expect(await kt.checkContact('bob', 'bob', makeBundle(generateIdentity()))).toMatchObject({ ok: false });
    expect(await kt.checkContact('bob', 'bob', makeBundle(bob), 3)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/went down/),
    });
    expect(await kt.checkContact('nobody', 'nobody', makeBundle(bob))).toEqual({ ok: 'pending' });
  });

  it('finds a gossiped head on its chain, older or newer, and rejects one that is not', async () => {
    const log = fakeLog();
    const me = generateIdentity();
    for (const name of ['me', 'a', 'b', 'c']) log.publish(name, name === 'me' ? me : generateIdentity());
    const kt = new KeyTransparency(log.api, session('me', me), undefined);
    await kt.refresh(); // first use: only epoch 3 is known
    const ref = (h: KtHead) => ({ epoch: h.epoch, hash: toBase64(ktHeadHash(h)) });
    expect(await kt.checkRef(ref(log.heads[1] as KtHead))).toBe(true);
    log.publish('d', generateIdentity());
    expect(await kt.checkRef(ref(log.heads[4] as KtHead))).toBe(true);
    expect(await kt.checkRef({ epoch: 2, hash: toBase64(new Uint8Array(32)) })).toBe(false);
    expect(await kt.checkRef({ epoch: 9, hash: toBase64(new Uint8Array(32)) })).toBe(false);
    expect(kt.alarm).toBeNull();
  });
});
