// Readiness: using crypto-core before `await ready()` fails loudly instead of misbehaving, and
// libsodium is not even imported until then (a page can paint before the WebAssembly arrives).
// Vitest isolates each test file's modules, so libsodium starts unloaded here.
import { describe, expect, test, vi } from 'vitest';
import { CryptoError, generateIdentity, ready } from '../src/index';

const imports = vi.hoisted(() => ({ count: 0 }));
vi.mock('libsodium-wrappers-sumo', async (importOriginal) => {
  imports.count++;
  return importOriginal();
});

describe('ready()', () => {
  test('crypto before ready() throws a clear CryptoError, and works after', async () => {
    expect(() => generateIdentity()).toThrow(CryptoError);
    expect(() => generateIdentity()).toThrow(/await ready\(\)/);
    // Importing crypto-core (above) did not import libsodium; concurrent ready()s import it once.
    expect(imports.count).toBe(0);
    await Promise.all([ready(), ready()]);
    await ready();
    expect(imports.count).toBe(1);
    expect(generateIdentity().signPk).toHaveLength(32);
  });
});
