// Builds Parley's own format vectors (parley-*.json) from fixed inputs. Shared by
// vectors/generate.ts, which writes the files, and parley-vectors.test.ts, which rebuilds them and
// compares with the committed files byte for byte. Uses the dangerousTestOnly nonce knobs, so it
// only runs under a test runner (generate.ts sets NODE_ENV=test for itself). Every `invalid` entry
// states all of its inputs, so another implementation can run it without this code.
import _sodium from 'libsodium-wrappers-sumo';
import { aeadSeal } from '../src/aead';
import { messageAd } from '../src/envelope';
import {
  bundleToWire,
  type ContactPins,
  concatBytes,
  deriveAccountKeys,
  deriveRecoveryKeys,
  dmChannelId,
  encodeFields,
  encryptMessage,
  fingerprintQrPayload,
  formatRecoveryCode,
  formatSafetyNumber,
  INTERACTIVE_KDF_PARAMS,
  makeBundle,
  numericFingerprint,
  type Payload,
  safetyNumber,
  sealPins,
  TAGS,
  toBase64,
  toHex,
  u32be,
  utf8,
  wrapKeys,
} from '../src/index';
import { pinsKey } from '../src/pins';
import { shareBody } from '../src/sender-keys';
import { ktVectors } from './parley-vectors-kt';
import { membershipHead, membershipVectors } from './parley-vectors-membership';
import { ALICE, BOB, hexBytes, identityOf, seq, sourceFor, type VectorFile } from './vector-fixtures';

export { ALICE, BOB, identityOf, seq, type VectorFile } from './vector-fixtures';

const SOURCE = sourceFor('section 3');
const hex = toHex;

function encodeFieldsVectors(): VectorFile {
  const cases: [string, Uint8Array[]][] = [
    ['parley/example/v1', []],
    ['parley/example/v1', [new Uint8Array(0)]],
    ['parley/example/v1', [utf8('abc')]],
    ['parley/example/v1', [utf8('a'), utf8('bc')]],
    ['parley/example/v1', [utf8('ab'), utf8('c')]],
    ['parley/example/v1', [u32be(7), utf8('é'), new Uint8Array(0), seq(0, 300)]],
    ['parley/msg/ad/v1', [utf8('c-1'), utf8('u-alice'), u32be(1), utf8('m-1')]],
  ];
  return {
    source: SOURCE,
    valid: cases.map(([tag, fields]) => ({
      tag,
      fields: fields.map(hex),
      output: hex(encodeFields(tag, ...fields)),
    })),
    invalid: [
      { name: 'tag containing NUL', tag: 'parley\u0000x', fields: [], error: 'FormatError' },
      { name: 'empty tag', tag: '', fields: [], error: 'FormatError' },
    ],
  };
}

/** A bundle for arbitrary public keys, with a signature by `signer` (by default, valid for them). */
function signedWire(identityKey: Uint8Array, encKey: Uint8Array, signSk: Uint8Array) {
  const encKeySig = _sodium.crypto_sign_detached(encodeFields(TAGS.encKey, identityKey, encKey), signSk);
  return {
    v: 1,
    identityKey: toBase64(identityKey),
    encKey: toBase64(encKey),
    encKeySig: toBase64(encKeySig),
  };
}

/** 2^255 - 19 + k, little-endian (the X25519 field prime plus a small k). */
function primePlus(k: number): Uint8Array {
  let n = (1n << 255n) - 19n + BigInt(k);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** Small-order X25519 u-coordinates: libsodium's blocklist (crypto_scalarmult refuses each). */
/** libsodium's blocklist of small-order X25519 u-coordinates: crypto_scalarmult refuses each. */
const SMALL_ORDER_X25519: [string, Uint8Array][] = [
  ['u = 0 (all zero)', new Uint8Array(32)],
  ['u = 1', Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0))],
  [
    'u = 325606250916557431795983626356110631294008115727848805560023387167927233504',
    hexBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
  ],
  [
    'u = 39382357235489614581723060781553021112529911719440698176882885853963445705823',
    hexBytes('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'),
  ],
  ['u = p - 1', primePlus(-1)],
  ['u = p (non-canonical 0)', primePlus(0)],
  ['u = p + 1 (non-canonical 1)', primePlus(1)],
];

