// Key-transparency leaves (DESIGN §7.5): the leaf bytes of a binding, its map key and value, the
// wire form, and what each function refuses.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  encodeFields,
  FormatError,
  generateIdentity,
  KeyError,
  type KtBinding,
  ktBindingFromWire,
  ktBindingToWire,
  ktLeafBytes,
  ktLeafValue,
  ktMapKey,
  makeBundle,
  ready,
  TAGS,
  u32be,
  utf8,
  WireKtBindingSchema,
} from '../src/index';
import { expectError, hex } from './helpers';

let alice: KtBinding;

beforeAll(async () => {
  await ready();
  alice = { userId: 'u-alice', username: 'alice', version: 3, ...makeBundle(generateIdentity()) };
});

describe('leaf, map key and value', () => {
  test('leaf = encodeFields("parley/kt/leaf/v1", userId, username, u32be(version), identityKey, encKey, encKeySig)', () => {
    const want = encodeFields(
      TAGS.ktLeaf,
      utf8('u-alice'),
      utf8('alice'),
      u32be(3),
      alice.identityKey,
      alice.encKey,
      alice.encKeySig,
    );
    expect(hex(ktLeafBytes(alice))).toBe(hex(want));
    expect(hex(ktLeafValue(alice))).toBe(hex(_sodium.crypto_generichash(32, want, null)));
  });

  test('the map key is BLAKE2b-256(utf8(userId)), whatever the keys and version', () => {
    expect(hex(ktMapKey('u-alice'))).toBe(hex(_sodium.crypto_generichash(32, utf8('u-alice'), null)));
    expect(hex(ktMapKey('u-alice'))).not.toBe(hex(ktMapKey('u-alicf')));
  });

  test('every field changes the value', () => {
    const other = makeBundle(generateIdentity());
    const changes: Partial<KtBinding>[] = [
      { userId: 'u-alicf' },
      { username: 'alicf' },
      { version: 4 },
      { identityKey: other.identityKey },
      { encKey: other.encKey },
      { encKeySig: other.encKeySig },
    ];
    const values = new Set(
      [alice, ...changes.map((c) => ({ ...alice, ...c }))].map((b) => hex(ktLeafValue(b))),
    );
    expect(values.size).toBe(changes.length + 1);
  });

  test.each([0, -1, 1.5, 2 ** 32, Number.NaN])('version %s is a FormatError', (version) => {
    expectError(() => ktLeafBytes({ ...alice, version }), FormatError, 'ktLeafBytes');
    expectError(() => ktLeafValue({ ...alice, version }), FormatError, 'ktLeafValue');
  });

  test('ids must be non-empty, at most 256 UTF-8 bytes, without lone surrogates; keys must have their lengths', () => {
    for (const id of ['', 'é'.repeat(129), 'a\ud800']) {
      expectError(() => ktLeafBytes({ ...alice, userId: id }), FormatError, 'ktLeafBytes');
      expectError(() => ktLeafBytes({ ...alice, username: id }), FormatError, 'ktLeafBytes');
      expectError(() => ktMapKey(id), FormatError, 'ktMapKey');
    }
    expectError(() => ktLeafBytes({ ...alice, identityKey: new Uint8Array(31) }), KeyError, 'ktLeafBytes');
    expectError(() => ktLeafBytes({ ...alice, encKey: new Uint8Array(33) }), KeyError, 'ktLeafBytes');
    expectError(() => ktLeafBytes({ ...alice, encKeySig: new Uint8Array(32) }), KeyError, 'ktLeafBytes');
  });
});

describe('wire form', () => {
  test('round-trips through JSON', () => {
    const wire = ktBindingToWire(alice);
    expect(WireKtBindingSchema.safeParse(wire).success).toBe(true);
    const back = ktBindingFromWire(JSON.parse(JSON.stringify(wire)));
    expect(hex(ktLeafBytes(back))).toBe(hex(ktLeafBytes(alice)));
  });

  test.each([
    ['version 0', { version: 0 }, FormatError],
    ['a missing username', { username: undefined }, FormatError],
    ['an identityKey of 31 bytes', { identityKey: 'A'.repeat(42) }, FormatError],
    ['a padded encKeySig', { encKeySig: 'x=' }, FormatError],
    ['a userId with a lone surrogate', { userId: 'u-\ud800' }, FormatError],
    // Literals (the cases are built before libsodium loads): 01 00..00 and 32 zero bytes.
    ['a small-order identityKey (the identity point)', { identityKey: `AQ${'A'.repeat(41)}` }, KeyError],
    ['a small-order encKey (u = 0)', { encKey: 'A'.repeat(43) }, KeyError],
  ])('ktBindingFromWire refuses %s', (_name, change, cls) => {
    expectError(() => ktBindingFromWire({ ...ktBindingToWire(alice), ...change }), cls, 'ktBindingFromWire');
  });
});
