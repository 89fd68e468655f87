import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from '@libsql/client';
import { INTERACTIVE_KDF_PARAMS, ktLeafValue, ktMapKey, ktVerifyProof, ready } from '@parley/crypto-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../db';
import type { Store } from '../db/store';
import { silentLogger } from '../log';
import { makeBundle, must, uuid } from '../routes/testing';
import { KeyLog, toBinding } from './key-log';
import { loadLogKey } from './log-key';

let dir: string;
let store: Store;
beforeEach(async () => {
  await ready();
  dir = mkdtempSync(join(tmpdir(), 'parley-kt-'));
  store = await openStore(join(dir, 'kt.db'));
  await store.ensureBroadcast();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function register(name: string) {
  return store.createUser({
    id: uuid(),
    username: name,
    displayName: name,
    email: null,
    kdfSalt: new Uint8Array(16),
    kdf: INTERACTIVE_KDF_PARAMS,
    verifier: 'v',
    bundle: makeBundle(),
    keyBlob: new Uint8Array(136),
    recoveryVerifier: null,
    recoveryBlob: null,
    createdAt: Date.now(),
  });
}

const relay = async (holder: string, now: { t: number }) =>
  new KeyLog({
    store,
    logKey: await loadLogKey(join(dir, 'kt-log-key')),
    logger: silentLogger(),
    holder,
    epochMs: 1000,
    now: () => now.t,
  });

describe('KeyLog', () => {
  it('keeps its signing key in a private file and reuses it', async () => {
    const file = join(dir, 'kt-log-key');
    const first = await loadLogKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadLogKey(file);
    expect(again.publicKey).toEqual(first.publicKey);
    expect(first.fingerprint).toMatch(/^([0-9a-f]{4} ){9}[0-9a-f]{4}$/);
  });

  it('lets only the lease holder make epochs; the other relay catches up and serves the same proofs', async () => {
    const clock = { t: 10_000 };
    const a = await relay('relay-a', clock);
    const b = await relay('relay-b', clock);
    await register('alice');
    await a.tick();
    await b.tick(); // relay-a holds the lease: relay-b only catches up
    expect(a.head?.epoch).toBe(0);
    expect(b.head?.hash).toEqual(a.head?.hash);
    const bob = await register('bob');
    await b.tick();
    expect(b.head?.epoch).toBe(0);
    await a.tick();
    expect(a.head?.epoch).toBe(1);
    // relay-b answers from memory, caught up at its next round.
    expect((await b.lookup(bob.id))?.head.epoch).toBe(0);
    await b.tick();
    const lookup = await b.lookup(bob.id);
    expect(lookup?.head.epoch).toBe(1);
    expect(lookup?.binding?.userId).toBe(bob.id);
    const found = must(lookup, 'a lookup');
    const binding = toBinding(must(found.binding, "bob's binding"));
    expect(ktVerifyProof(found.head.root, ktMapKey(bob.id), ktLeafValue(binding), found.proof)).toBe(true);
    // relay-a goes silent: once its lease expires, relay-b makes the next epoch on the same chain.
    await register('carol');
    clock.t += 60_000;
    await b.tick();
    expect(b.head?.epoch).toBe(2);
    expect(b.head?.prevHash).toEqual(a.head?.hash);
  });

  it('makes no more epochs over bindings edited behind the signed heads', async () => {
    const clock = { t: 10_000 };
    const honest = await relay('relay-a', clock);
    await register('alice');
    await honest.tick();
    const raw = createClient({ url: pathToFileURL(join(dir, 'kt.db')).href });
    await raw.execute("UPDATE kt_bindings SET username = 'mallory' WHERE epoch = 0");
    raw.close();
    await register('bob');
    const restarted = await relay('relay-a', clock);
    await restarted.tick();
    expect(restarted.head?.epoch).toBe(0);
    expect((await store.ktPendingBindings(10)).length).toBe(1);
  });
});
