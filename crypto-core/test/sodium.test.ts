// Readiness: using crypto-core before `await ready()` fails loudly instead of misbehaving.
// Vitest isolates each test file's modules, so libsodium starts unloaded here.
import { describe, expect, test } from 'vitest';
import { CryptoError, generateSenderKey, ready } from '../src/index';

describe('ready()', () => {
  test('crypto before ready() throws a clear CryptoError, and works after', async () => {
    expect(() => generateSenderKey()).toThrow(CryptoError);
    expect(() => generateSenderKey()).toThrow(/await ready\(\)/);
    await ready();
    await ready();
    expect(generateSenderKey()).toHaveLength(32);
  });
});