/** An Ed25519 point of order 8 (one of the eight small-order encodings). */
const ED25519_ORDER_8 = hexBytes('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

/**
 * R || S with R = [S]B for a canonical S chosen so that k = SHA-512(R || A || M) mod L is a
 * multiple of 8. Under the cofactorless equation [S]B = R + [k]A this verifies for any A of order
 * dividing 8: the forgery a verifier without a small-order check would accept.
 */
function smallOrderForgery(smallOrderPk: Uint8Array, message: Uint8Array): Uint8Array {
  for (let i = 0; i < 256; i++) {
    const S = _sodium.crypto_core_ed25519_scalar_reduce(seq(i, 64));
    const R = _sodium.crypto_scalarmult_ed25519_base_noclamp(S);
    const k = _sodium.crypto_core_ed25519_scalar_reduce(
      _sodium.crypto_hash_sha512(concatBytes(R, smallOrderPk, message)),
    );
    if (((k[0] ?? 1) & 7) === 0) return concatBytes(R, S);
  }
  throw new Error('smallOrderForgery: no S found');
}

/**
 * Alice's identity key plus a point of order 8 (a mixed-order key), with an encryption key whose
 * encKeySig, made with Alice's seed, libsodium's verify accepts (k = 0 mod 8 kills the torsion).
 */
function mixedOrderBundle() {
  const alice = identityOf(ALICE);
  const mixed = _sodium.crypto_core_ed25519_add(alice.signPk, ED25519_ORDER_8);
  const signSk = concatBytes(ALICE.signSeed, mixed);
  for (let i = 0; i < 64; i++) {
    const encKey = _sodium.crypto_scalarmult_base(seq(0x80 + i));
    const message = encodeFields(TAGS.encKey, mixed, encKey);
    const sig = _sodium.crypto_sign_detached(message, signSk);
    if (_sodium.crypto_sign_verify_detached(sig, message, mixed)) {
      return { v: 1, identityKey: toBase64(mixed), encKey: toBase64(encKey), encKeySig: toBase64(sig) };
    }
  }
  throw new Error('mixedOrderBundle: no encKey found');
}

function bundleVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const bob = identityOf(BOB);
  const bundle = makeBundle(alice);
  const bobBundle = makeBundle(bob);
  const wire = bundleToWire(bundle);
  const topBit = alice.boxPk.slice();
  topBit[31] = (topBit[31] ?? 0) | 0x80;
  const identityPoint = _sodium.from_hex(`01${'00'.repeat(31)}`);
  const forgedFor = (pk: Uint8Array) => {
    const encKeySig = smallOrderForgery(pk, encodeFields(TAGS.encKey, pk, alice.boxPk));
    return { v: 1, identityKey: toBase64(pk), encKey: toBase64(alice.boxPk), encKeySig: toBase64(encKeySig) };
  };
  const offCurve = _sodium.from_hex(`02${'00'.repeat(31)}`);
  return {
    source: SOURCE,
    valid: [
      {
        name: 'alice',
        signSeed: hex(ALICE.signSeed),
        boxSk: hex(ALICE.boxSk),
        identityKey: hex(bundle.identityKey),
        encKey: hex(bundle.encKey),
        signedBytes: hex(encodeFields(TAGS.encKey, bundle.identityKey, bundle.encKey)),
        encKeySig: hex(bundle.encKeySig),
        wire,
      },
    ],
    invalid: [
      {
        name: "Bob's encryption key under Alice's identity key and signature",
        wire: { ...wire, encKey: bundleToWire(bobBundle).encKey },
        error: 'SignatureError',
      },
      {
        name: "Bob's signature on Alice's keys",
        wire: { ...wire, encKeySig: bundleToWire(bobBundle).encKeySig },
        error: 'SignatureError',
      },
      { name: 'padded base64', wire: { ...wire, encKey: `${wire.encKey}=` }, error: 'FormatError' },
      { name: 'unknown version', wire: { ...wire, v: 2 }, error: 'FormatError' },
      ...SMALL_ORDER_X25519.map(([what, encKey]) => ({
        name: `encKey ${what}: small order (libsodium's blocklist), validly signed by Alice`,
        wire: signedWire(alice.signPk, encKey, alice.signSk),
        error: 'KeyError',
      })),
      {
        name: "encKey = Alice's with the top bit set (non-canonical; X25519 ignores the bit), validly signed",
        wire: signedWire(alice.signPk, topBit, alice.signSk),
        error: 'KeyError',
      },
      {
        name: 'encKey = p + 9 (non-canonical spelling of 9), validly signed by Alice',
        wire: signedWire(alice.signPk, primePlus(9), alice.signSk),
        error: 'KeyError',
      },
      {
        name: 'identityKey = the Ed25519 identity point (0100..00), encKeySig = R || S with R = [S]B (verifies cofactorless)',
        wire: forgedFor(identityPoint),
        error: 'KeyError',
      },
      {
        name: 'identityKey = a point of order 8, encKeySig = R || S with R = [S]B and k = 0 mod 8 (verifies cofactorless)',
        wire: forgedFor(ED25519_ORDER_8),
        error: 'KeyError',
      },
      {
        name: "identityKey = Alice's key plus a point of order 8 (not in the prime-order subgroup); libsodium verifies its encKeySig",
        wire: mixedOrderBundle(),
        error: 'KeyError',
      },
      {
        name: "identityKey with y = 2 (0200..00: no curve point has it), signed with Alice's signature",
        wire: { ...wire, identityKey: toBase64(offCurve) },
        error: 'KeyError',
      },
    ],
  };
}

