// Message envelopes: AEAD under the sender key, bound to channel/sender/keyId/clientMsgId,
// signed by the sender inside (DESIGN §3).
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import { aeadSeal } from '../src/aead';
import { messageAd } from '../src/envelope';
import {
  concatBytes,
  DecryptError,
  type DecryptMessageInput,
  decryptMessage,
  type EncryptMessageInput,
  encodeFields,
  encryptMessage,
  FormatError,
  generateIdentity,
  generateSenderKey,
  type IdentityKeys,
  KeyError,
  MAX_EMOJI_CHARS,
  MAX_ID_BYTES,
  MAX_MENTIONS,
  MAX_TEXT_CHARS,
  MIN_ENVELOPE_BYTES,
  NONCE_BYTES,
  newClientMsgId,
  type Payload,
  PayloadSchema,
  ready,
  SignatureError,
  TAGS,
  utf8,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

let alice: IdentityKeys;
let bob: IdentityKeys;
let senderKey: Uint8Array;
const ctx = {
  channelId: 'c-1',
  senderId: 'u-alice',
  keyId: 9,
  clientMsgId: '0c6f7b5e-5a8e-4a53-9f7c-1f9d2f6f4b10',
};
const text: Payload = { v: 1, kind: 'text', sentAt: 1_700_000_000_000, text: 'hi bob' };
let enc: EncryptMessageInput;
let dec: Omit<DecryptMessageInput, 'ciphertext'>;

beforeAll(async () => {
  await ready();
  alice = generateIdentity();
  bob = generateIdentity();
  senderKey = generateSenderKey();
  enc = { ...ctx, senderKey, senderSignSk: alice.signSk, payload: text };
  dec = { ...ctx, senderKey, senderIdentityPk: alice.signPk };
});

describe('encryptMessage / decryptMessage', () => {
  test.each<Payload>([
    { v: 1, kind: 'text', sentAt: 1, text: 'hello 👋' },
    { v: 1, kind: 'text', sentAt: 2, text: '', replyTo: 'm-1' },
    { v: 1, kind: 'edit', sentAt: 3, target: 'm-1', text: 'hello!' },
    { v: 1, kind: 'delete', sentAt: 4, target: 'm-1' },
    { v: 1, kind: 'reaction', sentAt: 5, target: 'm-1', emoji: '👍🏽', on: true },
    { v: 1, kind: 'text', sentAt: 6, text: 'hi @bob', mentions: ['u-bob'] },
    { v: 1, kind: 'edit', sentAt: 7, target: 'm-1', text: 'hi @carol', mentions: ['u-carol'] },
  ])('round-trips a $kind payload', (payload) => {
    const ciphertext = encryptMessage({ ...enc, payload });
    expect(decryptMessage({ ...dec, ciphertext })).toEqual(payload);
  });

  test('uses a fresh random nonce per message', () => {
    const a = encryptMessage(enc);
    const b = encryptMessage(enc);
    expect(hex(a.subarray(0, NONCE_BYTES))).not.toBe(hex(b.subarray(0, NONCE_BYTES)));
    expect(hex(a)).not.toBe(hex(b));
  });

  test('every single tampered byte of nonce, ciphertext and tag is rejected with DecryptError', () => {
    const ciphertext = encryptMessage(enc);
    expect(ciphertext.length).toBeGreaterThan(MIN_ENVELOPE_BYTES);
    for (let i = 0; i < ciphertext.length; i++) {
      expectError(
        () => decryptMessage({ ...dec, ciphertext: flipByte(ciphertext, i) }),
        DecryptError,
        'decryptMessage',
      );
    }
  });

  test.each([
    ['moved to another channel', { channelId: 'c-2' }],
    ['claiming another sender', { senderId: 'u-bob' }],
    ['claiming another keyId', { keyId: 10 }],
    ['claiming another clientMsgId', { clientMsgId: '0c6f7b5e-5a8e-4a53-9f7c-1f9d2f6f4b11' }],
  ])('a message %s is rejected with DecryptError (AD)', (_name, change) => {
    const ciphertext = encryptMessage(enc);
    expectError(() => decryptMessage({ ...dec, ...change, ciphertext }), DecryptError, 'decryptMessage');
  });

  test("a message claiming another sender, checked with that sender's key, is still rejected", () => {
    const ciphertext = encryptMessage(enc);
    expectError(
      () => decryptMessage({ ...dec, senderId: 'u-bob', senderIdentityPk: bob.signPk, ciphertext }),
      DecryptError,
      'decryptMessage',
    );
  });

  test('a channel member who holds the sender key cannot forge a message from the sender', () => {
    // Bob knows Alice's sender key (he is a member) and encrypts as "u-alice" with his own signature.
    const forged = encryptMessage({ ...enc, senderSignSk: bob.signSk });
    expectError(() => decryptMessage({ ...dec, ciphertext: forged }), SignatureError, 'decryptMessage');
  });

  test('a wrong sender key is rejected with DecryptError', () => {
    const ciphertext = encryptMessage(enc);
    expectError(
      () => decryptMessage({ ...dec, senderKey: generateSenderKey(), ciphertext }),
      DecryptError,
      'decryptMessage',
    );
  });

  test('truncated ciphertexts are rejected with DecryptError', () => {
    const ciphertext = encryptMessage(enc);
    for (const n of [0, NONCE_BYTES, MIN_ENVELOPE_BYTES - 1, ciphertext.length - 1]) {
      expectError(
        () => decryptMessage({ ...dec, ciphertext: ciphertext.subarray(0, n) }),
        DecryptError,
        'decryptMessage',
      );
    }
  });

  test('inputs of the wrong length throw KeyError naming the function', () => {
    expectError(() => encryptMessage({ ...enc, senderKey: new Uint8Array(16) }), KeyError, 'encryptMessage');
    expectError(() => encryptMessage({ ...enc, senderSignSk: alice.signPk }), KeyError, 'encryptMessage');
    expectError(
      () => encryptMessage({ ...enc, dangerousTestOnlyNonce: new Uint8Array(12) }),
      KeyError,
      'encryptMessage',
    );
    const ciphertext = encryptMessage(enc);
    expectError(
      () => decryptMessage({ ...dec, senderIdentityPk: bob.signSk, ciphertext }),
      KeyError,
      'decryptMessage',
    );
    expectError(
      () => decryptMessage({ ...dec, senderKey: new Uint8Array(33), ciphertext }),
      KeyError,
      'decryptMessage',
    );
  });

  test.each([-1, 2 ** 32, 0.5])('keyId %s is refused with FormatError', (keyId) => {
    expectError(() => encryptMessage({ ...enc, keyId }), FormatError, 'encryptMessage');
  });
});

describe('payload validation', () => {
  test('encryptMessage refuses payloads the schema rejects', () => {
    const bad = [
      { v: 1, kind: 'text', sentAt: 1, text: 'x'.repeat(MAX_TEXT_CHARS + 1) },
      { v: 1, kind: 'poll', sentAt: 1 },
      { v: 2, kind: 'text', sentAt: 1, text: 'hi' },
      { v: 1, kind: 'text', sentAt: -1, text: 'hi' },
      { v: 1, kind: 'edit', sentAt: 1, text: 'no target' },
      { v: 1, kind: 'reaction', sentAt: 1, target: 'm-1', emoji: '👍' },
      { v: 1, kind: 'reaction', sentAt: 1, target: 'm-1', emoji: '', on: true },
      { v: 1, kind: 'reaction', sentAt: 1, target: 'm-1', emoji: 'x'.repeat(MAX_EMOJI_CHARS + 1), on: true },
      { v: 1, kind: 'text', sentAt: 1, text: 'hi', mentions: Array(MAX_MENTIONS + 1).fill('u') },
      { v: 1, kind: 'text', sentAt: 1, text: 'hi', mentions: [''] },
    ];
    for (const payload of bad) {
      expectError(
        () => encryptMessage({ ...enc, payload: payload as Payload }),
        FormatError,
        'encryptMessage',
      );
    }
  });

  test('accepts the maximum text length', () => {
    const payload: Payload = { v: 1, kind: 'text', sentAt: 1, text: 'é'.repeat(MAX_TEXT_CHARS) };
    expect(decryptMessage({ ...dec, ciphertext: encryptMessage({ ...enc, payload }) })).toEqual(payload);
  });

  test('drops unknown fields, so later versions can add some', () => {
    const payload = { ...text, reactions: ['+1'] } as Payload;
    expect(decryptMessage({ ...dec, ciphertext: encryptMessage({ ...enc, payload }) })).toEqual(text);
    expect(PayloadSchema.parse({ ...text, extra: 1 })).toEqual(text);
  });
});

describe('timeline fields (DESIGN §7.3): after, mh and kt', () => {
  // 32 bytes of 0x07 (0x09) in base64url (literals: the cases are built before libsodium loads).
  const mh = { index: 4, hash: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc' };
  const kt = { epoch: 12, hash: 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk' };
  const withTimeline: Payload[] = [
    { v: 1, kind: 'text', sentAt: 1, text: 'hi', after: 'm-0', mh, kt },
    { v: 1, kind: 'edit', sentAt: 2, target: 'm-1', text: 'hi!', after: 'm-1', kt },
    { v: 1, kind: 'delete', sentAt: 3, target: 'm-1', mh },
  ];

  test.each(withTimeline)('round-trip on a $kind payload', (payload) => {
    expect(decryptMessage({ ...dec, ciphertext: encryptMessage({ ...enc, payload }) })).toEqual(payload);
  });

  test('are optional: a payload without them is unchanged', () => {
    expect(decryptMessage({ ...dec, ciphertext: encryptMessage(enc) })).toEqual(text);
  });

  /**
   * A channel member holds the sender key but not the sender's signing key: it can re-encrypt the
   * payload with another `after` or `mh`, but only with the original signature.
   */
  function reencrypted(original: Payload, changed: Payload): Uint8Array {
    const ad = messageAd('test', ctx);
    const sig = _sodium.crypto_sign_detached(
      encodeFields(TAGS.msgSig, ad, utf8(JSON.stringify(original))),
      alice.signSk,
    );
    return aeadSeal('test', senderKey, concatBytes(sig, utf8(JSON.stringify(changed))), ad, undefined);
  }

  test.each<[string, Partial<Payload>]>([
    ['after changed', { after: 'm-9' }],
    ['after removed (hiding a message)', { after: undefined }],
    ['mh.index changed', { mh: { ...mh, index: 5 } }],
    ['mh.hash changed', { mh: { ...mh, hash: 'CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg' } }],
    ['mh removed', { mh: undefined }],
    ['kt.epoch changed', { kt: { ...kt, epoch: 11 } }],
    ['kt.hash changed', { kt: { ...kt, hash: mh.hash } }],
    ['kt removed (hiding the head the sender saw)', { kt: undefined }],
  ])('are covered by the signature: %s is a SignatureError', (_name, change) => {
    const original = withTimeline[0] as Payload;
    const changed = JSON.parse(JSON.stringify({ ...original, ...change })) as Payload;
    // The untampered re-encryption opens, so the failure below is the signature's.
    expect(decryptMessage({ ...dec, ciphertext: reencrypted(original, original) })).toEqual(original);
    expectError(
      () => decryptMessage({ ...dec, ciphertext: reencrypted(original, changed) }),
      SignatureError,
      'decryptMessage',
    );
  });

  test.each([
    ['after empty', { after: '' }],
    ['after too long', { after: 'x'.repeat(MAX_ID_BYTES + 1) }],
    ['after not a string', { after: 7 }],
    ['mh.index negative', { mh: { ...mh, index: -1 } }],
    ['mh.index above u32', { mh: { ...mh, index: 2 ** 32 } }],
    ['mh.index fractional', { mh: { ...mh, index: 1.5 } }],
    ['mh.hash of 31 bytes', { mh: { ...mh, hash: 'A'.repeat(42) } }],
    ['mh.hash padded', { mh: { ...mh, hash: `${mh.hash}=` } }],
    ['mh.hash non-canonical (stray low bits)', { mh: { ...mh, hash: `${mh.hash.slice(0, -1)}D` } }],
    ['mh without hash', { mh: { index: 1 } }],
    ['kt.epoch negative', { kt: { ...kt, epoch: -1 } }],
    ['kt.epoch fractional', { kt: { ...kt, epoch: 1.5 } }],
    ['kt.epoch above 2^53 - 1', { kt: { ...kt, epoch: 2 ** 53 } }],
    ['kt.hash of 31 bytes', { kt: { ...kt, hash: 'A'.repeat(42) } }],
    ['kt.hash non-canonical (stray low bits)', { kt: { ...kt, hash: `${kt.hash.slice(0, -1)}l` } }],
    ['kt as a bare hash (without epoch)', { kt: kt.hash }],
    ['kt without epoch', { kt: { hash: kt.hash } }],
  ])('are validated: %s is refused with FormatError', (_name, change) => {
    const payload = { ...text, ...change } as Payload;
    expectError(() => encryptMessage({ ...enc, payload }), FormatError, 'encryptMessage');
    expect(PayloadSchema.safeParse(payload).success).toBe(false);
  });
});

describe('newClientMsgId', () => {
  test('is a random UUID v4', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newClientMsgId()));
    expect(ids.size).toBe(1000);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
