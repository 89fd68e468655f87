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
  dmChannelId,
  encodeFields,
  fromBase64,
  type KdfParams,
  KtMap,
  type KtProof,
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
  ktVerifyProof,
  type MemberEntry,
  MembershipLog,
  memberEntryBody,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  openPins,
  openShare,
  parseRecoveryCode,
  ready,
  signKtHead,
  signMemberEntry,
  unwrapKeys,
  verifyKtChain,
  verifyKtHead,
} from '../src/index';
import { errorClass, expectError, hex, unhex } from './helpers';
import { ktRootNaive } from './kt-reference';
import { BOB, buildParleyVectors, identityOf, type VectorFile } from './parley-vectors';
import account from './vectors/parley-account.json';
import bundle from './vectors/parley-bundle.json';
import dmId from './vectors/parley-dm-id.json';
import encodeFieldsFile from './vectors/parley-encode-fields.json';
import envelope from './vectors/parley-envelope.json';
import fingerprint from './vectors/parley-fingerprint.json';
import keyblob from './vectors/parley-keyblob.json';
import kt from './vectors/parley-kt.json';
import membership from './vectors/parley-membership.json';
import pins from './vectors/parley-pins.json';
import share from './vectors/parley-share.json';

const COMMITTED: Record<string, unknown> = {
  'parley-dm-id.json': dmId,
  'parley-membership.json': membership,
  'parley-encode-fields.json': encodeFieldsFile,
  'parley-bundle.json': bundle,
  'parley-account.json': account,
  'parley-keyblob.json': keyblob,
  'parley-envelope.json': envelope,
  'parley-share.json': share,
  'parley-fingerprint.json': fingerprint,
  'parley-pins.json': pins,
  'parley-kt.json': kt,
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
  test('the invalid-key vectors are what their names claim', () => {
    type W = { identityKey: string; encKey: string; encKeySig: string };
    const byName = (part: string) => {
      const found = invalidOf(bundle).find((v) => v.name.includes(part));
      if (!found) throw new Error(`no vector ${part}`);
      const w = found.wire as W;
      return { pk: fromBase64(w.identityKey), enc: fromBase64(w.encKey), sig: fromBase64(w.encKeySig) };
    };
    const signed = (v: { pk: Uint8Array; enc: Uint8Array }) => encodeFields('parley/enckey/v1', v.pk, v.enc);
    // Small-order encKeys carry a signature that verifies: only the key check refuses them.
    const weak = byName('u = 0 (all zero)');
    expect(_sodium.crypto_sign_verify_detached(weak.sig, signed(weak), weak.pk)).toBe(true);
    // libsodium itself verifies the mixed-order key's signature: only the subgroup check refuses it.
    const mixed = byName('plus a point of order 8');
    expect(_sodium.crypto_sign_verify_detached(mixed.sig, signed(mixed), mixed.pk)).toBe(true);
    // The small-order identity keys' signatures satisfy the cofactorless equation [S]B = R + [k]A:
    // R = [S]B and [k]A = 0 (A is the identity, or of order 8 with k = 0 mod 8).
    for (const part of ['the Ed25519 identity point', 'a point of order 8,']) {
      const v = byName(part);
      const R = v.sig.subarray(0, 32);
      const S = v.sig.subarray(32);
      expect(hex(_sodium.crypto_scalarmult_ed25519_base_noclamp(S))).toBe(hex(R));
      const k = _sodium.crypto_core_ed25519_scalar_reduce(
        _sodium.crypto_hash_sha512(new Uint8Array([...R, ...v.pk, ...signed(v)])),
      );
      expect((k[0] ?? 1) & 7).toBe(0);
      expect(_sodium.crypto_sign_verify_detached(v.sig, signed(v), v.pk)).toBe(false); // libsodium's own check
    }
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
        () => deriveAccountKeys(String(v.password), unhex(String(v.salt)), params),
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
    expectError(
      () => unwrapKeys(unhex(String(w.wrapKey)), unhex(String(w.keyBlob)), unhex(String(w.identityPk))),
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
    const input = {
      channelId: String(w.channelId),
      senderId: String(w.senderId),
      keyId: Number(w.keyId),
      clientMsgId: String(w.clientMsgId),
      senderKey: unhex(String(w.senderKey)),
      senderIdentityPk: unhex(String(w.senderIdentityPk)),
      ciphertext: unhex(String(w.ciphertext)),
    };
    expectError(() => decryptMessage(input), errorClass(w.error), 'decryptMessage');
  });
});

