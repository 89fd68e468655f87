// Key-transparency heads (DESIGN §7.5): the signed bytes, the signature under the log key, the
// hash that chains epochs, the chain rule with and without a head to follow, the exact error for
// every tampered field, the wire form and the log key's fingerprint.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  encodeFields,
  FormatError,
  generateIdentity,
  type IdentityKeys,
  KeyError,
  KT_GENESIS_PREV,
  KtChainError,
  type KtHead,
  type KtHeadFields,
  ktHeadBytes,
  ktHeadFromWire,
  ktHeadHash,
  ktHeadToWire,
  ktLogKeyFingerprint,
  ready,
  SignatureError,
  signKtHead,
  TAGS,
  u64be,
  verifyKtChain,
  verifyKtHead,
  WireKtHeadSchema,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

let log: IdentityKeys;
let other: IdentityKeys;
let chain: KtHead[];

beforeAll(async () => {
  await ready();
  log = generateIdentity();
  other = generateIdentity();
  chain = [];
  for (let epoch = 0; epoch < 5; epoch++) {
    const prev = chain.at(-1);
    const root = _sodium.randombytes_buf(32);
    chain.push(
      signKtHead(
        {
          epoch,
          root,
          prevHash: prev ? ktHeadHash(prev) : KT_GENESIS_PREV,
          timeMs: 1_700_000_000_000 + epoch,
        },
        log.signSk,
      ),
    );
  }
});

const at = (i: number) => chain[i] as KtHead;
const hashOf = (h: KtHead) => ({ epoch: h.epoch, hash: ktHeadHash(h) });
/** A head over `fields` signed by `signer` without any check, for heads signKtHead would refuse. */
const signed = (fields: KtHeadFields, signer = log): KtHead => ({
  ...fields,
  sig: _sodium.crypto_sign_detached(ktHeadBytes(fields), signer.signSk),
});

describe('head bytes, signature and hash', () => {
  test('bytes = encodeFields("parley/kt/head/v1", u64be(epoch), root, prevHash, u64be(timeMs))', () => {
    const h = at(2);
    expect(hex(ktHeadBytes(h))).toBe(
      hex(encodeFields(TAGS.ktHead, u64be(h.epoch), h.root, h.prevHash, u64be(h.timeMs))),
    );
  });

  test('hash = BLAKE2b-256(encodeFields("parley/kt/head/hash/v1", bytes, sig)), and chains the epochs', () => {
    const h = at(1);
    const want = _sodium.crypto_generichash(32, encodeFields(TAGS.ktHeadHash, ktHeadBytes(h), h.sig), null);
    expect(hex(ktHeadHash(h))).toBe(hex(want));
    expect(hex(at(2).prevHash)).toBe(hex(want));
    expect(hex(at(0).prevHash)).toBe('00'.repeat(32));
  });

  test('a head verifies under the log key, and under no other', () => {
    for (const h of chain) verifyKtHead(h, log.signPk);
    expectError(() => verifyKtHead(at(1), other.signPk), SignatureError, 'verifyKtHead');
  });

  test.each<[string, (h: KtHead) => KtHead, typeof KtChainError | typeof SignatureError]>([
    ['epoch', (h) => ({ ...h, epoch: h.epoch + 1 }), KtChainError],
    ['root', (h) => ({ ...h, root: flipByte(h.root, 0) }), SignatureError],
    ['prevHash', (h) => ({ ...h, prevHash: flipByte(h.prevHash, 31) }), KtChainError],
    ['timeMs', (h) => ({ ...h, timeMs: h.timeMs + 1 }), SignatureError],
    ['sig (first byte)', (h) => ({ ...h, sig: flipByte(h.sig, 0) }), SignatureError],
    ['sig (last byte)', (h) => ({ ...h, sig: flipByte(h.sig, 63) }), SignatureError],
  ])('a changed %s is a SignatureError, changes the hash, and breaks the chain', (_name, change, inChain) => {
    const tampered = change(at(3));
    expectError(() => verifyKtHead(tampered, log.signPk), SignatureError, 'verifyKtHead');
    expect(hex(ktHeadHash(tampered))).not.toBe(hex(ktHeadHash(at(3))));
    // In a chain after epoch 2, the chain rule fires first where it can; the signature otherwise.
    expectError(() => verifyKtChain([tampered], log.signPk, hashOf(at(2))), inChain, 'verifyKtChain');
  });

  test('malformed fields are refused before any signature check', () => {
    const h = at(1);
    for (const epoch of [-1, 1.5, 2 ** 53])
      expectError(() => ktHeadBytes({ ...h, epoch }), FormatError, 'ktHeadBytes');
    expectError(() => ktHeadBytes({ ...h, timeMs: -1 }), FormatError, 'ktHeadBytes');
    expectError(() => ktHeadBytes({ ...h, root: new Uint8Array(31) }), KeyError, 'ktHeadBytes');
    expectError(() => ktHeadBytes({ ...h, prevHash: new Uint8Array(33) }), KeyError, 'ktHeadBytes');
    expectError(() => verifyKtHead({ ...h, sig: new Uint8Array(63) }, log.signPk), KeyError, 'verifyKtHead');
    expectError(() => verifyKtHead(h, new Uint8Array(32)), KeyError, 'verifyKtHead'); // not a valid point
    expectError(() => ktHeadHash({ ...h, sig: new Uint8Array(0) }), KeyError, 'ktHeadHash');
  });

  test("signKtHead refuses a secret key whose public half is not its seed's", () => {
    const spliced = new Uint8Array([...log.signSk.subarray(0, 32), ...other.signPk]);
    expectError(() => signKtHead(at(0), spliced), KeyError, 'signKtHead');
  });
});