export const ACCOUNT = {
  // U+FB01 (the "fi" ligature) and U+2126 (Ohm sign) change under NFKC: checks normalisation.
  password: 'correct horse \uFB01 battery \u2126',
  salt: seq(0xa0, 16),
  recoveryKey: seq(0xd0),
};

function accountVectors(): VectorFile {
  const keys = deriveAccountKeys(ACCOUNT.password, ACCOUNT.salt, INTERACTIVE_KDF_PARAMS);
  const rk = deriveRecoveryKeys(ACCOUNT.recoveryKey);
  const code = formatRecoveryCode(ACCOUNT.recoveryKey);
  // One character changed (first group, first char): the checksum must catch it.
  const typo = (code[0] === '0' ? '1' : '0') + code.slice(1);
  return {
    source: SOURCE,
    valid: [
      {
        name: 'password derivation (INTERACTIVE params)',
        password: ACCOUNT.password,
        passwordNfkcUtf8: hex(utf8(ACCOUNT.password.normalize('NFKC'))),
        salt: hex(ACCOUNT.salt),
        params: { ...INTERACTIVE_KDF_PARAMS },
        authKey: hex(keys.authKey),
        wrapKey: hex(keys.wrapKey),
      },
      {
        name: 'recovery key',
        recoveryKey: hex(ACCOUNT.recoveryKey),
        code,
        authKey: hex(rk.authKey),
        wrapKey: hex(rk.wrapKey),
      },
    ],
    invalid: [
      { name: 'recovery code with one character changed', code: typo, error: 'FormatError' },
      { name: 'recovery code one character short', code: code.slice(0, -1), error: 'FormatError' },
      {
        name: 'opslimit below INTERACTIVE',
        password: ACCOUNT.password,
        salt: hex(ACCOUNT.salt),
        params: { ...INTERACTIVE_KDF_PARAMS, opslimit: 1 },
        error: 'KeyError',
      },
      {
        name: 'memlimit below INTERACTIVE',
        password: ACCOUNT.password,
        salt: hex(ACCOUNT.salt),
        params: { ...INTERACTIVE_KDF_PARAMS, memlimit: 33_554_432 },
        error: 'KeyError',
      },
      {
        name: 'opslimit above MAX_OPSLIMIT (a relay trying to hang the login)',
        password: ACCOUNT.password,
        salt: hex(ACCOUNT.salt),
        params: { ...INTERACTIVE_KDF_PARAMS, opslimit: 33 },
        error: 'KeyError',
      },
      {
        name: 'salt of 15 bytes',
        password: ACCOUNT.password,
        salt: hex(ACCOUNT.salt.subarray(1)),
        params: { ...INTERACTIVE_KDF_PARAMS },
        error: 'KeyError',
      },
    ],
  };
}

