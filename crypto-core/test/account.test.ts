// Password-derived account keys and the key blob (DESIGN §3, zero-knowledge login).
// Argon2id at INTERACTIVE is slow by design: this file derives only a few times.

import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import { aeadSeal } from '../src/aead';
import {
  type AccountKeys,
  concatBytes,
  DecryptError,
  deriveAccountKeys,
  encodeFields,
  FormatError,
  generateIdentity,
  type IdentityKeys,
  INTERACTIVE_KDF_PARAMS,
  KdfParamsSchema,
  KEY_BLOB_BYTES,
  KeyError,
  newSalt,
  ready,
  rewrapKeys,
  SALT_BYTES,
  TAGS,
  unwrapKeys,
  wrapKeys,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

const PASSWORD = 'correct horse battery staple';
let salt: Uint8Array;
let keys: AccountKeys;
let alice: IdentityKeys;
let bob: IdentityKeys;

beforeAll(async () => {
  await ready();
  salt = newSalt();
  keys = deriveAccountKeys(PASSWORD, salt, INTERACTIVE_KDF_PARAMS);
  alice = generateIdentity();
  bob = generateIdentity();
});

describe('deriveAccountKeys', () => {
  test('gives two distinct 32-byte keys', () => {
    expect(keys.authKey).toHaveLength(32);
    expect(keys.wrapKey).toHaveLength(32);
    expect(hex(keys.authKey)).not.toBe(hex(keys.wrapKey));
  });

  test('INTERACTIVE params are libsodium INTERACTIVE for Argon2id13', () => {
    expect(INTERACTIVE_KDF_PARAMS).toEqual({
      alg: 'argon2id13',
      opslimit: _sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
      memlimit: _sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
    });
    expect(KdfParamsSchema.parse(INTERACTIVE_KDF_PARAMS)).toEqual(INTERACTIVE_KDF_PARAMS);
  });

  test.each([
    ['opslimit below INTERACTIVE', { opslimit: 1 }],
    ['memlimit below INTERACTIVE', { memlimit: 32 * 1024 * 1024 }],
    ['opslimit above the cap', { opslimit: 1000 }],
    ['memlimit above the cap', { memlimit: 8 * 1024 ** 3 }],
    ['another algorithm', { alg: 'argon2i13' }],
    ['a fractional opslimit', { opslimit: 2.5 }],
  ])('rejects %s with KeyError before running Argon2', (_name, change) => {
    const params = { ...INTERACTIVE_KDF_PARAMS, ...change } as typeof INTERACTIVE_KDF_PARAMS;
    expectError(() => deriveAccountKeys(PASSWORD, salt, params), KeyError, 'deriveAccountKeys');
  });

  test('rejects a salt of the wrong length and an empty password', () => {
    const err = expectError(
      () => deriveAccountKeys(PASSWORD, new Uint8Array(SALT_BYTES - 1), INTERACTIVE_KDF_PARAMS),
      KeyError,
      'deriveAccountKeys',
    );
    expect(err.message).toContain('salt must be 16 bytes');
    expectError(() => deriveAccountKeys('', salt, INTERACTIVE_KDF_PARAMS), KeyError, 'deriveAccountKeys');
  });

  test('normalises the password with NFKC (ligature and composed forms derive the same keys)', () => {
    // "ﬁ" (U+FB01) is "fi" under NFKC; the vector file pins the byte-level result too.
    const a = deriveAccountKeys('\uFB01sh', salt, INTERACTIVE_KDF_PARAMS);
    const b = deriveAccountKeys('fish', salt, INTERACTIVE_KDF_PARAMS);
    expect(hex(a.authKey)).toBe(hex(b.authKey));
    expect(hex(a.wrapKey)).toBe(hex(b.wrapKey));
  });

  test('lone surrogates in a password are a FormatError, not a silent replacement', () => {
    expectError(
      () => deriveAccountKeys('pass\uD800', salt, INTERACTIVE_KDF_PARAMS),
      FormatError,
      'deriveAccountKeys',
    );
  });

  test('newSalt gives 16 fresh bytes', () => {
    expect(newSalt()).toHaveLength(SALT_BYTES);
    expect(hex(newSalt())).not.toBe(hex(newSalt()));
  });
});

describe('key blob', () => {
  test('round-trips the identity and has the fixed length', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    expect(blob).toHaveLength(KEY_BLOB_BYTES);
    const back = unwrapKeys(keys.wrapKey, blob, alice.signPk);
    expect(hex(back.signSk)).toBe(hex(alice.signSk));
    expect(hex(back.boxSk)).toBe(hex(alice.boxSk));
    expect(hex(back.boxPk)).toBe(hex(alice.boxPk));
  });

  test('uses a fresh nonce every time', () => {
    expect(hex(wrapKeys(keys.wrapKey, alice))).not.toBe(hex(wrapKeys(keys.wrapKey, alice)));
  });

  test('a wrong password fails to unwrap with DecryptError', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    const wrong = deriveAccountKeys('correct horse battery stapler', salt, INTERACTIVE_KDF_PARAMS);
    expectError(() => unwrapKeys(wrong.wrapKey, blob, alice.signPk), DecryptError, 'unwrapKeys');
    // authKey and wrapKey are separated: authKey does not open the blob either.
    expectError(() => unwrapKeys(keys.authKey, blob, alice.signPk), DecryptError, 'unwrapKeys');
  });

  test('every single tampered byte (nonce, ciphertext, tag) is rejected', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    for (let i = 0; i < blob.length; i++) {
      expectError(
        () => unwrapKeys(keys.wrapKey, flipByte(blob, i), alice.signPk),
        DecryptError,
        'unwrapKeys',
      );
    }
  });

  test('the AD binds the blob to its identity key', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    expectError(() => unwrapKeys(keys.wrapKey, blob, bob.signPk), DecryptError, 'unwrapKeys');
    for (let i = 0; i < 32; i++) {
      expectError(
        () => unwrapKeys(keys.wrapKey, blob, flipByte(alice.signPk, i)),
        DecryptError,
        'unwrapKeys',
      );
    }
  });

  test('a truncated or extended blob is rejected with DecryptError', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    expectError(
      () => unwrapKeys(keys.wrapKey, blob.subarray(0, -1), alice.signPk),
      DecryptError,
      'unwrapKeys',
    );
    expectError(
      () => unwrapKeys(keys.wrapKey, concatBytes(blob, new Uint8Array(1)), alice.signPk),
      DecryptError,
      'unwrapKeys',
    );
  });

  test("a blob that authenticates but holds another identity's signing key is rejected", () => {
    // Only a wrapKey holder can make this: it checks the key-ownership test after decryption.
    const secrets = concatBytes(bob.signSk, bob.boxSk);
    const blob = aeadSeal('test', keys.wrapKey, secrets, encodeFields(TAGS.keyBlob, alice.signPk), undefined);
    expectError(() => unwrapKeys(keys.wrapKey, blob, alice.signPk), KeyError, 'unwrapKeys');
  });

  test('wrong key lengths throw KeyError naming the function', () => {
    const blob = wrapKeys(keys.wrapKey, alice);
    expectError(() => wrapKeys(keys.wrapKey.subarray(1), alice), KeyError, 'wrapKeys');
    expectError(() => wrapKeys(keys.wrapKey, { ...alice, boxSk: new Uint8Array(16) }), KeyError, 'wrapKeys');
    expectError(() => unwrapKeys(new Uint8Array(31), blob, alice.signPk), KeyError, 'unwrapKeys');
    expectError(() => unwrapKeys(keys.wrapKey, blob, alice.signPk.subarray(1)), KeyError, 'unwrapKeys');
  });

  test('the dangerous test nonce must be 24 bytes', () => {
    expectError(
      () => wrapKeys(keys.wrapKey, alice, { dangerousTestOnlyNonce: new Uint8Array(12) }),
      KeyError,
      'wrapKeys',
    );
  });
});

