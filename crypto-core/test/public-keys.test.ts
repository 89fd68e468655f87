// Safe public keys: identity keys must be prime-order Ed25519 points and encryption keys canonical
// X25519 keys of large order; bundles with anything else are refused before their signature.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  bundleFromWire,
  bundleToWire,
  encodeFields,
  generateIdentity,
  isUsableEncKey,
  isValidIdentityKey,
  KeyError,
  makeBundle,
  type PublicBundle,
  ready,
  TAGS,
  verifyBundle,
} from '../src/index';
import { expectError, unhex } from './helpers';

beforeAll(ready);

const P = (1n << 255n) - 19n;
function le(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** libsodium's blocklist (crypto_scalarmult refuses each) and other non-canonical spellings. */
const WEAK_ENC_KEYS: [string, () => Uint8Array][] = [
  ['0', () => le(0n)],
  ['1', () => le(1n)],
  ['e0eb… (order 8)', () => unhex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')],
  ['5f9c… (order 8)', () => unhex('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157')],
  ['p - 1', () => le(P - 1n)],
  ['p', () => le(P)],
  ['p + 1', () => le(P + 1n)],
  ['p + 9 (non-canonical 9)', () => le(P + 9n)],
  ['2^255 - 1 (non-canonical)', () => le((1n << 255n) - 1n)],
  ['9 with the top bit set', () => le(9n + (1n << 255n))],
  ['0 with the top bit set', () => le(1n << 255n)],
];

const SMALL_ORDER_ED25519 = [
  `01${'00'.repeat(31)}`, // identity
  `ec${'ff'.repeat(30)}7f`, // order 2
  '00'.repeat(32), // order 4
  `${'00'.repeat(31)}80`, // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
];

describe('isUsableEncKey', () => {
  test('accepts freshly generated keys and the RFC 7748 base point', () => {
    for (let i = 0; i < 200; i++) expect(isUsableEncKey(generateIdentity().boxPk)).toBe(true);
    expect(isUsableEncKey(le(9n))).toBe(true);
    expect(isUsableEncKey(le(P - 2n))).toBe(true); // the largest canonical value that is not on the blocklist
  });

  test.each(WEAK_ENC_KEYS)('refuses u = %s', (_name, make) => {
    expect(isUsableEncKey(make())).toBe(false);
  });

  test('the blocklisted keys are exactly those libsodium refuses for a key agreement', () => {
    const sk = generateIdentity().boxSk;
    for (const [name, make] of WEAK_ENC_KEYS.slice(0, 7)) {
      expect(() => _sodium.crypto_scalarmult(sk, make()), name).toThrow();
    }
  });

  test('refuses wrong lengths and non-bytes', () => {
    expect(isUsableEncKey(new Uint8Array(31))).toBe(false);
    expect(isUsableEncKey('abc' as unknown as Uint8Array)).toBe(false);
  });
});

describe('isValidIdentityKey', () => {
  test('accepts freshly generated keys', () => {
    for (let i = 0; i < 200; i++) expect(isValidIdentityKey(generateIdentity().signPk)).toBe(true);
  });

  test.each(SMALL_ORDER_ED25519)('refuses the small-order point %s', (h) => {
    expect(isValidIdentityKey(unhex(h))).toBe(false);
  });

  test('refuses a point with a torsion component, off-curve values and wrong lengths', () => {
    const pk = generateIdentity().signPk;
    expect(isValidIdentityKey(_sodium.crypto_core_ed25519_add(pk, unhex(SMALL_ORDER_ED25519[4] ?? '')))).toBe(
      false,
    );
    expect(isValidIdentityKey(unhex(`02${'00'.repeat(31)}`))).toBe(false);
    expect(isValidIdentityKey(pk.subarray(1))).toBe(false);
    expect(isValidIdentityKey(null as unknown as Uint8Array)).toBe(false);
  });
});

describe('bundles with unsafe keys', () => {
  /** A bundle over `identityKey` and `encKey` whose signature is valid, so only the key check can refuse it. */
  function signedBundle(encKey: Uint8Array): PublicBundle {
    const id = generateIdentity();
    const encKeySig = _sodium.crypto_sign_detached(encodeFields(TAGS.encKey, id.signPk, encKey), id.signSk);
    return { v: 1, identityKey: id.signPk, encKey, encKeySig };
  }

  test.each(WEAK_ENC_KEYS)(
    'verifyBundle and bundleFromWire refuse encKey %s with KeyError naming encKey',
    (_n, make) => {
      const bundle = signedBundle(make());
      const err = expectError(() => verifyBundle(bundle), KeyError, 'verifyBundle');
      expect(err.message).toContain('encKey');
      const wire = bundleToWire(bundle);
      expect(expectError(() => bundleFromWire(wire), KeyError, 'bundleFromWire').message).toContain('encKey');
    },
  );

  test.each(SMALL_ORDER_ED25519)('refuse identityKey %s with KeyError naming identityKey', (h) => {
    const bundle = { ...makeBundle(generateIdentity()), identityKey: unhex(h) };
    expect(expectError(() => verifyBundle(bundle), KeyError, 'verifyBundle').message).toContain(
      'identityKey',
    );
    expectError(() => bundleFromWire(bundleToWire(bundle)), KeyError, 'bundleFromWire');
  });

  test('a sound bundle still verifies', () => {
    expect(() => verifyBundle(makeBundle(generateIdentity()))).not.toThrow();
  });
});
