// Contact pins: the user's own encrypted, signed trust record, opaque and unforgeable to the relay.
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import { aeadSeal } from '../src/aead';
import {
  type ContactPin,
  type ContactPins,
  ContactPinsSchema,
  concatBytes,
  DecryptError,
  encodeFields,
  FormatError,
  generateIdentity,
  type IdentityKeys,
  KeyError,
  openPins,
  ready,
  SignatureError,
  sealPins,
  TAGS,
  toBase64,
  utf8,
} from '../src/index';
import { pinsKey } from '../src/pins';
import { expectError, flipByte, hex } from './helpers';

let alice: IdentityKeys;
let bob: IdentityKeys;
let pins: ContactPins;

beforeAll(async () => {
  await ready();
  alice = generateIdentity();
  bob = generateIdentity();
  pins = {
    v: 1,
    version: 1,
    contacts: {
      'u-bob': { identityKey: toBase64(bob.signPk), firstSeenAt: 1, verified: false },
      'u-carol': {
        identityKey: toBase64(generateIdentity().signPk),
        firstSeenAt: 2,
        verified: true,
        verifiedAt: 3,
      },
    },
  };
});

/** A blob under Alice's pins key and AD, with the signature made by `signer`. */
function craftBlob(json: string, signer: IdentityKeys): Uint8Array {
  const ad = encodeFields(TAGS.pinsAd, alice.signPk);
  const body = utf8(json);
  const sig = _sodium.crypto_sign_detached(encodeFields(TAGS.pinsSig, ad, body), signer.signSk);
  return aeadSeal('test', pinsKey(alice.boxSk), concatBytes(sig, body), ad, undefined);
}

describe('sealPins / openPins', () => {
  test('round-trips the pins', () => {
    expect(openPins(sealPins(pins, alice), alice)).toEqual(pins);
  });

  test('the relay cannot read it: the blob contains no contact id or key in clear', () => {
    const blob = sealPins(pins, alice);
    const asText = _sodium.to_hex(blob);
    expect(asText).not.toContain(hex(utf8('u-bob')));
    expect(asText).not.toContain(hex(bob.signPk));
  });

  test('another user cannot open it', () => {
    expectError(() => openPins(sealPins(pins, alice), bob), DecryptError, 'openPins');
  });

  test('every single tampered byte is rejected', () => {
    const blob = sealPins(pins, alice);
    for (let i = 0; i < blob.length; i++) {
      expectError(() => openPins(flipByte(blob, i), alice), DecryptError, 'openPins');
    }
  });

  test('a blob under the right key but not signed by the identity key is rejected', () => {
    const forged = craftBlob(JSON.stringify(pins), bob);
    expectError(() => openPins(forged, alice), SignatureError, 'openPins');
  });

  test('a signed blob with invalid content is a FormatError', () => {
    expectError(() => openPins(craftBlob('{"v":1}', alice), alice), FormatError, 'openPins');
    expectError(() => openPins(craftBlob('not json', alice), alice), FormatError, 'openPins');
  });

  test('sealPins refuses invalid pins', () => {
    const bad = [
      { ...pins, version: -1 },
      { ...pins, v: 2 },
      { ...pins, contacts: { 'u-x': { identityKey: 'short', firstSeenAt: 1, verified: false } } },
    ];
    for (const p of bad) expectError(() => sealPins(p as ContactPins, alice), FormatError, 'sealPins');
  });

  test('wrong key lengths throw KeyError, short blobs DecryptError', () => {
    expectError(() => sealPins(pins, { ...alice, boxSk: new Uint8Array(1) }), KeyError, 'sealPins');
    expectError(() => openPins(new Uint8Array(10), alice), DecryptError, 'openPins');
  });

  test('key-transparency state (DESIGN §7.5) round-trips, and stays optional', () => {
    const withKt: ContactPins = {
      ...pins,
      contacts: { 'u-bob': { ...(pins.contacts['u-bob'] as ContactPin), ktVersion: 3 } },
      kt: {
        logKey: toBase64(bob.signPk),
        epoch: 41,
        headHash: toBase64(new Uint8Array(32).fill(5)),
        ownVersion: 2,
      },
    };
    expect(openPins(sealPins(withKt, alice), alice)).toEqual(withKt);
    expect(ContactPinsSchema.safeParse(pins).success).toBe(true); // blobs saved before it still parse
  });

  test('sealPins refuses malformed key-transparency state', () => {
    const kt = {
      logKey: toBase64(bob.signPk),
      epoch: 1,
      headHash: toBase64(new Uint8Array(32)),
      ownVersion: 1,
    };
    const bob1 = pins.contacts['u-bob'] as ContactPin;
    const bad = [
      { ...pins, kt: { ...kt, logKey: toBase64(new Uint8Array(31)) } },
      { ...pins, kt: { ...kt, headHash: 'short' } },
      { ...pins, kt: { ...kt, epoch: -1 } },
      { ...pins, kt: { ...kt, ownVersion: 0 } },
      { ...pins, kt: { ...kt, ownVersion: 2 ** 32 } },
      { ...pins, kt: { logKey: kt.logKey, epoch: 1, headHash: kt.headHash } },
      { ...pins, contacts: { 'u-bob': { ...bob1, ktVersion: 0 } } },
      { ...pins, contacts: { 'u-bob': { ...bob1, ktVersion: 1.5 } } },
    ];
    for (const p of bad) expectError(() => sealPins(p as ContactPins, alice), FormatError, 'sealPins');
  });

  test('the pins key depends on the box secret key only, and differs per user', () => {
    expect(hex(pinsKey(alice.boxSk))).toBe(hex(pinsKey(alice.boxSk)));
    expect(hex(pinsKey(alice.boxSk))).not.toBe(hex(pinsKey(bob.boxSk)));
  });
});
