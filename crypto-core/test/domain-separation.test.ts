// Domain separation: every Parley tag is distinct and versioned, and a signature made under one
// tag never verifies under another, for the same fields (DESIGN §3, byte helpers).
import _sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  encodeFields,
  generateIdentity,
  generateSenderKey,
  type IdentityKeys,
  KDF_CONTEXTS,
  ktHeadBytes,
  MembershipLog,
  makeBundle,
  memberEntryBody,
  openShare,
  ready,
  SignatureError,
  sealShare,
  signKtHead,
  signMemberEntry,
  TAGS,
  u32be,
  u64be,
  utf8,
} from '../src/index';
import { expectError } from './helpers';

const ALL_TAGS = Object.values(TAGS);

let alice: IdentityKeys;
beforeAll(async () => {
  await ready();
  alice = generateIdentity();
});

describe('tags', () => {
  test('are distinct, versioned parley/ strings without NUL', () => {
    expect(new Set(ALL_TAGS).size).toBe(ALL_TAGS.length);
    for (const tag of ALL_TAGS) expect(tag).toMatch(/^parley\/[a-z/]+\/v\d+$/);
  });

  test('no tag is a prefix of another (so no encoding is a prefix-shift of another)', () => {
    for (const a of ALL_TAGS) for (const b of ALL_TAGS) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });

  test('KDF contexts are distinct and exactly 8 bytes, as crypto_kdf requires', () => {
    const contexts = Object.values(KDF_CONTEXTS);
    expect(new Set(contexts).size).toBe(contexts.length);
    for (const c of contexts) expect(utf8(c)).toHaveLength(8);
  });
});

describe('a signature made for one tag fails under every other tag', () => {
  const fieldSets: [string, () => Uint8Array[]][] = [
    ['no fields', () => []],
    ['one key', () => [alice.signPk]],
    ['ids and a keyId', () => [utf8('c-1'), utf8('u-alice'), u32be(1), utf8('m-1')]],
    [
      'membership-entry fields',
      () => [
        utf8('g-1'),
        u32be(0),
        new Uint8Array(32),
        utf8('create'),
        utf8('u-a'),
        utf8('u-a'),
        alice.signPk,
      ],
    ],
  ];
  test.each(fieldSets)('with %s', (_name, fields) => {
    for (const signedTag of ALL_TAGS) {
      const sig = _sodium.crypto_sign_detached(encodeFields(signedTag, ...fields()), alice.signSk);
      for (const otherTag of ALL_TAGS) {
        const ok = _sodium.crypto_sign_verify_detached(
          sig,
          encodeFields(otherTag, ...fields()),
          alice.signPk,
        );
        expect(ok, `${signedTag} signature checked as ${otherTag}`).toBe(signedTag === otherTag);
      }
    }
  });
});

describe('membership tags', () => {
  test('are part of TAGS, so every loop above covers them', () => {
    expect(ALL_TAGS).toContain('parley/member/v1');
    expect(ALL_TAGS).toContain('parley/member/hash/v1');
  });

  test("an entry's hash input never equals its signed body, and a body signature never verifies as a message", () => {
    const log = MembershipLog.empty('g-1');
    const entry = signMemberEntry(log.next('create', 'u-a', 'u-a', alice.signPk), alice.signSk);
    const body = memberEntryBody(entry);
    expect(body.subarray(0, 17)).toEqual(utf8('parley/member/v1\u0000'));
    const hashInput = encodeFields(TAGS.memberHash, body, entry.sig);
    expect(hashInput.subarray(0, body.length)).not.toEqual(body);
    // The same bytes as fields of a message signature: the tag differs, so it does not verify.
    const asMessage = encodeFields(TAGS.msgSig, ...[body]);
    expect(_sodium.crypto_sign_verify_detached(entry.sig, asMessage, alice.signPk)).toBe(false);
    expect(_sodium.crypto_sign_verify_detached(entry.sig, body, alice.signPk)).toBe(true);
  });
});

describe('key-transparency tags', () => {
  test('are part of TAGS, so every loop above covers them', () => {
    for (const tag of [
      'parley/kt/leaf/v1',
      'parley/kt/head/v1',
      'parley/kt/head/hash/v1',
      'parley/kt/logkey/v1',
    ]) {
      expect(ALL_TAGS).toContain(tag);
    }
    // A string prefix would not break encodeFields (the NUL ends the tag), but none is one anyway.
    expect('parley/kt/head/hash/v1'.startsWith('parley/kt/head/v1')).toBe(false);
  });

  test('a head signature never verifies as a leaf, a message or a membership entry', () => {
    const head = signKtHead(
      { epoch: 3, root: new Uint8Array(32).fill(1), prevHash: new Uint8Array(32).fill(2), timeMs: 4 },
      alice.signSk,
    );
    const body = ktHeadBytes(head);
    expect(body.subarray(0, 18)).toEqual(utf8('parley/kt/head/v1\u0000'));
    const fields = [u64be(3), head.root, head.prevHash, u64be(4)];
    for (const tag of [TAGS.ktLeaf, TAGS.ktHeadHash, TAGS.msgSig, TAGS.memberEntry]) {
      expect(_sodium.crypto_sign_verify_detached(head.sig, encodeFields(tag, ...fields), alice.signPk)).toBe(
        false,
      );
    }
    expect(_sodium.crypto_sign_verify_detached(head.sig, body, alice.signPk)).toBe(true);
  });
});

describe('cross-protocol', () => {
  test('an encKeySig is never accepted as a share signature', () => {
    // Even if a relay could build a sealed box around an encKeySig, the share check rejects it.
    const bob = generateIdentity();
    const encKeySig = makeBundle(alice).encKeySig;
    const key = generateSenderKey();
    const sealed = _sodium.crypto_box_seal(new Uint8Array([...encKeySig, ...key]), bob.boxPk);
    expectError(
      () =>
        openShare({
          channelId: 'c',
          senderId: 'u-alice',
          keyId: 1,
          recipientId: 'u-bob',
          sealed,
          senderIdentityPk: alice.signPk,
          recipientEncPk: bob.boxPk,
          recipientEncSk: bob.boxSk,
        }),
      SignatureError,
      'openShare',
    );
    // And a genuine share for the same context still opens.
    const good = sealShare({
      channelId: 'c',
      senderId: 'u-alice',
      keyId: 1,
      recipientId: 'u-bob',
      key,
      senderSignSk: alice.signSk,
      recipientEncPk: bob.boxPk,
    });
    expect(
      openShare({
        channelId: 'c',
        senderId: 'u-alice',
        keyId: 1,
        recipientId: 'u-bob',
        sealed: good,
        senderIdentityPk: alice.signPk,
        recipientEncPk: bob.boxPk,
        recipientEncSk: bob.boxSk,
      }),
    ).toEqual(key);
  });
});
