// Typed errors everywhere (README "Errors"): whatever a caller passes, a public function either
// returns or throws a CryptoError subclass whose message starts with its own name, never
// libsodium's untyped `Error` or a TypeError. Each libsodium call that can fail on bad input is
// also made to fail on purpose, to check that its failure is wrapped.
import _sodium from 'libsodium-wrappers-sumo';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  bundleFromWire,
  bundleToWire,
  CryptoError,
  concatBytes,
  constantTimeEqual,
  DecryptError,
  decryptMessage,
  deriveAccountKeys,
  deriveRecoveryKeys,
  dmChannelId,
  encodeFields,
  encryptMessage,
  expectedQrPayload,
  FormatError,
  fingerprintQrPayload,
  formatRecoveryCode,
  formatSafetyNumber,
  fromBase64,
  fromHex,
  generateIdentity,
  generateRecoveryKey,
  generateSenderKey,
  type IdentityKeys,
  INTERACTIVE_KDF_PARAMS,
  identityFromSecretKeys,
  isUsableEncKey,
  isValidIdentityKey,
  KeyError,
  KtMap,
  ktBindingFromWire,
  ktBindingToWire,
  ktDefaultHash,
  ktHeadBytes,
  ktHeadFromWire,
  ktHeadHash,
  ktHeadToWire,
  ktLeafBytes,
  ktLeafNodeHash,
  ktLeafValue,
  ktLogKeyFingerprint,
  ktMapKey,
  ktNodeHash,
  ktProofFromWire,
  ktProofToWire,
  ktVerifyProof,
  MembershipLog,
  makeBundle,
  memberEntryBody,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  newSalt,
  numericFingerprint,
  openPins,
  openShare,
  type Payload,
  parseRecoveryCode,
  ready,
  rewrapKeys,
  SEALED_SHARE_BYTES,
  safetyNumber,
  sealPins,
  sealShare,
  signKtHead,
  signMemberEntry,
  toBase64,
  toHex,
  u32be,
  u64be,
  unwrapKeys,
  utf8,
  verifyBundle,
  verifyKtChain,
  verifyKtHead,
  wipe,
  wrapKeys,
} from '../src/index';
import { expectError } from './helpers';

/** Inputs of the wrong kind: each is put in place of one valid argument or field at a time. */
const BAD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  2 ** 40,
  Number.NaN,
  '',
  'str',
  '\ud800',
  true,
  {},
  [],
  new Uint8Array(0),
  new Uint8Array(31),
  new Uint8Array(33),
  new Uint8Array(65),
  new Uint16Array(32),
];

let alice: IdentityKeys;
let bob: IdentityKeys;
let cases: [string, (...args: unknown[]) => unknown, unknown[]][];