function flipLast(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

export const WRAP = { wrapKey: seq(0x80), nonce: seq(0xb0, 24) };

function keyBlobVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const blob = wrapKeys(WRAP.wrapKey, alice, { dangerousTestOnlyNonce: WRAP.nonce });
  return {
    source: SOURCE,
    valid: [
      {
        name: "alice's keys under a fixed wrapKey",
        signSeed: hex(ALICE.signSeed),
        boxSk: hex(ALICE.boxSk),
        identityPk: hex(alice.signPk),
        signSk: hex(alice.signSk),
        wrapKey: hex(WRAP.wrapKey),
        nonce: hex(WRAP.nonce),
        ad: hex(encodeFields(TAGS.keyBlob, alice.signPk)),
        keyBlob: hex(blob),
      },
    ],
    invalid: [
      {
        name: "opened against Bob's identity key",
        wrapKey: hex(WRAP.wrapKey),
        keyBlob: hex(blob),
        identityPk: hex(identityOf(BOB).signPk),
        error: 'DecryptError',
      },
      {
        name: 'opened with another wrapKey',
        wrapKey: hex(seq(0x81)),
        keyBlob: hex(blob),
        identityPk: hex(alice.signPk),
        error: 'DecryptError',
      },
      {
        name: 'last byte (tag) flipped',
        wrapKey: hex(WRAP.wrapKey),
        keyBlob: hex(flipLast(blob)),
        identityPk: hex(alice.signPk),
        error: 'DecryptError',
      },
      {
        name: 'one byte short',
        wrapKey: hex(WRAP.wrapKey),
        keyBlob: hex(blob.subarray(0, -1)),
        identityPk: hex(alice.signPk),
        error: 'DecryptError',
      },
    ],
  };
}

export const MSG = {
  channelId: 'c-general',
  senderId: ALICE.id,
  keyId: 7,
  senderKey: seq(0xc0),
  nonce: seq(0x10, 24),
};

const PAYLOADS: [string, Payload][] = [
  ['m-0001', { v: 1, kind: 'text', sentAt: 1_700_000_000_000, text: 'Hello, Bob! 👋' }],
  ['m-0002', { v: 1, kind: 'text', sentAt: 1_700_000_001_000, text: 'a reply', replyTo: 'm-0001' }],
  ['m-0003', { v: 1, kind: 'edit', sentAt: 1_700_000_002_000, target: 'm-0001', text: 'Hello, Bob!' }],
  ['m-0004', { v: 1, kind: 'delete', sentAt: 1_700_000_003_000, target: 'm-0002' }],
  ['m-0010', { v: 1, kind: 'text', sentAt: 1_700_000_005_000, text: 'thanks @bob', mentions: [BOB.id] }],
  ['m-0011', { v: 1, kind: 'reaction', sentAt: 1_700_000_006_000, target: 'm-0001', emoji: '👍', on: true }],
];

/** A group message carrying the timeline fields (DESIGN §7.3): after and the membership head. */
function timelinePayload(): [string, Payload, string] {
  const head = membershipHead();
  return [
    'm-0008',
    {
      v: 1,
      kind: 'text',
      sentAt: 1_700_000_004_000,
      text: 'with after and mh',
      after: 'm-0004',
      mh: { index: head.index, hash: toBase64(head.hash) },
    },
    head.channelId,
  ];
}

/** An envelope built by hand, to publish cases `encryptMessage` refuses to produce. */
function rawEnvelope(clientMsgId: string, payloadJson: string, signSk: Uint8Array): Uint8Array {
  const ad = messageAd('vectors', { ...MSG, clientMsgId });
  const payload = utf8(payloadJson);
  const sig = _sodium.crypto_sign_detached(encodeFields(TAGS.msgSig, ad, payload), signSk);
  return aeadSeal('vectors', MSG.senderKey, concatBytes(sig, payload), ad, MSG.nonce);
}

function envelopeVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const bob = identityOf(BOB);
  const cases: [string, Payload, string][] = [
    ...PAYLOADS.map(([id, payload]): [string, Payload, string] => [id, payload, MSG.channelId]),
    timelinePayload(),
  ];
  const valid = cases.map(([clientMsgId, payload, channelId]) => {
    const ctx = { ...MSG, channelId, clientMsgId };
    const ad = messageAd('vectors', ctx);
    const payloadJson = JSON.stringify(payload);
    const signedBytes = encodeFields(TAGS.msgSig, ad, utf8(payloadJson));
    const ciphertext = encryptMessage({
      ...ctx,
      senderSignSk: alice.signSk,
      payload,
      dangerousTestOnlyNonce: MSG.nonce,
    });
    return {
      name: `${payload.kind} ${clientMsgId}`,
      channelId,
      senderId: MSG.senderId,
      keyId: MSG.keyId,
      clientMsgId,
      senderKey: hex(MSG.senderKey),
      senderSignSeed: hex(ALICE.signSeed),
      senderIdentityPk: hex(alice.signPk),
      nonce: hex(MSG.nonce),
      payload,
      payloadJson,
      ad: hex(ad),
      signedBytes: hex(signedBytes),
      signature: hex(_sodium.crypto_sign_detached(signedBytes, alice.signSk)),
      ciphertext: hex(ciphertext),
    };
  });
  const first = valid[0];
  if (!first) throw new Error('no envelope vector');
  /** The full inputs of decryptMessage: the first valid vector with some of them changed. */
  const inputs = (change: Partial<Record<string, string | number>>) => ({
    channelId: first.channelId,
    senderId: first.senderId,
    keyId: first.keyId,
    clientMsgId: first.clientMsgId,
    senderKey: first.senderKey,
    senderIdentityPk: first.senderIdentityPk,
    ciphertext: first.ciphertext,
    ...change,
  });
  const raw = (clientMsgId: string, json: string, signSk: Uint8Array) =>
    inputs({ clientMsgId, ciphertext: hex(rawEnvelope(clientMsgId, json, signSk)) });
  return {
    source: SOURCE,
    valid,
    invalid: [
      { name: 'moved to another channel', ...inputs({ channelId: 'c-other' }), error: 'DecryptError' },
      { name: 'claims another sender', ...inputs({ senderId: BOB.id }), error: 'DecryptError' },
      { name: 'claims another keyId', ...inputs({ keyId: 8 }), error: 'DecryptError' },
      { name: 'claims another clientMsgId', ...inputs({ clientMsgId: 'm-9999' }), error: 'DecryptError' },
      {
        name: "checked against Bob's identity key",
        ...inputs({ senderIdentityPk: hex(bob.signPk) }),
        error: 'SignatureError',
      },
      {
        name: 'encrypted under the sender key but signed by another member (Bob)',
        ...raw('m-0005', '{"v":1,"kind":"text","sentAt":0,"text":"forged"}', bob.signSk),
        error: 'SignatureError',
      },
      {
        name: 'validly signed payload of an unknown kind',
        ...raw('m-0006', '{"v":1,"kind":"poll","sentAt":0}', alice.signSk),
        error: 'FormatError',
      },
      {
        name: 'validly signed payload that is not JSON',
        ...raw('m-0007', 'hello', alice.signSk),
        error: 'FormatError',
      },
      {
        name: 'validly signed payload whose mh.hash is 31 bytes',
        ...raw(
          'm-0009',
          `{"v":1,"kind":"text","sentAt":0,"text":"x","mh":{"index":0,"hash":"${toBase64(seq(0, 31))}"}}`,
          alice.signSk,
        ),
        error: 'FormatError',
      },
      {
        name: 'validly signed payload whose after is empty',
        ...raw('m-0010', '{"v":1,"kind":"delete","sentAt":0,"target":"m-0001","after":""}', alice.signSk),
        error: 'FormatError',
      },
    ],
  };
}

export const SHARE = {
  channelId: 'c-general',
  senderId: ALICE.id,
  keyId: 7,
  recipientId: BOB.id,
  key: seq(0xc0),
  ephemeralSk: seq(0xe0),
};

/**
 * crypto_box_seal with a fixed ephemeral key, rebuilt from its definition (epk || crypto_box(m,
 * nonce = BLAKE2b-192(epk || pk), pk, esk)), so the published sealed value is reproducible.
 */