describe('parley-share.json', () => {
  const v = share.valid[0];
  const openInput = () => ({
    channelId: String(v?.channelId),
    senderId: String(v?.senderId),
    keyId: Number(v?.keyId),
    recipientId: String(v?.recipientId),
    sealed: unhex(v?.sealed ?? ''),
    senderIdentityPk: unhex(String(v?.senderIdentityPk)),
    recipientEncPk: unhex(String(v?.recipientEncPk)),
    recipientEncSk: unhex(String(v?.recipientBoxSk)),
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
    const input = {
      channelId: String(w.channelId),
      senderId: String(w.senderId),
      keyId: Number(w.keyId),
      recipientId: String(w.recipientId),
      sealed: unhex(String(w.sealed)),
      senderIdentityPk: unhex(String(w.senderIdentityPk)),
      recipientEncPk: unhex(String(w.recipientEncPk)),
      recipientEncSk: unhex(String(w.recipientEncSk)),
    };
    expectError(() => openShare(input), errorClass(w.error), 'openShare');
  });
});

describe('parley-pins.json', () => {
  const v = pins.valid[0];
  test('the published blob opens to the published pins', () => {
    const alice = identityOf({ signSeed: unhex(v?.signSeed ?? ''), boxSk: unhex(v?.boxSk ?? '') });
    expect(openPins(unhex(v?.blob ?? ''), alice)).toEqual(v?.pins);
  });
  test.each(invalidOf(pins))('$name: $error', (w) => {
    const opener = identityOf({
      signSeed: unhex(String(w.openerSignSeed)),
      boxSk: unhex(String(w.openerBoxSk)),
    });
    expectError(() => openPins(unhex(String(w.blob)), opener), errorClass(w.error), 'openPins');
  });
});

describe('parley-dm-id.json', () => {
  test.each(dmId.valid)('$name', (v) => {
    expect(dmChannelId(v.a, v.b)).toBe(v.channelId);
    expect(dmChannelId(v.b, v.a)).toBe(v.channelId);
    expect(hex(_sodium.crypto_hash_sha256(unhex(v.hashInputUtf8)))).toBe(v.sha256);
    expect(v.channelId).toBe(`dm-${v.sha256.slice(0, 32)}`);
  });
  test.each(invalidOf(dmId))('$name: $error', (w) => {
    expectError(() => dmChannelId(String(w.a), String(w.b)), errorClass(w.error), 'dmChannelId');
  });
});

describe('parley-membership.json', () => {
  const chain = membership.valid[0];
  if (!chain) throw new Error('no chain');
  const parse = (w: unknown) => memberEntryFromWire(chain.channelId, w);

  test.each(chain.entries)('entry $index ($name): body, signature, hash and wire form', (v) => {
    const entry = parse(v.wire);
    expect(hex(memberEntryBody(entry))).toBe(v.body);
    expect(hex(entry.sig)).toBe(v.sig);
    expect(hex(memberEntryHash(entry))).toBe(v.hash);
    expect(memberEntryToWire(entry)).toEqual(v.wire);
    // Ed25519 is deterministic: the signer's seed reproduces the published signature.
    const signer = _sodium.crypto_sign_seed_keypair(unhex(v.signerSignSeed));
    expect(hex(signMemberEntry(entry, signer.privateKey).sig)).toBe(v.sig);
  });

  test('the chain verifies, and the state after each entry is as published', () => {
    const entries = chain.entries.map((v) => parse(v.wire));
    const log = MembershipLog.empty(chain.channelId);
    for (const [i, entry] of entries.entries()) {
      log.append(entry);
      const want = chain.entries[i]?.stateAfter;
      expect(log.epoch).toBe(want?.epoch);
      expect(log.owner).toBe(want?.owner);
      expect(hex(log.head)).toBe(want?.head);
      expect(
        log.members().map((m) => ({ userId: m.userId, identityPk: hex(m.identityPk), since: m.since })),
      ).toEqual(want?.members);
    }
    expect(hex(MembershipLog.verify(chain.channelId, entries).head)).toBe(chain.entries.at(-1)?.hash);
  });

  test.each(invalidOf(membership))('$name: $error from $fn', (w) => {
    const channelId = String(w.channelId);
    const before = (w.log as unknown[]).map((e) => memberEntryFromWire(channelId, e));
    const prefix = MembershipLog.verify(channelId, before); // the log before the bad entry is valid
    expect(prefix.length).toBe(w.failsAt);
    const cls = errorClass(w.error);
    if (w.fn === 'memberEntryFromWire') {
      expectError(() => memberEntryFromWire(channelId, w.entry), cls, 'memberEntryFromWire');
      return;
    }
    const entry: MemberEntry = memberEntryFromWire(channelId, w.entry);
    const err = expectError(
      () => MembershipLog.verify(channelId, [...before, entry]),
      cls,
      'MembershipLog.verify',
    );
    expect(err.message).toContain(`entry ${w.failsAt}:`);
    expectError(() => prefix.append(entry), cls, 'MembershipLog.append');
    expect(prefix.length).toBe(w.failsAt);
    expect(hex(memberEntryBody({ ...entry, channelId: String(w.signedChannelId) }))).toBe(w.signedBody);
  });
});

