// Sender-key shares: sealed to one recipient, signed by the sender, bound to channel, sender,
// keyId and recipient (DESIGN §3).
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DecryptError,
  FormatError,
  generateIdentity,
  generateSenderKey,
  type IdentityKeys,
  KeyError,
  type OpenShareInput,
  openShare,
  ready,
  SEALED_SHARE_BYTES,
  type SealShareInput,
  SignatureError,
  sealShare,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

let alice: IdentityKeys;
let bob: IdentityKeys;
let carol: IdentityKeys;
let key: Uint8Array;
let sealInput: SealShareInput;
let sealed: Uint8Array;
let openInput: OpenShareInput;

beforeAll(async () => {
  await ready();
  alice = generateIdentity();
  bob = generateIdentity();
  carol = generateIdentity();
  key = generateSenderKey();
  sealInput = {
    channelId: 'c-1',
    senderId: 'u-alice',
    keyId: 3,
    recipientId: 'u-bob',
    key,
    senderSignSk: alice.signSk,
    recipientEncPk: bob.boxPk,
  };
  sealed = sealShare(sealInput);
  openInput = {
    channelId: 'c-1',
    senderId: 'u-alice',
    keyId: 3,
    recipientId: 'u-bob',
    sealed,
    senderIdentityPk: alice.signPk,
    recipientEncPk: bob.boxPk,
    recipientEncSk: bob.boxSk,
  };
});

describe('sealShare / openShare', () => {
  test('the recipient gets the sender key back', () => {
    expect(sealed).toHaveLength(SEALED_SHARE_BYTES);
    expect(hex(openShare(openInput))).toBe(hex(key));
  });

  test('sealing is randomised (ephemeral key per box)', () => {
    expect(hex(sealShare(sealInput))).not.toBe(hex(sealed));
  });

  test('keyId 0 and 2^32-1 are valid', () => {
    for (const keyId of [0, 0xffffffff]) {
      const s = sealShare({ ...sealInput, keyId });
      expect(hex(openShare({ ...openInput, keyId, sealed: s }))).toBe(hex(key));
    }
  });

  test('a share opened by the wrong recipient fails with DecryptError', () => {
    expectError(
      () => openShare({ ...openInput, recipientEncPk: carol.boxPk, recipientEncSk: carol.boxSk }),
      DecryptError,
      'openShare',
    );
  });

  test('a share for Bob presented to Carol as hers fails: rebuilt with Carol as recipient', () => {
    // The relay re-seals nothing (it cannot), but a share naming another recipient is refused
    // even if Carol holds the box key: here Alice sealed to Carol's key a share naming Bob.
    const misdirected = sealShare({ ...sealInput, recipientEncPk: carol.boxPk });
    expectError(
      () =>
        openShare({
          ...openInput,
          recipientId: 'u-carol',
          sealed: misdirected,
          recipientEncPk: carol.boxPk,
          recipientEncSk: carol.boxSk,
        }),
      SignatureError,
      'openShare',
    );
  });

  test.each([
    ['another channel', { channelId: 'c-2' }],
    ['another sender id', { senderId: 'u-mallory' }],
    ['another keyId', { keyId: 4 }],
    ['another recipient id', { recipientId: 'u-carol' }],
  ])('a share replayed for %s fails with SignatureError', (_name, change) => {
    expectError(() => openShare({ ...openInput, ...change }), SignatureError, 'openShare');
  });

  test("a share checked against another identity key (not the sender's pinned key) fails", () => {
    expectError(
      () => openShare({ ...openInput, senderIdentityPk: carol.signPk }),
      SignatureError,
      'openShare',
    );
  });

  test('a share signed by someone else for the same context fails', () => {
    const forged = sealShare({ ...sealInput, senderSignSk: carol.signSk });
    expectError(() => openShare({ ...openInput, sealed: forged }), SignatureError, 'openShare');
  });

  test('every single tampered byte of the sealed box is rejected', () => {
    for (let i = 0; i < sealed.length; i++) {
      expectError(() => openShare({ ...openInput, sealed: flipByte(sealed, i) }), DecryptError, 'openShare');
    }
  });

  test('a sealed value of the wrong length is rejected with DecryptError', () => {
    expectError(() => openShare({ ...openInput, sealed: sealed.subarray(1) }), DecryptError, 'openShare');
  });

  test.each([-1, 1.5, 2 ** 32, Number.NaN])('keyId %s is refused with FormatError', (keyId) => {
    expectError(() => sealShare({ ...sealInput, keyId }), FormatError, 'sealShare');
    expectError(() => openShare({ ...openInput, keyId }), FormatError, 'openShare');
  });

  test('empty ids are refused', () => {
    expectError(() => sealShare({ ...sealInput, channelId: '' }), FormatError, 'sealShare');
    expectError(() => openShare({ ...openInput, recipientId: '' }), FormatError, 'openShare');
  });

  test('inputs of the wrong length throw KeyError naming the function', () => {
    expectError(() => sealShare({ ...sealInput, key: new Uint8Array(16) }), KeyError, 'sealShare');
    expectError(() => sealShare({ ...sealInput, senderSignSk: alice.signPk }), KeyError, 'sealShare');
    expectError(() => sealShare({ ...sealInput, recipientEncPk: new Uint8Array(31) }), KeyError, 'sealShare');
    expectError(() => openShare({ ...openInput, senderIdentityPk: alice.signSk }), KeyError, 'openShare');
    expectError(() => openShare({ ...openInput, recipientEncSk: new Uint8Array(0) }), KeyError, 'openShare');
  });
});