export function deterministicSeal(message: Uint8Array, recipientPk: Uint8Array, ephemeralSk: Uint8Array) {
  const epk = _sodium.crypto_scalarmult_base(ephemeralSk);
  const nonce = _sodium.crypto_generichash(24, concatBytes(epk, recipientPk), null);
  return concatBytes(epk, _sodium.crypto_box_easy(message, nonce, recipientPk, ephemeralSk));
}

function shareVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const bob = identityOf(BOB);
  const share = shareBody('vectors', SHARE, SHARE.key);
  const signature = _sodium.crypto_sign_detached(share, alice.signSk);
  const sealed = deterministicSeal(concatBytes(signature, SHARE.key), bob.boxPk, SHARE.ephemeralSk);
  /** The full inputs of openShare, as Bob opens the share, with some of them changed. */
  const open = (change: Partial<Record<string, string | number>>) => ({
    channelId: SHARE.channelId,
    senderId: SHARE.senderId,
    keyId: SHARE.keyId,
    recipientId: SHARE.recipientId,
    sealed: hex(sealed),
    senderIdentityPk: hex(alice.signPk),
    recipientEncPk: hex(bob.boxPk),
    recipientEncSk: hex(BOB.boxSk),
    ...change,
  });
  return {
    source: SOURCE,
    valid: [
      {
        name: 'alice shares key 7 of c-general with bob',
        channelId: SHARE.channelId,
        senderId: SHARE.senderId,
        keyId: SHARE.keyId,
        recipientId: SHARE.recipientId,
        key: hex(SHARE.key),
        senderSignSeed: hex(ALICE.signSeed),
        senderIdentityPk: hex(alice.signPk),
        recipientBoxSk: hex(BOB.boxSk),
        recipientEncPk: hex(bob.boxPk),
        shareBytes: hex(share),
        signature: hex(signature),
        ephemeralSkTestOnly: hex(SHARE.ephemeralSk),
        sealed: hex(sealed),
      },
    ],
    invalid: [
      {
        name: 'opened claiming another recipient id',
        ...open({ recipientId: 'u-carol' }),
        error: 'SignatureError',
      },
      { name: 'opened for another channel', ...open({ channelId: 'c-other' }), error: 'SignatureError' },
      { name: 'opened for another keyId', ...open({ keyId: 8 }), error: 'SignatureError' },
      {
        name: 'opened claiming another sender id',
        ...open({ senderId: 'u-carol' }),
        error: 'SignatureError',
      },
      {
        name: "checked against Bob's identity key",
        ...open({ senderIdentityPk: hex(bob.signPk) }),
        error: 'SignatureError',
      },
      {
        name: "opened with Alice's box keys (not addressed to her)",
        ...open({ recipientEncPk: hex(alice.boxPk), recipientEncSk: hex(alice.boxSk) }),
        error: 'DecryptError',
      },
      {
        name: 'last byte (tag area) flipped',
        ...open({ sealed: hex(flipLast(sealed)) }),
        error: 'DecryptError',
      },
    ],
  };
}

function fingerprintVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const bob = identityOf(BOB);
  const sn = safetyNumber(alice.signPk, ALICE.id, bob.signPk, BOB.id);
  return {
    source: SOURCE,
    valid: [
      {
        name: 'alice and bob',
        aliceKey: hex(alice.signPk),
        aliceId: ALICE.id,
        bobKey: hex(bob.signPk),
        bobId: BOB.id,
        iterations: 5200,
        aliceFingerprint: numericFingerprint(alice.signPk, ALICE.id),
        bobFingerprint: numericFingerprint(bob.signPk, BOB.id),
        safetyNumber: sn,
        groups: formatSafetyNumber(sn),
        aliceQr: fingerprintQrPayload(alice.signPk, ALICE.id, bob.signPk, BOB.id),
        bobQr: fingerprintQrPayload(bob.signPk, BOB.id, alice.signPk, ALICE.id),
      },
    ],
    invalid: [],
  };
}

export const PINS_NONCE = seq(0x30, 24);
/** Alice's pins: Bob, verified. */
export function pinsFixture(): ContactPins {
  return {
    v: 1,
    version: 3,
    contacts: {
      [BOB.id]: {
        identityKey: bundleToWire(makeBundle(identityOf(BOB))).identityKey,
        firstSeenAt: 1_700_000_000_000,
        verified: true,
        verifiedAt: 1_700_000_100_000,
      },
    },
  };
}

