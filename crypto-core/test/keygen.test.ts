// Key generation: every key, salt and nonce comes from the platform CSPRNG (crypto.getRandomValues,
// directly or through libsodium's key pairs), with exact lengths, and large batches never repeat.
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  encryptMessage,
  generateIdentity,
  generateRecoveryKey,
  generateSenderKey,
  KEY_BYTES,
  newSalt,
  ready,
  SALT_BYTES,
} from '../src/index';
import { hex } from './helpers';

type WebCrypto = { getRandomValues<T extends ArrayBufferView>(array: T): T };
const webCrypto = (globalThis as unknown as { crypto: WebCrypto }).crypto;

beforeAll(ready);
afterEach(() => {
  vi.restoreAllMocks();
});

function distinct(n: number, make: () => Uint8Array, length: number): void {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const k = make();
    expect(k).toHaveLength(length);
    seen.add(hex(k));
  }
  expect(seen.size).toBe(n);
}

describe('randomness', () => {
  test('10,000 sender keys are 32 bytes and all distinct', () => {
    distinct(10_000, generateSenderKey, KEY_BYTES);
  });

  test('10,000 recovery keys and 10,000 salts are all distinct', () => {
    distinct(10_000, generateRecoveryKey, 32);
    distinct(10_000, newSalt, SALT_BYTES);
  });

  test('500 identities have distinct signing and box keys', () => {
    const sign = new Set<string>();
    const box = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const id = generateIdentity();
      sign.add(hex(id.signPk));
      box.add(hex(id.boxPk));
    }
    expect(sign.size).toBe(500);
    expect(box.size).toBe(500);
  });

  test.each([
    ['generateSenderKey', () => generateSenderKey()],
    ['generateIdentity', () => generateIdentity()],
    ['newSalt', () => newSalt()],
    ['generateRecoveryKey', () => generateRecoveryKey()],
    [
      'encryptMessage (nonce)',
      () =>
        encryptMessage({
          channelId: 'c',
          senderId: 'u',
          keyId: 0,
          clientMsgId: 'm',
          senderKey: new Uint8Array(32),
          senderSignSk: generateIdentity().signSk,
          payload: { v: 1, kind: 'text', sentAt: 0, text: '' },
        }),
    ],
  ])('%s draws from the platform CSPRNG (crypto.getRandomValues)', (_name, make) => {
    const spy = vi.spyOn(webCrypto, 'getRandomValues');
    make();
    expect(spy).toHaveBeenCalled();
  });

  test('keys are not trivially structured (not all zero, not repeating a byte)', () => {
    for (let i = 0; i < 100; i++) {
      const k = generateSenderKey();
      expect(new Set(k).size).toBeGreaterThan(8);
    }
  });
});