beforeAll(async () => {
  await ready();
  alice = generateIdentity();
  bob = generateIdentity();
  const key = generateSenderKey();
  const wrapKey = generateSenderKey();
  const blob = wrapKeys(wrapKey, alice);
  const share = {
    channelId: 'c',
    senderId: 'u-a',
    keyId: 1,
    recipientId: 'u-b',
  };
  const sealed = sealShare({ ...share, key, senderSignSk: alice.signSk, recipientEncPk: bob.boxPk });
  const payload: Payload = {
    v: 1,
    kind: 'text',
    sentAt: 1,
    text: 'hi',
    after: 'm-0',
    mh: { index: 0, hash: toBase64(new Uint8Array(32)) },
  };
  const msg = { channelId: 'c', senderId: 'u-a', keyId: 1, clientMsgId: 'm-1' };
  const ciphertext = encryptMessage({ ...msg, senderKey: key, senderSignSk: alice.signSk, payload });
  const pins = { v: 1 as const, version: 1, contacts: {} };
  const pinsBlob = sealPins(pins, alice);
  const bundle = makeBundle(alice);
  const log = MembershipLog.empty('g-1');
  const entry = signMemberEntry(log.next('create', 'u-a', 'u-a', alice.signPk), alice.signSk);
  const recovery = generateRecoveryKey();
  const binding = { userId: 'u-a', username: 'alice', version: 1, ...bundle };
  const ktKey = ktMapKey('u-a');
  const map = KtMap.fromEntries([
    [ktKey, ktLeafValue(binding)],
    [ktMapKey('u-b'), generateSenderKey()],
  ]);
  const proof = map.prove(ktKey);
  const writable = map.clone();
  const head = signKtHead(
    { epoch: 0, root: map.root(), prevHash: new Uint8Array(32), timeMs: 1 },
    bob.signSk,
  );
  const head1 = signKtHead({ epoch: 1, root: map.root(), prevHash: ktHeadHash(head), timeMs: 2 }, bob.signSk);
  // Arguments are listed as in a call; an object argument has each of its fields replaced too.
  const as = (f: unknown) => f as (...args: unknown[]) => unknown;
  cases = [
    ['deriveAccountKeys', as(deriveAccountKeys), ['pw', newSalt(), { ...INTERACTIVE_KDF_PARAMS }]],
    ['wrapKeys', as(wrapKeys), [wrapKey, alice]],
    ['unwrapKeys', as(unwrapKeys), [wrapKey, blob, alice.signPk]],
    ['rewrapKeys', as(rewrapKeys), [wrapKey, generateSenderKey(), blob, alice.signPk]],
    ['deriveRecoveryKeys', as(deriveRecoveryKeys), [recovery]],
    ['formatRecoveryCode', as(formatRecoveryCode), [recovery]],
    ['parseRecoveryCode', as(parseRecoveryCode), [formatRecoveryCode(recovery)]],
    ['sealShare', as(sealShare), [{ ...share, key, senderSignSk: alice.signSk, recipientEncPk: bob.boxPk }]],
    [
      'openShare',
      as(openShare),
      [
        {
          ...share,
          sealed,
          senderIdentityPk: alice.signPk,
          recipientEncPk: bob.boxPk,
          recipientEncSk: bob.boxSk,
        },
      ],
    ],
    ['encryptMessage', as(encryptMessage), [{ ...msg, senderKey: key, senderSignSk: alice.signSk, payload }]],
    [
      'decryptMessage',
      as(decryptMessage),
      [{ ...msg, senderKey: key, senderIdentityPk: alice.signPk, ciphertext }],
    ],
    ['sealPins', as(sealPins), [pins, alice]],
    ['openPins', as(openPins), [pinsBlob, alice]],
    ['numericFingerprint', as(numericFingerprint), [alice.signPk, 'u-a', 10]],
    ['safetyNumber', as(safetyNumber), [alice.signPk, 'u-a', bob.signPk, 'u-b']],
    ['fingerprintQrPayload', as(fingerprintQrPayload), [alice.signPk, 'u-a', bob.signPk, 'u-b']],
    ['expectedQrPayload', as(expectedQrPayload), [alice.signPk, 'u-a', bob.signPk, 'u-b']],
    ['formatSafetyNumber', as(formatSafetyNumber), ['1'.repeat(60)]],
    ['identityFromSecretKeys', as(identityFromSecretKeys), [alice.signSk, alice.boxSk]],
    ['makeBundle', as(makeBundle), [alice]],
    ['verifyBundle', as(verifyBundle), [bundle]],
    ['bundleToWire', as(bundleToWire), [bundle]],
    ['bundleFromWire', as(bundleFromWire), [bundleToWire(bundle)]],
    ['memberEntryBody', as(memberEntryBody), [entry]],
    ['signMemberEntry', as(signMemberEntry), [entry, alice.signSk]],
    ['memberEntryHash', as(memberEntryHash), [entry]],
    ['memberEntryToWire', as(memberEntryToWire), [entry]],
    ['memberEntryFromWire', as(memberEntryFromWire), ['g-1', memberEntryToWire(entry)]],
    ['dmChannelId', as(dmChannelId), ['u-a', 'u-b']],
    ['ktLeafBytes', as(ktLeafBytes), [binding]],
    ['ktLeafValue', as(ktLeafValue), [binding]],
    ['ktMapKey', as(ktMapKey), ['u-a']],
    ['ktBindingToWire', as(ktBindingToWire), [binding]],
    ['ktBindingFromWire', as(ktBindingFromWire), [ktBindingToWire(binding)]],
    ['ktLeafNodeHash', as(ktLeafNodeHash), [ktKey, ktKey]],
    ['ktNodeHash', as(ktNodeHash), [ktKey, ktKey]],
    ['ktDefaultHash', as(ktDefaultHash), [3]],
    ['ktVerifyProof', as(ktVerifyProof), [map.root(), ktKey, ktLeafValue(binding), proof]],
    ['ktProofToWire', as(ktProofToWire), [proof]],
    ['ktProofFromWire', as(ktProofFromWire), [ktProofToWire(proof)]],
    ['KtMap.fromEntries', as(KtMap.fromEntries), [[[ktKey, ktKey]]]],
    ['KtMap.get', as(map.get.bind(map)), [ktKey]],
    ['KtMap.set', as(writable.set.bind(writable)), [ktKey, ktKey]],
    ['KtMap.prove', as(map.prove.bind(map)), [ktKey]],
    ['ktHeadBytes', as(ktHeadBytes), [head]],
    ['signKtHead', as(signKtHead), [head, bob.signSk]],
    ['verifyKtHead', as(verifyKtHead), [head, bob.signPk]],
    ['ktHeadHash', as(ktHeadHash), [head]],
    ['verifyKtChain', as(verifyKtChain), [[head, head1], bob.signPk, undefined]],
    ['verifyKtChain', as(verifyKtChain), [[head1], bob.signPk, { epoch: 0, hash: ktHeadHash(head) }]],
    ['ktHeadToWire', as(ktHeadToWire), [head]],
    ['ktHeadFromWire', as(ktHeadFromWire), [ktHeadToWire(head)]],
    ['ktLogKeyFingerprint', as(ktLogKeyFingerprint), [bob.signPk]],
    ['u64be', as(u64be), [1]],
    ['encodeFields', as(encodeFields), ['parley/x/v1', new Uint8Array(1)]],
    ['u32be', as(u32be), [1]],
    ['utf8', as(utf8), ['x']],
    ['fromBase64', as(fromBase64), ['AA']],
    ['fromHex', as(fromHex), ['00']],
    ['toBase64', as(toBase64), [new Uint8Array(1)]],
    ['toHex', as(toHex), [new Uint8Array(1)]],
    ['concatBytes', as(concatBytes), [new Uint8Array(1), new Uint8Array(2)]],
    ['constantTimeEqual', as(constantTimeEqual), [new Uint8Array(1), new Uint8Array(1)]],
    ['wipe', as(wipe), [new Uint8Array(1)]],
  ];
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every variant of `args` with one argument, or one field of an object argument, replaced by a BAD value. */
function* variants(args: unknown[]): Generator<[string, unknown[]]> {
  for (const [i, arg] of args.entries()) {
    for (const bad of BAD) yield [`argument ${i} = ${show(bad)}`, args.map((a, j) => (j === i ? bad : a))];
    if (typeof arg === 'object' && arg !== null && !(arg instanceof Uint8Array)) {
      for (const field of Object.keys(arg)) {
        for (const bad of BAD) {
          const changed = { ...arg, [field]: bad };
          yield [`argument ${i}.${field} = ${show(bad)}`, args.map((a, j) => (j === i ? changed : a))];
        }
      }
    }
  }
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return JSON.stringify(v) ?? String(v);
}

test('every public function throws only CryptoErrors that name it, whatever it is given', () => {
  let checked = 0;
  for (const [name, fn, args] of cases) {
    for (const [what, input] of variants(args)) {
      try {
        fn(...input);
      } catch (e) {
        const where = `${name} with ${what}: ${String(e)}`;
        expect(e, where).toBeInstanceOf(CryptoError);
        expect((e as Error).message.startsWith(`${name}: `), where).toBe(true);
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(1000);
});

test('isUsableEncKey and isValidIdentityKey answer false, never throw, for any input', () => {
  for (const bad of BAD) {
    expect(isUsableEncKey(bad as Uint8Array)).toBe(false);
    expect(isValidIdentityKey(bad as Uint8Array)).toBe(false);
  }
});

describe("libsodium's own failures are wrapped", () => {
  test("sealShare: a weak recipient key is a KeyError, not libsodium's 'invalid usage'", () => {
    const input = {
      channelId: 'c',
      senderId: 'u-a',
      keyId: 1,
      recipientId: 'u-b',
      key: generateSenderKey(),
      senderSignSk: alice.signSk,
    };
    for (const weak of [new Uint8Array(32), Uint8Array.from({ length: 32 }, (_, i) => (i ? 0 : 1))]) {
      expect(() => _sodium.crypto_box_seal(new Uint8Array(1), weak)).toThrow('invalid usage');
      const err = expectError(() => sealShare({ ...input, recipientEncPk: weak }), KeyError, 'sealShare');
      expect(err.message.startsWith('sealShare: recipientEncPk is not a usable X25519 key')).toBe(true);
    }
    vi.spyOn(_sodium, 'crypto_box_seal').mockImplementation(() => {
      throw new Error('invalid usage');
    });
    expectError(() => sealShare({ ...input, recipientEncPk: bob.boxPk }), KeyError, 'sealShare');
  });

  test('openShare: a box whose ephemeral key is small order is a DecryptError', () => {
    const sealed = new Uint8Array(SEALED_SHARE_BYTES); // ephemeral pk = 0: libsodium throws inside
    expectError(
      () =>
        openShare({
          channelId: 'c',
          senderId: 'u-a',
          keyId: 1,
          recipientId: 'u-b',
          sealed,
          senderIdentityPk: alice.signPk,
          recipientEncPk: bob.boxPk,
          recipientEncSk: bob.boxSk,
        }),
      DecryptError,
      'openShare',
    );
  });

  test('deriveAccountKeys: an Argon2id failure (out of memory) is a KeyError', () => {
    vi.spyOn(_sodium, 'crypto_pwhash').mockImplementation(() => {
      throw new Error('internal error');
    });
    expectError(
      () => deriveAccountKeys('pw', newSalt(), INTERACTIVE_KDF_PARAMS),
      KeyError,
      'deriveAccountKeys',
    );
  });

  test('decryptMessage and unwrapKeys: an AEAD failure is a DecryptError', () => {
    vi.spyOn(_sodium, 'crypto_aead_xchacha20poly1305_ietf_decrypt').mockImplementation(() => {
      throw new Error('ciphertext cannot be decrypted using that key');
    });
    const key = generateSenderKey();
    const ctx = { channelId: 'c', senderId: 'u-a', keyId: 1, clientMsgId: 'm' };
    const ciphertext = new Uint8Array(200);
    expectError(
      () => decryptMessage({ ...ctx, senderKey: key, senderIdentityPk: alice.signPk, ciphertext }),
      DecryptError,
      'decryptMessage',
    );
    expectError(() => unwrapKeys(key, new Uint8Array(136), alice.signPk), DecryptError, 'unwrapKeys');
    expectError(() => openPins(new Uint8Array(200), alice), DecryptError, 'openPins');
  });

  test('fromUtf8 and fingerprints: invalid UTF-8 and lone surrogates are FormatErrors naming the caller', () => {
    expectError(() => numericFingerprint(alice.signPk, '\udc00'), FormatError, 'numericFingerprint');
    expectError(() => safetyNumber(alice.signPk, 'a', bob.signPk, '\udc00'), FormatError, 'safetyNumber');
    expectError(
      () => fingerprintQrPayload(alice.signPk, '\udc00', bob.signPk, 'b'),
      FormatError,
      'fingerprintQrPayload',
    );
  });
});