describe('rewrapKeys (password change)', () => {
  test('re-wraps the same private keys under the new wrapKey only', () => {
    const oldBlob = wrapKeys(keys.wrapKey, alice);
    const newWrapKey = _sodium.randombytes_buf(32);
    const newBlob = rewrapKeys(keys.wrapKey, newWrapKey, oldBlob, alice.signPk);
    const back = unwrapKeys(newWrapKey, newBlob, alice.signPk);
    expect(hex(back.signSk)).toBe(hex(alice.signSk));
    expectError(() => unwrapKeys(keys.wrapKey, newBlob, alice.signPk), DecryptError, 'unwrapKeys');
  });

  test('refuses with DecryptError when the old wrapKey is wrong', () => {
    const oldBlob = wrapKeys(keys.wrapKey, alice);
    const err = expectError(
      () => rewrapKeys(_sodium.randombytes_buf(32), _sodium.randombytes_buf(32), oldBlob, alice.signPk),
      DecryptError,
      'rewrapKeys',
    );
    expect(err).toBeInstanceOf(DecryptError);
  });

  test('rejects a new wrapKey of the wrong length', () => {
    const oldBlob = wrapKeys(keys.wrapKey, alice);
    expectError(
      () => rewrapKeys(keys.wrapKey, new Uint8Array(8), oldBlob, alice.signPk),
      KeyError,
      'rewrapKeys',
    );
  });
});