function pinsVectors(): VectorFile {
  const alice = identityOf(ALICE);
  const pins = pinsFixture();
  const json = JSON.stringify(pins);
  const ad = encodeFields(TAGS.pinsAd, alice.signPk);
  const signedBytes = encodeFields(TAGS.pinsSig, ad, utf8(json));
  const blob = sealPins(pins, alice, { dangerousTestOnlyNonce: PINS_NONCE });
  return {
    source: SOURCE,
    valid: [
      {
        name: "alice's pins",
        signSeed: hex(ALICE.signSeed),
        boxSk: hex(ALICE.boxSk),
        identityPk: hex(alice.signPk),
        pinsKey: hex(pinsKey(alice.boxSk)),
        nonce: hex(PINS_NONCE),
        pins,
        json,
        ad: hex(ad),
        signedBytes: hex(signedBytes),
        signature: hex(_sodium.crypto_sign_detached(signedBytes, alice.signSk)),
        blob: hex(blob),
      },
    ],
    invalid: [
      {
        name: "opened with Bob's keys",
        blob: hex(blob),
        openerSignSeed: hex(BOB.signSeed),
        openerBoxSk: hex(BOB.boxSk),
        error: 'DecryptError',
      },
      {
        name: 'last byte (tag) flipped',
        blob: hex(flipLast(blob)),
        openerSignSeed: hex(ALICE.signSeed),
        openerBoxSk: hex(ALICE.boxSk),
        error: 'DecryptError',
      },
    ],
  };
}

/** Pairs of user ids and their DM channel id (DESIGN §7.2). */
export const DM_PAIRS: [string, string, string][] = [
  [
    "two UUID user ids (the relay's form)",
    '0b6f4a6e-8a2c-4f1e-9d51-6c3f3f0f2a11',
    'f3d1c0de-1234-4abc-8def-0123456789ab',
  ],
  [
    'the same pair given the other way round',
    'f3d1c0de-1234-4abc-8def-0123456789ab',
    '0b6f4a6e-8a2c-4f1e-9d51-6c3f3f0f2a11',
  ],
  ['the vector users', ALICE.id, BOB.id],
  ['upper case sorts before lower case (code units)', 'alice', 'Zed'],
  ['non-ASCII ids are hashed as UTF-8', 'e', 'é'],
  ['UTF-16 code-unit order, not code-point order (U+1F600 sorts before U+FFFF)', '\uffff', '😀'],
];

function dmIdVectors(): VectorFile {
  return {
    source: sourceFor('section 7.2'),
    valid: DM_PAIRS.map(([name, a, b]) => {
      const [x, y] = [a, b].sort();
      const joined = `${x}:${y}`;
      return {
        name,
        a,
        b,
        sorted: [x, y],
        hashInputUtf8: hex(utf8(joined)),
        sha256: hex(_sodium.crypto_hash_sha256(utf8(joined))),
        channelId: dmChannelId(a, b),
      };
    }),
    invalid: [
      { name: 'the same user twice (no DM with oneself)', a: ALICE.id, b: ALICE.id, error: 'FormatError' },
      { name: 'an empty id', a: '', b: BOB.id, error: 'FormatError' },
      {
        name: "an id containing ':' (the join would be ambiguous)",
        a: 'u:alice',
        b: BOB.id,
        error: 'FormatError',
      },
      { name: 'an id of 257 UTF-8 bytes', a: 'a'.repeat(257), b: BOB.id, error: 'FormatError' },
    ],
  };
}

/** Every parley-*.json file, by file name. */
export function buildParleyVectors(): Record<string, VectorFile> {
  return {
    'parley-dm-id.json': dmIdVectors(),
    'parley-membership.json': membershipVectors(),
    'parley-encode-fields.json': encodeFieldsVectors(),
    'parley-bundle.json': bundleVectors(),
    'parley-account.json': accountVectors(),
    'parley-keyblob.json': keyBlobVectors(),
    'parley-envelope.json': envelopeVectors(),
    'parley-share.json': shareVectors(),
    'parley-fingerprint.json': fingerprintVectors(),
    'parley-pins.json': pinsVectors(),
    'parley-kt.json': ktVectors(),
  };
}
