import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFields, ready } from '@parley/crypto-core';
import { describe, expect, it } from 'vitest';
import { bundleProblem } from './bundle';
import { fakeSalt } from './fake-salt';
import { loadServerSecret } from './secret';
import { checkVerifier, hashVerifier, Verifier } from './verifier';

// The bundle is signed by Node's own Ed25519 (an independent implementation) and checked by crypto-core.
describe('bundleProblem', async () => {
  await ready();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const identityPk = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const { publicKey: x25519 } = generateKeyPairSync('x25519');
  const encPk = Buffer.from(x25519.export({ format: 'jwk' }).x ?? '', 'base64url');
  const signed = (enc: Uint8Array) => ({
    v: 1 as const,
    identityKey: b64(identityPk),
    encKey: b64(enc),
    encKeySig: b64(sign(null, encodeFields('parley/enckey/v1', identityPk, enc), privateKey)),
  });
  const bundle = signed(encPk);

  it('accepts an encryption key signed by the identity key', async () => {
    expect(await bundleProblem(bundle)).toBeNull();
  });

  it('refuses a swapped key, a flipped signature bit, and a signature under another tag', async () => {
    const other = Buffer.from(
      generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x ?? '',
      'base64url',
    );
    expect(await bundleProblem({ ...bundle, encKey: b64(other) })).toMatch(/encKeySig/);
    const flipped = Buffer.from(bundle.encKeySig, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await bundleProblem({ ...bundle, encKeySig: b64(flipped) })).toMatch(/encKeySig/);
    const otherTag = sign(null, encodeFields('parley/other/v1', identityPk, encPk), privateKey);
    expect(await bundleProblem({ ...bundle, encKeySig: b64(otherTag) })).toMatch(/encKeySig/);
  });

  it('refuses a validly signed small-order encryption key, which nobody could seal to', async () => {
    expect(await bundleProblem(signed(new Uint8Array(32)))).toMatch(/encKey/);
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(await bundleProblem(signed(one))).toMatch(/encKey/);
  });
});

describe('scrypt verifier', () => {
  const params = { N: 1024, r: 8, p: 1 };

  it('accepts the right secret and refuses another', async () => {
    const secret = randomBytes(32);
    const verifier = await hashVerifier(secret, params);
    expect(verifier.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await checkVerifier(verifier, secret)).toBe(true);
    expect(await checkVerifier(verifier, randomBytes(32))).toBe(false);
  });

  it('salts every verifier', async () => {
    const secret = randomBytes(32);
    expect(await hashVerifier(secret, params)).not.toBe(await hashVerifier(secret, params));
  });

  it('verifies with the cost stored in the verifier, not the current one', async () => {
    const secret = randomBytes(32);
    const old = await hashVerifier(secret, { N: 2048, r: 8, p: 1 });
    expect(await new Verifier(10).check(old, secret)).toBe(true);
  });

  it('does the slow hash for a missing verifier and says no', async () => {
    expect(await new Verifier(10).check(null, randomBytes(32))).toBe(false);
  });
});

describe('fakeSalt', () => {
  it('is 16 bytes, stable per username and secret, different across both', () => {
    const secret = randomBytes(32);
    const a = fakeSalt(secret, 'alice');
    expect(a).toHaveLength(16);
    expect(fakeSalt(secret, 'alice')).toEqual(a);
    expect(fakeSalt(secret, 'bob')).not.toEqual(a);
    expect(fakeSalt(randomBytes(32), 'alice')).not.toEqual(a);
  });
});

describe('loadServerSecret', () => {
  it('uses SERVER_SECRET when given', async () => {
    const secret = await loadServerSecret('x'.repeat(40), '/nonexistent');
    expect(Buffer.from(secret).toString()).toBe('x'.repeat(40));
  });

  it('generates a secret once, keeps it private in the data dir, and reuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secret-'));
    try {
      const first = await loadServerSecret(null, join(dir, 'data'));
      expect(first).toHaveLength(32);
      const file = join(dir, 'data', 'server-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(Buffer.from(first).toString('base64url'));
      expect(await loadServerSecret(null, join(dir, 'data'))).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
