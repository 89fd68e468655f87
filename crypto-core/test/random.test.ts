// Randomness (src/random.ts): nonces, ids, salts and symmetric keys come straight from WebCrypto's
// CSPRNG, within getRandomValues' 65,536-byte limit per call, and never through libsodium's slow
// randombytes_buf (which reads the same generator with one call per byte).
import _sodium from 'libsodium-wrappers-sumo';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  CryptoError,
  encryptMessage,
  generateIdentity,
  generateRecoveryKey,
  generateSenderKey,
  newClientMsgId,
  newGroupChannelId,
  newSalt,
  ready,
} from '../src/index';
import { randomBytes, randomUuid } from '../src/random';

type WebCrypto = { getRandomValues<T extends ArrayBufferView>(array: T): T; randomUUID(): string };
const webCrypto = (globalThis as unknown as { crypto: WebCrypto }).crypto;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(ready);
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('randomBytes', () => {
  test('fills a request above the 65,536-byte limit in chunks no larger than it', () => {
    const spy = vi.spyOn(webCrypto, 'getRandomValues');
    const out = randomBytes(150_000);
    expect(out).toHaveLength(150_000);
    const sizes = spy.mock.calls.map(([view]) => view.byteLength);
    expect(sizes).toEqual([65_536, 65_536, 18_928]);
    // The last chunk was filled too (all-zero 1,000 bytes would be a 2^-8000 event).
    expect(out.subarray(-1000).some((b) => b !== 0)).toBe(true);
  });

  test('returns an empty array for zero bytes', () => {
    expect(randomBytes(0)).toHaveLength(0);
  });

  test('fails loudly, naming the function, where there is no WebCrypto', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => randomBytes(24)).toThrow(
      new CryptoError('randomBytes: no crypto.getRandomValues in this environment'),
    );
    expect(() => newClientMsgId()).toThrow(CryptoError);
  });
});

describe('ids', () => {
  test('newClientMsgId and newGroupChannelId are crypto.randomUUID lowercase v4s', () => {
    const spy = vi.spyOn(webCrypto, 'randomUUID');
    expect(newClientMsgId()).toMatch(UUID_V4);
    expect(newGroupChannelId().slice(2)).toMatch(UUID_V4);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('without crypto.randomUUID (an insecure context) ids are still lowercase v4s', () => {
    const getRandomValues = vi.fn(<T extends ArrayBufferView>(a: T) => webCrypto.getRandomValues(a));
    vi.stubGlobal('crypto', { getRandomValues });
    const ids = new Set(Array.from({ length: 1000 }, () => randomUuid()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(getRandomValues).toHaveBeenCalledTimes(1000);
  });
});

test("nonces, salts, sender keys, recovery keys and ids never call libsodium's randombytes_buf", () => {
  const signSk = generateIdentity().signSk;
  const spy = vi.spyOn(_sodium, 'randombytes_buf');
  encryptMessage({
    channelId: 'c',
    senderId: 'u',
    keyId: 0,
    clientMsgId: newClientMsgId(),
    senderKey: generateSenderKey(),
    senderSignSk: signSk,
    payload: { v: 1, kind: 'text', sentAt: 0, text: '' },
  });
  newSalt();
  generateRecoveryKey();
  newGroupChannelId();
  expect(spy).not.toHaveBeenCalled();
});
