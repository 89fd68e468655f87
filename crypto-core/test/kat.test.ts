// Known-answer tests of the libsodium primitives Parley ships, against published vectors
// (RFC 8032, RFC 7748, draft-irtf-cfrg-xchacha, libsodium's own Argon2id tests). See each file's
// `source` for provenance.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import { aeadOpen, aeadSeal } from '../src/aead';
import {
  AEAD_TAG_BYTES,
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  concatBytes,
  DecryptError,
  fromUtf8,
  KEY_BYTES,
  NONCE_BYTES,
  ready,
  SALT_BYTES,
  SEAL_OVERHEAD_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGN_SEED_BYTES,
  SIGNATURE_BYTES,
} from '../src/index';
import { expectError, hex, unhex } from './helpers';
import argon2id from './vectors/libsodium-argon2id.json';
import x25519 from './vectors/rfc7748-x25519.json';
import ed25519 from './vectors/rfc8032-ed25519.json';
import xchacha from './vectors/xchacha20poly1305.json';

beforeAll(ready);

describe('vector files', () => {
  test.each([
    ['rfc8032-ed25519', ed25519],
    ['rfc7748-x25519', x25519],
    ['xchacha20poly1305', xchacha],
    ['libsodium-argon2id', argon2id],
  ])('%s has a source and both valid and invalid cases', (_name, file) => {
    expect(file.source.length).toBeGreaterThan(40);
    expect(file.valid.length).toBeGreaterThan(0);
    expect(file.invalid.length).toBeGreaterThan(0);
  });
});

describe('RFC 8032 Ed25519', () => {
  test.each(ed25519.valid)('$name: derives the public key and reproduces the signature', (v) => {
    const kp = _sodium.crypto_sign_seed_keypair(unhex(v.secretKey));
    expect(hex(kp.publicKey)).toBe(v.publicKey);
    expect(hex(_sodium.crypto_sign_detached(unhex(v.message), kp.privateKey))).toBe(v.signature);
    expect(
      _sodium.crypto_sign_verify_detached(unhex(v.signature), unhex(v.message), unhex(v.publicKey)),
    ).toBe(true);
  });

  test.each(ed25519.invalid)('$name: does not verify', (v) => {
    expect(
      _sodium.crypto_sign_verify_detached(unhex(v.signature), unhex(v.message), unhex(v.publicKey)),
    ).toBe(false);
  });
});

describe('RFC 7748 X25519', () => {
  const scalarmult = x25519.valid.filter((v) => v.type === 'scalarmult');
  const iterated = x25519.valid.filter((v) => v.type === 'iterated');
  const dh = x25519.valid.filter((v) => v.type === 'dh');

  test.each(scalarmult)('$name', (v) => {
    expect(hex(_sodium.crypto_scalarmult(unhex(v.scalar ?? ''), unhex(v.u ?? '')))).toBe(v.output);
  });

  test.each(iterated)('$name', (v) => {
    let k: Uint8Array = unhex(`09${'00'.repeat(31)}`);
    let u: Uint8Array = k.slice();
    for (let i = 0; i < (v.iterations ?? 0); i++) {
      const next = _sodium.crypto_scalarmult(k, u);
      u = k;
      k = next;
    }
    expect(hex(k)).toBe(v.output);
  });

  test.each(dh)('$name: both public keys and both directions of the shared secret', (v) => {
    const a = unhex(v.alicePrivate ?? '');
    const b = unhex(v.bobPrivate ?? '');
    expect(hex(_sodium.crypto_scalarmult_base(a))).toBe(v.alicePublic);
    expect(hex(_sodium.crypto_scalarmult_base(b))).toBe(v.bobPublic);
    expect(hex(_sodium.crypto_scalarmult(a, unhex(v.bobPublic ?? '')))).toBe(v.shared);
    expect(hex(_sodium.crypto_scalarmult(b, unhex(v.alicePublic ?? '')))).toBe(v.shared);
  });

  test.each(x25519.invalid)('$name: is refused', (v) => {
    expect(() => _sodium.crypto_scalarmult(unhex(v.scalar), unhex(v.u))).toThrow();
  });
});