describe('parley-kt.json', () => {
  type WireProof = { bitmap: string; siblings: string[] };
  type WireHead = { epoch: number; root: string; prevHash: string; timeMs: number; sig: string };
  interface Kinds {
    leaf: { name: string; binding: Record<string, unknown>; leaf: string; mapKey: string; value: string };
    default: { height: number; hash: string };
    leafNode: { key: string; value: string; hash: string };
    node: { left: string; right: string; hash: string };
    map: { name: string; entries: { key: string; value: string }[]; root: string };
    proof: {
      name: string;
      root: string;
      key: string;
      value: string | null;
      bitmap: string;
      siblings: string[];
      wire: WireProof;
    };
    chain: {
      logSignSeed: string;
      logPk: string;
      fingerprint: string;
      heads: { root: string; headBytes: string; sig: string; hash: string; wire: WireHead }[];
      lastHash: string;
    };
  }
  const of = <K extends keyof Kinds>(kind: K) =>
    kt.valid.filter((v) => v.kind === kind) as unknown as Kinds[K][];
  /** A wire proof decoded without checks, so ktVerifyProof itself meets malformed ones. */
  const rawProof = (w: { bitmap: string; siblings: string[] }): KtProof => ({
    bitmap: _sodium.from_base64(w.bitmap, _sodium.base64_variants.URLSAFE_NO_PADDING),
    siblings: w.siblings.map((x) => _sodium.from_base64(x, _sodium.base64_variants.URLSAFE_NO_PADDING)),
  });

  test.each(of('leaf'))('leaf $name: bytes, map key and value', (v) => {
    const b = ktBindingFromWire(v.binding);
    expect(hex(ktLeafBytes(b))).toBe(v.leaf);
    expect(hex(ktMapKey(b.userId))).toBe(v.mapKey);
    expect(hex(ktLeafValue(b))).toBe(v.value);
    expect(ktBindingToWire(b)).toEqual(v.binding);
  });

  test.each(of('default'))('default hash D($height)', (v) => {
    expect(hex(ktDefaultHash(v.height))).toBe(v.hash);
  });

  test('leaf-node and node hashes', () => {
    for (const v of of('leafNode')) expect(hex(ktLeafNodeHash(unhex(v.key), unhex(v.value)))).toBe(v.hash);
    for (const v of of('node')) expect(hex(ktNodeHash(unhex(v.left), unhex(v.right)))).toBe(v.hash);
  });

  test.each(of('map'))('map $name: the root, built at once, key by key, and by the definition', (v) => {
    const entries = v.entries.map((e): [Uint8Array, Uint8Array] => [unhex(e.key), unhex(e.value)]);
    expect(hex(KtMap.fromEntries(entries).root())).toBe(v.root);
    const grown = new KtMap();
    for (const [key, value] of entries) grown.set(key, value);
    expect(hex(grown.root())).toBe(v.root);
    expect(hex(ktRootNaive(entries))).toBe(v.root);
  });

  test.each(of('proof'))('proof $name: verifies from its wire form', (v) => {
    const proof = ktProofFromWire(v.wire);
    expect(hex(proof.bitmap)).toBe(v.bitmap);
    expect(proof.siblings.map(hex)).toEqual(v.siblings);
    const value = v.value === null ? null : unhex(v.value);
    expect(ktVerifyProof(unhex(v.root), unhex(v.key), value, proof)).toBe(true);
  });

  const [chain] = of('chain');
  if (!chain) throw new Error('no chain');
  test('chain: every head, its bytes, deterministic signature and hash, and the chain from epoch 0', () => {
    const logSk = _sodium.crypto_sign_seed_keypair(unhex(chain.logSignSeed)).privateKey;
    const heads = chain.heads.map((v) => {
      const head = ktHeadFromWire(v.wire);
      expect(hex(ktHeadBytes(head))).toBe(v.headBytes);
      expect(hex(signKtHead(head, logSk).sig)).toBe(v.sig);
      expect(hex(ktHeadHash(head))).toBe(v.hash);
      expect(ktHeadToWire(head)).toEqual(v.wire);
      verifyKtHead(head, unhex(chain.logPk));
      return head;
    });
    expect(hex(verifyKtChain(heads, unhex(chain.logPk)))).toBe(chain.lastHash);
    const first = chain.heads[0];
    expect(
      hex(verifyKtChain(heads.slice(1), unhex(chain.logPk), { epoch: 0, hash: unhex(first?.hash ?? '') })),
    ).toBe(chain.lastHash);
    expect(ktLogKeyFingerprint(unhex(chain.logPk))).toBe(chain.fingerprint);
    // The heads' roots are the maps of those epochs.
    const roots = of('map')
      .filter((m) => m.name.startsWith('epoch '))
      .map((m) => m.root);
    expect(chain.heads.map((h) => h.root)).toEqual(roots);
  });

  type KtInvalid = {
    name: string;
    fn: string;
    error?: string;
    returns?: boolean;
    wireError?: string;
    [k: string]: unknown;
  };
  const invalid = kt.invalid as KtInvalid[];
  test('every invalid case names one outcome', () => {
    for (const v of invalid) expect('error' in v !== 'returns' in v, v.name).toBe(true);
  });

  test.each(invalid.filter((v) => v.fn === 'ktVerifyProof'))('$name', (v) => {
    const wire = v.proof as { bitmap: string; siblings: string[] };
    const run = () =>
      ktVerifyProof(
        unhex(String(v.root)),
        unhex(String(v.key)),
        v.value === null ? null : unhex(String(v.value)),
        rawProof(wire),
      );
    if (v.error) {
      expectError(run, errorClass(v.error), 'ktVerifyProof');
      expectError(() => ktProofFromWire(wire), errorClass(String(v.wireError)), 'ktProofFromWire');
    } else {
      expect(run()).toBe(false);
    }
  });

  test.each(invalid.filter((v) => v.fn === 'verifyKtHead'))('$name: $error', (v) => {
    const head = ktHeadFromWire(v.head);
    expectError(
      () => verifyKtHead(head, unhex(String(v.logPk))),
      errorClass(String(v.error)),
      'verifyKtHead',
    );
  });

  test.each(invalid.filter((v) => v.fn === 'verifyKtChain'))('$name: $error', (v) => {
    const heads = (v.heads as unknown[]).map(ktHeadFromWire);
    const after = v.after as { epoch: number; hash: string } | undefined;
    expectError(
      () =>
        verifyKtChain(
          heads,
          unhex(String(v.logPk)),
          after && { epoch: after.epoch, hash: unhex(after.hash) },
        ),
      errorClass(String(v.error)),
      'verifyKtChain',
    );
  });

  test.each(invalid.filter((v) => v.fn === 'ktBindingFromWire'))('$name: $error', (v) => {
    expectError(() => ktBindingFromWire(v.binding), errorClass(String(v.error)), 'ktBindingFromWire');
  });

  test('every invalid case is run by one of the blocks above', () => {
    const fns = new Set(['ktVerifyProof', 'verifyKtHead', 'verifyKtChain', 'ktBindingFromWire']);
    for (const v of invalid) expect(fns.has(v.fn), v.name).toBe(true);
  });
});