describe('verifyKtChain', () => {
  test('accepts a chain from epoch 0 and returns the hash of its last head', () => {
    expect(hex(verifyKtChain(chain, log.signPk))).toBe(hex(ktHeadHash(at(4))));
  });

  test('accepts a chain that follows a verified head, and an empty one after it', () => {
    expect(hex(verifyKtChain(chain.slice(2), log.signPk, hashOf(at(1))))).toBe(hex(ktHeadHash(at(4))));
    expect(hex(verifyKtChain([], log.signPk, hashOf(at(4))))).toBe(hex(ktHeadHash(at(4))));
  });

  test('without a head to follow, a segment is checked within itself only', () => {
    expect(hex(verifyKtChain(chain.slice(3), log.signPk))).toBe(hex(ktHeadHash(at(4))));
    expectError(() => verifyKtChain([], log.signPk), KtChainError, 'verifyKtChain');
  });

  type After = { epoch: number; hash: Uint8Array } | undefined;
  test.each<[string, () => KtHead[], () => After]>([
    ['a skipped epoch', () => [at(0), at(2)], () => undefined],
    ['a repeated epoch', () => [at(0), at(1), at(1)], () => undefined],
    ['heads out of order', () => [at(0), at(2), at(1)], () => undefined],
    [
      'a prevHash that is not the previous hash (validly signed)',
      () => [at(0), signed({ ...at(1), prevHash: flipByte(at(1).prevHash, 0) })],
      () => undefined,
    ],
    [
      'an epoch 0 whose prevHash is not 32 zero bytes (validly signed)',
      () => [signed({ ...at(0), prevHash: new Uint8Array(32).fill(1) })],
      () => undefined,
    ],
    ['a first head whose epoch does not follow `after`', () => [at(3)], () => hashOf(at(1))],
    [
      'a first head that does not follow `after` (another head of its epoch - 1: a fork)',
      () => [at(2)],
      () => hashOf(signed({ ...at(1), timeMs: 7 })),
    ],
  ])('refuses %s with KtChainError naming the epoch', (_name, heads, after) => {
    const err = expectError(() => verifyKtChain(heads(), log.signPk, after()), KtChainError, 'verifyKtChain');
    expect(err.message).toMatch(/^verifyKtChain: epoch \d+: /);
  });

  test('refuses a head signed by another key, or a chain checked against another key, with SignatureError', () => {
    const forged = signed({ ...at(1) }, other);
    const err = expectError(
      () => verifyKtChain([at(0), forged], log.signPk),
      SignatureError,
      'verifyKtChain',
    );
    expect(err.message).toContain('epoch 1:');
    expectError(() => verifyKtChain(chain, other.signPk), SignatureError, 'verifyKtChain');
  });

  test('refuses malformed input with FormatError or KeyError', () => {
    expectError(() => verifyKtChain('x' as unknown as KtHead[], log.signPk), FormatError, 'verifyKtChain');
    expectError(
      () => verifyKtChain(chain, log.signPk, { epoch: -1, hash: new Uint8Array(32) }),
      FormatError,
      'verifyKtChain',
    );
    expectError(
      () => verifyKtChain(chain, log.signPk, { epoch: 0, hash: new Uint8Array(31) }),
      KeyError,
      'verifyKtChain',
    );
    expectError(
      () => verifyKtChain([{ ...at(0), root: new Uint8Array(1) }], log.signPk),
      KeyError,
      'verifyKtChain',
    );
  });
});

describe('wire form', () => {
  test('round-trips through JSON and is canonical base64url', () => {
    const wire = ktHeadToWire(at(2));
    expect(WireKtHeadSchema.safeParse(wire).success).toBe(true);
    const back = ktHeadFromWire(JSON.parse(JSON.stringify(wire)));
    expect(hex(ktHeadHash(back))).toBe(hex(ktHeadHash(at(2))));
    verifyKtHead(back, log.signPk);
  });

  test.each([
    ['a negative epoch', { epoch: -1 }],
    ['a fractional timeMs', { timeMs: 1.5 }],
    ['a root of 31 bytes', { root: 'A'.repeat(42) }],
    ['a padded sig', { sig: 'x=' }],
    ['no prevHash', { prevHash: undefined }],
  ])('refuses %s with FormatError', (_name, change) => {
    expectError(() => ktHeadFromWire({ ...ktHeadToWire(at(1)), ...change }), FormatError, 'ktHeadFromWire');
  });
});

describe('log-key fingerprint', () => {
  test('is the first 20 bytes of BLAKE2b-256(encodeFields("parley/kt/logkey/v1", logPk)), 10 groups of 4 hex', () => {
    const fp = ktLogKeyFingerprint(log.signPk);
    expect(fp).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){9}$/);
    const digest = _sodium.crypto_generichash(32, encodeFields(TAGS.ktLogKey, log.signPk), null);
    expect(fp.replaceAll(' ', '')).toBe(hex(digest.subarray(0, 20)));
    expect(ktLogKeyFingerprint(other.signPk)).not.toBe(fp);
    expectError(() => ktLogKeyFingerprint(new Uint8Array(31)), KeyError, 'ktLogKeyFingerprint');
  });
});
