// Identity keys and public bundles: lengths, the encKeySig binding, and the wire form.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  bundleFromWire,
  bundleToWire,
  FormatError,
  generateIdentity,
  type IdentityKeys,
  identityFromSecretKeys,
  KeyError,
  makeBundle,
  ready,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  SignatureError,
  toBase64,
  verifyBundle,
  WireBundleSchema,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

let alice: IdentityKeys;
let bob: IdentityKeys;
beforeAll(async () => {
  await ready();
  alice = generateIdentity();
  bob = generateIdentity();
});

describe('generateIdentity', () => {
  test('makes Ed25519 and X25519 key pairs of the exact lengths', () => {
    expect(alice.signPk).toHaveLength(SIGN_PUBLIC_KEY_BYTES);
    expect(alice.signSk).toHaveLength(SIGN_SECRET_KEY_BYTES);
    expect(alice.boxPk).toHaveLength(BOX_PUBLIC_KEY_BYTES);
    expect(alice.boxSk).toHaveLength(BOX_SECRET_KEY_BYTES);
  });

  test('makes consistent pairs: signSk embeds signPk, boxPk = X25519(boxSk)', () => {
    expect(hex(alice.signSk.subarray(32))).toBe(hex(alice.signPk));
    expect(hex(_sodium.crypto_scalarmult_base(alice.boxSk))).toBe(hex(alice.boxPk));
    const again = identityFromSecretKeys(alice.signSk, alice.boxSk);
    expect(hex(again.signPk)).toBe(hex(alice.signPk));
    expect(hex(again.boxPk)).toBe(hex(alice.boxPk));
  });
});

describe('identityFromSecretKeys', () => {
  test('rejects a signing key whose stored public half is not its own', () => {
    const spliced = alice.signSk.slice();
    spliced.set(bob.signPk, 32);
    expectError(() => identityFromSecretKeys(spliced, alice.boxSk), KeyError, 'identityFromSecretKeys');
  });

  test('rejects wrong lengths with KeyError naming the function', () => {
    const err = expectError(
      () => identityFromSecretKeys(alice.signSk.subarray(0, 32), alice.boxSk),
      KeyError,
      'identityFromSecretKeys',
    );
    expect(err.message).toContain('signSk must be 64 bytes');
    expectError(
      () => identityFromSecretKeys(alice.signSk, new Uint8Array(31)),
      KeyError,
      'identityFromSecretKeys',
    );
  });
});

describe('bundles', () => {
  test('a fresh bundle verifies and carries the public keys', () => {
    const bundle = makeBundle(alice);
    expect(bundle.v).toBe(1);
    expect(hex(bundle.identityKey)).toBe(hex(alice.signPk));
    expect(hex(bundle.encKey)).toBe(hex(alice.boxPk));
    expect(bundle.encKeySig).toHaveLength(SIGNATURE_BYTES);
    expect(() => verifyBundle(bundle)).not.toThrow();
  });

  test('rejects a bundle whose encryption key was swapped', () => {
    const bundle = { ...makeBundle(alice), encKey: bob.boxPk };
    expectError(() => verifyBundle(bundle), SignatureError, 'verifyBundle');
  });

  test("rejects a bundle whose signature is another identity's", () => {
    const bundle = { ...makeBundle(alice), encKeySig: makeBundle(bob).encKeySig };
    expectError(() => verifyBundle(bundle), SignatureError, 'verifyBundle');
  });

  test('rejects a bundle with any single signature bit flipped', () => {
    const bundle = makeBundle(alice);
    for (let i = 0; i < SIGNATURE_BYTES; i++) {
      expectError(
        () => verifyBundle({ ...bundle, encKeySig: flipByte(bundle.encKeySig, i) }),
        SignatureError,
        'verifyBundle',
      );
    }
  });

  test('rejects wrong lengths with KeyError', () => {
    const bundle = makeBundle(alice);
    expectError(
      () => verifyBundle({ ...bundle, encKey: bundle.encKey.subarray(1) }),
      KeyError,
      'verifyBundle',
    );
    expectError(() => makeBundle({ ...alice, boxPk: new Uint8Array(33) }), KeyError, 'makeBundle');
  });
});

describe('wire bundles', () => {
  test('round-trip through base64url and the shared zod schema', () => {
    const bundle = makeBundle(alice);
    const wire = bundleToWire(bundle);
    expect(WireBundleSchema.parse(JSON.parse(JSON.stringify(wire)))).toEqual(wire);
    expect(wire.identityKey).toBe(toBase64(alice.signPk));
    const back = bundleFromWire(JSON.parse(JSON.stringify(wire)));
    expect(hex(back.encKeySig)).toBe(hex(bundle.encKeySig));
  });

  test('bundleFromWire verifies the signature', () => {
    const wire = { ...bundleToWire(makeBundle(alice)), encKey: toBase64(bob.boxPk) };
    expectError(() => bundleFromWire(wire), SignatureError, 'bundleFromWire');
  });

  test.each([
    ['a missing field', { v: 1, identityKey: 'x' }],
    ['version 2', { v: 2 }],
    ['not an object', 'bundle'],
  ])('bundleFromWire rejects %s with FormatError', (_name, value) => {
    const wire = bundleToWire(makeBundle(alice));
    const input = typeof value === 'object' ? { ...wire, ...value } : value;
    expectError(() => bundleFromWire(input), FormatError, 'bundleFromWire');
  });

  test('bundleFromWire rejects a key of the wrong length and non-canonical base64url', () => {
    const wire = bundleToWire(makeBundle(alice));
    expectError(
      () => bundleFromWire({ ...wire, encKey: wire.encKey.slice(1) }),
      FormatError,
      'bundleFromWire',
    );
    // 43 chars encode 32 bytes plus 2 spare bits; setting them gives a non-canonical spelling.
    const last = wire.encKey.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bumped = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)] ?? 'A';
    const nonCanonical = wire.encKey.slice(0, -1) + bumped;
    expectError(() => bundleFromWire({ ...wire, encKey: nonCanonical }), FormatError, 'bundleFromWire');
  });
});

describe('bundleToWire', () => {
  test('refuses a bundle with a key of the wrong length, naming the field', () => {
    const bundle = makeBundle(generateIdentity());
    expectError(() => bundleToWire({ ...bundle, encKey: bundle.encKey.slice(1) }), KeyError, 'bundleToWire');
  });
});
