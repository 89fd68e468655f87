// Test-only determinism is refused outside a test runner (DESIGN §3: no deterministic nonces
// outside tests). The environment is faked by clearing VITEST and NODE_ENV for one call.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  CryptoError,
  encryptMessage,
  generateIdentity,
  generateSenderKey,
  type IdentityKeys,
  ready,
  sealPins,
  wrapKeys,
} from '../src/index';
import { isTestEnvironment } from '../src/random';
import { hex } from './helpers';

type Env = Record<string, string | undefined>;
const env = (globalThis as unknown as { process: { env: Env } }).process.env;
const saved = { NODE_ENV: env.NODE_ENV, VITEST: env.VITEST };

function outsideTests(): void {
  delete env.NODE_ENV;
  delete env.VITEST;
}

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
});

let alice: IdentityKeys;
beforeAll(async () => {
  await ready();
  alice = generateIdentity();
});

const nonce = new Uint8Array(24).fill(7);

describe('dangerousTestOnlyNonce', () => {
  test('is honoured under vitest', () => {
    expect(isTestEnvironment()).toBe(true);
    const blob = wrapKeys(new Uint8Array(32), alice, { dangerousTestOnlyNonce: nonce });
    expect(hex(blob.subarray(0, 24))).toBe(hex(nonce));
  });

  test.each([
    ['wrapKeys', () => wrapKeys(new Uint8Array(32), alice, { dangerousTestOnlyNonce: nonce })],
    [
      'sealPins',
      () => sealPins({ v: 1, version: 0, contacts: {} }, alice, { dangerousTestOnlyNonce: nonce }),
    ],
    [
      'encryptMessage',
      () =>
        encryptMessage({
          channelId: 'c',
          senderId: 'u',
          keyId: 0,
          clientMsgId: 'm',
          senderKey: generateSenderKey(),
          senderSignSk: alice.signSk,
          payload: { v: 1, kind: 'text', sentAt: 0, text: 'x' },
          dangerousTestOnlyNonce: nonce,
        }),
    ],
  ])('%s refuses it outside a test runner', (fn, run) => {
    outsideTests();
    expect(isTestEnvironment()).toBe(false);
    let caught: unknown;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CryptoError);
    expect((caught as Error).message).toMatch(new RegExp(`^${fn}: dangerousTestOnlyNonce is test-only`));
  });

  test('without it, the same calls work outside a test runner', () => {
    outsideTests();
    expect(wrapKeys(new Uint8Array(32), alice)).toHaveLength(136);
  });

  test('NODE_ENV=test alone also counts as a test runner', () => {
    outsideTests();
    env.NODE_ENV = 'test';
    expect(isTestEnvironment()).toBe(true);
  });
});
