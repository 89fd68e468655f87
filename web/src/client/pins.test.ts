import { type ContactPin, fromBase64, generateIdentity, openPins, ready } from '@parley/crypto-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Api } from './api';
import { PinStore } from './pins';

beforeAll(ready);

const pin = (n: number): ContactPin => ({ identityKey: 'A'.repeat(43), firstSeenAt: n, verified: false });

describe('PinStore', () => {
  it('keeps a pin set while a save is uploading, and writes it with the next save', async () => {
    const identity = generateIdentity();
    const uploads: string[] = [];
    let release: () => void = () => {};
    const api = {
      putPins: (blob: string) => {
        uploads.push(blob);
        return uploads.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    } as unknown as Api;
    const store = new PinStore(api, identity);
    store.set('alice', pin(1));
    const first = store.save();
    await Promise.resolve();
    store.set('bob', pin(2)); // arrives while the first upload is in flight
    release();
    await first;
    expect(store.get('bob')).toEqual(pin(2));
    expect(store.dirty).toBe(true);
    await store.save();
    const last = openPins(fromBase64(uploads.at(-1) ?? ''), identity);
    expect(Object.keys(last.contacts).sort()).toEqual(['alice', 'bob']);
    expect(last.version).toBe(2);
  });
});
