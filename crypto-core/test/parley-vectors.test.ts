// Parley's own format vectors: every parley-*.json file is rebuilt from its fixed inputs and must
// match the committed file exactly; then each published value is also checked through the public
// API (open, decrypt, verify), and each published invalid case must fail with its error class.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  bundleFromWire,
  decryptMessage,
  deriveAccountKeys,
  deriveRecoveryKeys,
  encodeFields,
  type KdfParams,
  openPins,
  openShare,
  parseRecoveryCode,
  ready,
  unwrapKeys,
} from '../src/index';
import { errorClass, expectError, hex, unhex } from './helpers';
import { BOB, buildParleyVectors, identityOf, type VectorFile } from './parley-vectors';
import account from './vectors/parley-account.json';
import bundle from './vectors/parley-bundle.json';
import encodeFieldsFile from './vectors/parley-encode-fields.json';
import envelope from './vectors/parley-envelope.json';
import fingerprint from './vectors/parley-fingerprint.json';
import keyblob from './vectors/parley-keyblob.json';
import pins from './vectors/parley-pins.json';
import share from './vectors/parley-share.json';

const COMMITTED: Record<string, unknown> = {
  'parley-encode-fields.json': encodeFieldsFile,
  'parley-bundle.json': bundle,
  'parley-account.json': account,
  'parley-keyblob.json': keyblob,
  'parley-envelope.json': envelope,
  'parley-share.json': share,
  'parley-fingerprint.json': fingerprint,
  'parley-pins.json': pins,
};

let built: Record<string, VectorFile>;
beforeAll(async () => {
  await ready();
  built = buildParleyVectors();
});

/** Loose view of an `invalid` entry (their shapes differ per file). */
type Invalid = { name: string; error: string; [k: string]: unknown };
const invalidOf = (file: { invalid: unknown[] }) => file.invalid as Invalid[];

describe('regeneration', () => {
  test('every vector file is built, and nothing else', () => {
    expect(Object.keys(built).sort()).toEqual(Object.keys(COMMITTED).sort());
  });

  test.each(Object.keys(COMMITTED))('%s is reproduced byte for byte', (name) => {
    expect(JSON.stringify(built[name], null, 2)).toBe(JSON.stringify(COMMITTED[name], null, 2));
  });
});

describe('parley-encode-fields.json', () => {
  test.each(encodeFieldsFile.valid)('$tag with $fields.length fields', (v) => {
    expect(hex(encodeFields(v.tag, ...v.fields.map(unhex)))).toBe(v.output);
  });
  test.each(invalidOf(encodeFieldsFile))('$name: $error', (v) => {
    expectError(() => encodeFields(v.tag as string), errorClass(v.error), 'encodeFields');
  });
});

describe('parley-bundle.json', () => {
  test.each(bundle.valid)('$name: the wire bundle parses and verifies', (v) => {
    const b = bundleFromWire(v.wire);
    expect(hex(b.identityKey)).toBe(v.identityKey);
    expect(hex(b.encKey)).toBe(v.encKey);
    expect(_sodium.crypto_sign_verify_detached(unhex(v.encKeySig), unhex(v.signedBytes), b.identityKey)).toBe(
      true,
    );
  });
  test.each(invalidOf(bundle))('$name: $error', (v) => {
    expectError(() => bundleFromWire(v.wire), errorClass(v.error), 'bundleFromWire');
  });
});

describe('parley-account.json', () => {
  const [password, recovery] = account.valid;
  test('recovery: the published code parses to the key and its derived keys', () => {
    expect(hex(parseRecoveryCode(recovery?.code ?? ''))).toBe(recovery?.recoveryKey);
    const keys = deriveRecoveryKeys(unhex(recovery?.recoveryKey ?? ''));
    expect(hex(keys.authKey)).toBe(recovery?.authKey);
    expect(hex(keys.wrapKey)).toBe(recovery?.wrapKey);
  });
  test('password: the NFKC bytes are as published', () => {
    expect(hex(_sodium.from_string((password?.password ?? '').normalize('NFKC')))).toBe(
      password?.passwordNfkcUtf8,
    );
  });
  test.each(invalidOf(account))('$name: $error', (v) => {
    if (typeof v.code === 'string') {
      const code = v.code;
      expectError(() => parseRecoveryCode(code), errorClass(v.error), 'parseRecoveryCode');
    } else {
      const params = v.params as KdfParams;
      expectError(
        () => deriveAccountKeys('pw', new Uint8Array(16), params),
        errorClass(v.error),
        'deriveAccountKeys',
      );
    }
  });
});

