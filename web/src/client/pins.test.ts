import {
  type ContactPin,
  fromBase64,
  generateIdentity,
  openPins,
  ready,
  sealPins,
  toBase64,
} from '@parley/crypto-core';
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

  describe('fails closed (DESIGN §7.4)', () => {
    const identity = () => generateIdentity();
    const relayServing = (blob: string | null, puts: string[] = []) =>
      ({
        getPins: async () => blob,
        putPins: async (b: string) => {
          puts.push(b);
        },
      }) as unknown as Api;

    it('enters trust unknown for a missing blob, since every account saves one at registration', async () => {
      const store = new PinStore(relayServing(null), identity());
      await store.load();
      expect(store.unknown).toMatch(/withheld/);
    });

    it('enters trust unknown for a blob that does not open, or that is older than one seen', async () => {
      const me = identity();
      const other = identity();
      const foreign = new PinStore(
        relayServing(toBase64(sealPins({ v: 1, version: 9, contacts: {} }, other))),
        me,
      );
      await foreign.load();
      expect(foreign.unknown).toMatch(/do not open/);
      const old = toBase64(sealPins({ v: 1, version: 3, contacts: { bob: pin(1) } }, me));
      const rolledBack = new PinStore(relayServing(old), me, 4);
      await rolledBack.load();
      expect(rolledBack.unknown).toMatch(/older copy/);
      expect(rolledBack.get('bob')).toBeUndefined();
    });

    it('pins and uploads nothing while trust is unknown, and restarts only on request, above every version seen', async () => {
      const me = identity();
      const puts: string[] = [];
      const old = toBase64(sealPins({ v: 1, version: 3, contacts: {} }, me));
      const store = new PinStore(relayServing(old, puts), me, 7);
      await store.load();
      expect(() => store.set('bob', pin(1))).toThrow(/unknown/);
      await expect(store.save()).rejects.toThrow(/unknown/);
      expect(puts).toEqual([]);
      await store.restart({ bob: { ...pin(2), verified: true } });
      expect(store.unknown).toBeNull();
      const saved = openPins(fromBase64(puts.at(-1) ?? ''), me);
      expect(saved.version).toBe(8);
      expect(saved.contacts.bob?.verified).toBe(true);
    });
  });
});