describe('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha A.3.1)', () => {
  test.each(xchacha.valid)('$name: libsodium reproduces ciphertext and tag', (v) => {
    expect(fromUtf8(unhex(v.plaintext))).toBe(v.plaintextUtf8);
    const out = _sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      unhex(v.plaintext),
      unhex(v.ad),
      null,
      unhex(v.nonce),
      unhex(v.key),
    );
    expect(hex(out)).toBe(v.ciphertext + v.tag);
  });

  test.each(xchacha.valid)("$name: Parley's nonce-prefixed box is nonce || ciphertext || tag", (v) => {
    const box = aeadSeal('kat', unhex(v.key), unhex(v.plaintext), unhex(v.ad), unhex(v.nonce));
    expect(hex(box)).toBe(v.nonce + v.ciphertext + v.tag);
    expect(hex(aeadOpen('kat', unhex(v.key), box, unhex(v.ad)))).toBe(v.plaintext);
  });

  test.each(xchacha.invalid)('$name: fails with DecryptError', (v) => {
    const box = concatBytes(unhex(v.nonce), unhex(v.ciphertext), unhex(v.tag));
    expectError(() => aeadOpen('kat', unhex(v.key), box, unhex(v.ad)), DecryptError, 'kat');
  });
});

describe("Argon2id (libsodium's test vectors)", () => {
  const pwhash = argon2id.valid.filter((v) => v.type === 'pwhash');
  const strVerify = argon2id.valid.filter((v) => v.type === 'str_verify');

  test.each(pwhash)('$name: crypto_pwhash reproduces the published output', (v) => {
    const out = _sodium.crypto_pwhash(
      v.outlen ?? 0,
      unhex(v.password),
      unhex(v.salt ?? ''),
      v.opslimit ?? 0,
      v.memlimit ?? 0,
      _sodium.crypto_pwhash_ALG_ARGON2ID13,
    );
    expect(hex(out)).toBe(v.output);
  });

  test.each(strVerify)('$name: crypto_pwhash_str_verify accepts', (v) => {
    expect(_sodium.crypto_pwhash_str_verify(v.hash ?? '', v.password)).toBe(true);
  });

  test.each(argon2id.invalid)('$name: is refused', (v) => {
    if (v.type === 'pwhash') {
      expect(() =>
        _sodium.crypto_pwhash(
          v.outlen ?? 0,
          unhex(v.password),
          unhex(v.salt ?? ''),
          v.opslimit ?? 0,
          v.memlimit ?? 0,
          _sodium.crypto_pwhash_ALG_ARGON2ID13,
        ),
      ).toThrow();
    } else {
      expect(_sodium.crypto_pwhash_str_verify(v.hash ?? '', v.password)).toBe(false);
    }
  });
});

describe('named length constants', () => {
  test('match libsodium', () => {
    expect(SIGN_PUBLIC_KEY_BYTES).toBe(_sodium.crypto_sign_PUBLICKEYBYTES);
    expect(SIGN_SECRET_KEY_BYTES).toBe(_sodium.crypto_sign_SECRETKEYBYTES);
    expect(SIGN_SEED_BYTES).toBe(_sodium.crypto_sign_SEEDBYTES);
    expect(SIGNATURE_BYTES).toBe(_sodium.crypto_sign_BYTES);
    expect(BOX_PUBLIC_KEY_BYTES).toBe(_sodium.crypto_box_PUBLICKEYBYTES);
    expect(BOX_SECRET_KEY_BYTES).toBe(_sodium.crypto_box_SECRETKEYBYTES);
    expect(SEAL_OVERHEAD_BYTES).toBe(_sodium.crypto_box_SEALBYTES);
    expect(KEY_BYTES).toBe(_sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    expect(NONCE_BYTES).toBe(_sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    expect(AEAD_TAG_BYTES).toBe(_sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES);
    expect(SALT_BYTES).toBe(_sodium.crypto_pwhash_SALTBYTES);
  });
});