describe('parley-keyblob.json', () => {
  const v = keyblob.valid[0];
  test('the published blob unwraps to the published keys', () => {
    const id = unwrapKeys(unhex(v?.wrapKey ?? ''), unhex(v?.keyBlob ?? ''), unhex(v?.identityPk ?? ''));
    expect(hex(id.signSk)).toBe(v?.signSk);
    expect(hex(id.boxSk)).toBe(v?.boxSk);
  });
  test.each(invalidOf(keyblob))('$name: $error', (w) => {
    const wrapKey = unhex((w.wrapKey as string | undefined) ?? v?.wrapKey ?? '');
    const identityPk = unhex((w.identityPk as string | undefined) ?? v?.identityPk ?? '');
    expectError(
      () => unwrapKeys(wrapKey, unhex(v?.keyBlob ?? ''), identityPk),
      errorClass(w.error),
      'unwrapKeys',
    );
  });
});

describe('parley-envelope.json', () => {
  test.each(envelope.valid)('$name: decrypts to the published payload', (v) => {
    const payload = decryptMessage({
      channelId: v.channelId,
      senderId: v.senderId,
      keyId: v.keyId,
      clientMsgId: v.clientMsgId,
      senderKey: unhex(v.senderKey),
      senderIdentityPk: unhex(v.senderIdentityPk),
      ciphertext: unhex(v.ciphertext),
    });
    expect(payload).toEqual(v.payload);
    expect(JSON.stringify(payload)).toBe(v.payloadJson);
    expect(hex(unhex(v.ciphertext).subarray(0, 24))).toBe(v.nonce);
  });
  test.each(invalidOf(envelope))('$name: $error', (w) => {
    const base = envelope.valid.find((v) => v.name === w.base) ?? envelope.valid[0];
    if (!base) throw new Error('no base vector');
    const o = (w.override ?? {}) as Record<string, string | number>;
    const input = {
      channelId: String(o.channelId ?? base.channelId),
      senderId: String(o.senderId ?? base.senderId),
      keyId: Number(o.keyId ?? base.keyId),
      clientMsgId: String(o.clientMsgId ?? w.clientMsgId ?? base.clientMsgId),
      senderKey: unhex(base.senderKey),
      senderIdentityPk: unhex(String(o.senderIdentityPk ?? base.senderIdentityPk)),
      ciphertext: unhex(String(w.ciphertext ?? base.ciphertext)),
    };
    expectError(() => decryptMessage(input), errorClass(w.error), 'decryptMessage');
  });
});

describe('parley-share.json', () => {
  const v = share.valid[0];
  const openInput = (o: Record<string, string | number> = {}) => ({
    channelId: String(o.channelId ?? v?.channelId),
    senderId: String(o.senderId ?? v?.senderId),
    keyId: Number(o.keyId ?? v?.keyId),
    recipientId: String(o.recipientId ?? v?.recipientId),
    sealed: unhex(v?.sealed ?? ''),
    senderIdentityPk: unhex(String(o.senderIdentityPk ?? v?.senderIdentityPk)),
    recipientEncPk: unhex(String(o.recipientEncPk ?? v?.recipientEncPk)),
    recipientEncSk: unhex(String(o.recipientEncSk ?? v?.recipientBoxSk)),
  });
  test('opening the published sealed value gives the key', () => {
    expect(hex(openShare(openInput()))).toBe(v?.key);
  });
  test('the published signature verifies over the published share bytes', () => {
    const ok = _sodium.crypto_sign_verify_detached(
      unhex(v?.signature ?? ''),
      unhex(v?.shareBytes ?? ''),
      unhex(v?.senderIdentityPk ?? ''),
    );
    expect(ok).toBe(true);
    expect(hex(identityOf(BOB).boxPk)).toBe(v?.recipientEncPk);
  });
  test.each(invalidOf(share))('$name: $error', (w) => {
    const o = (w.override ?? {}) as Record<string, string | number>;
    expectError(() => openShare(openInput(o)), errorClass(w.error), 'openShare');
  });
});

describe('parley-pins.json', () => {
  const v = pins.valid[0];
  test('the published blob opens to the published pins', () => {
    const alice = identityOf({ signSeed: unhex(v?.signSeed ?? ''), boxSk: unhex(v?.boxSk ?? '') });
    expect(openPins(unhex(v?.blob ?? ''), alice)).toEqual(v?.pins);
  });
  test.each(invalidOf(pins))('$name: $error', (w) => {
    expectError(() => openPins(unhex(v?.blob ?? ''), identityOf(BOB)), errorClass(w.error), 'openPins');
  });
});
