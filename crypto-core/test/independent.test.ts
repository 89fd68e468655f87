// An independent check that crypto-core/README.md is enough to reimplement Parley's formats:
// everything here is rebuilt from libsodium primitives and the README's text, and compared with the
// published vectors. Nothing from crypto-core is used but `ready` (to load libsodium), so a README
// that leaves a detail out, or states one wrongly, fails here.
import s from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, test } from 'vitest';
import { ready } from '../src/index';
import account from './vectors/parley-account.json';
import bundle from './vectors/parley-bundle.json';
import dmId from './vectors/parley-dm-id.json';
import envelope from './vectors/parley-envelope.json';
import fingerprint from './vectors/parley-fingerprint.json';
import keyblob from './vectors/parley-keyblob.json';
import kt from './vectors/parley-kt.json';
import membership from './vectors/parley-membership.json';
import pins from './vectors/parley-pins.json';
import share from './vectors/parley-share.json';

beforeAll(ready);

// ---- Conventions (README "Conventions") ----
const hex = (b: Uint8Array) => s.to_hex(b);
const unhex = (h: string) => s.from_hex(h);
const b64 = (t: string) => s.from_base64(t, s.base64_variants.URLSAFE_NO_PADDING);
const toB64 = (b: Uint8Array) => s.to_base64(b, s.base64_variants.URLSAFE_NO_PADDING);
const utf8 = (t: string) => s.from_string(t); // UTF-8
const fromUtf8 = (b: Uint8Array) => s.to_string(b);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const u32be = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
/** utf8(tag) || 0x00 || (u32be(len) || bytes)* */
const encodeFields = (tag: string, ...fields: Uint8Array[]) =>
  cat(utf8(tag), Uint8Array.of(0), ...fields.flatMap((f) => [u32be(f.length), f]));
/** BLAKE2b with key, salt = LE64(id) || 0^8, personal = ctx || 0^8, empty message. */
function kdf(len: number, id: number, ctx: string, key: Uint8Array): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setBigUint64(0, BigInt(id), true);
  const personal = new Uint8Array(16);
  personal.set(utf8(ctx));
  return s.crypto_generichash_blake2b_salt_personal(len, key, salt, personal);
}
/** nonce24 || XChaCha20-Poly1305(key, plaintext, ad) */
const aeadOpen = (key: Uint8Array, box: Uint8Array, ad: Uint8Array) =>
  s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, box.subarray(24), ad, box.subarray(0, 24), key);
/** epk || crypto_box_easy(m, BLAKE2b-192(epk || pk), pk, esk), opened by hand. */
function sealOpen(sealed: Uint8Array, pk: Uint8Array, sk: Uint8Array): Uint8Array {
  const epk = sealed.subarray(0, 32);
  const nonce = s.crypto_generichash(24, cat(epk, pk), null);
  return s.crypto_box_open_easy(sealed.subarray(32), nonce, epk, sk);
}

describe('KDF subkeys (crypto_kdf as BLAKE2b with salt and personal)', () => {
  test('password: Argon2id13 of NFKC(password), then kdf(32, 1, "parleyau") and kdf(32, 2, "parleywr")', () => {
    const v = account.valid[0] as {
      password: string;
      passwordNfkcUtf8: string;
      salt: string;
      params: { opslimit: number; memlimit: number };
      authKey: string;
      wrapKey: string;
    };
    const pw = utf8(v.password.normalize('NFKC'));
    expect(hex(pw)).toBe(v.passwordNfkcUtf8);
    const master = s.crypto_pwhash(
      32,
      pw,
      unhex(v.salt),
      v.params.opslimit,
      v.params.memlimit,
      s.crypto_pwhash_ALG_ARGON2ID13,
    );
    expect(hex(kdf(32, 1, 'parleyau', master))).toBe(v.authKey);
    expect(hex(kdf(32, 2, 'parleywr', master))).toBe(v.wrapKey);
  });

  test('recovery: kdf(32, 1, "parleyra") and kdf(32, 2, "parleyrw"); code = Crockford base32 with checksum', () => {
    const v = account.valid[1] as unknown as {
      recoveryKey: string;
      code: string;
      authKey: string;
      wrapKey: string;
    };
    const key = unhex(v.recoveryKey);
    expect(hex(kdf(32, 1, 'parleyra', key))).toBe(v.authKey);
    expect(hex(kdf(32, 2, 'parleyrw', key))).toBe(v.wrapKey);
    const bytes = cat(key, s.crypto_generichash(32, key, null).subarray(0, 3));
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let bits = '';
    for (const b of bytes) bits += b.toString(2).padStart(8, '0');
    const chars = (bits.match(/.{5}/g) ?? []).map((c) => alphabet[Number.parseInt(c, 2)]).join('');
    expect((chars.match(/.{4}/g) ?? []).join('-')).toBe(v.code);
  });
});

describe('bundle and key blob', () => {
  test('encKeySig signs encodeFields("parley/enckey/v1", identityKey, encKey)', () => {
    const v = bundle.valid[0];
    if (!v) throw new Error('no vector');
    const kp = s.crypto_sign_seed_keypair(unhex(v.signSeed));
    expect(hex(kp.publicKey)).toBe(v.identityKey);
    expect(hex(s.crypto_scalarmult_base(unhex(v.boxSk)))).toBe(v.encKey);
    const signed = encodeFields('parley/enckey/v1', kp.publicKey, unhex(v.encKey));
    expect(hex(s.crypto_sign_detached(signed, kp.privateKey))).toBe(v.encKeySig);
    expect(toB64(unhex(v.encKeySig))).toBe(v.wire.encKeySig);
  });

  test('the key blob opens to signSk (seed || pk) || boxSk under ad = encodeFields("parley/keyblob/v1", identityPk)', () => {
    const v = keyblob.valid[0];
    if (!v) throw new Error('no vector');
    const secrets = aeadOpen(
      unhex(v.wrapKey),
      unhex(v.keyBlob),
      encodeFields('parley/keyblob/v1', unhex(v.identityPk)),
    );
    expect(secrets).toHaveLength(96);
    expect(hex(secrets.subarray(0, 32))).toBe(v.signSeed);
    expect(hex(secrets.subarray(32, 64))).toBe(v.identityPk);
    expect(hex(secrets.subarray(64))).toBe(v.boxSk);
    expect(unhex(v.keyBlob)).toHaveLength(136);
  });
});

describe('sender-key share (sealed box opened by hand)', () => {
  test('opens to sig || key, and sig verifies over the rebuilt share body', () => {
    const v = share.valid[0];
    if (!v) throw new Error('no vector');
    const sealed = unhex(v.sealed);
    expect(sealed).toHaveLength(144);
    const plaintext = sealOpen(sealed, unhex(v.recipientEncPk), unhex(v.recipientBoxSk));
    const sig = plaintext.subarray(0, 64);
    const key = plaintext.subarray(64);
    expect(hex(key)).toBe(v.key);
    const body = encodeFields(
      'parley/share/v1',
      utf8(v.channelId),
      utf8(v.senderId),
      u32be(v.keyId),
      utf8(v.recipientId),
      key,
    );
    expect(hex(body)).toBe(v.shareBytes);
    expect(s.crypto_sign_verify_detached(sig, body, unhex(v.senderIdentityPk))).toBe(true);
    // The fixed ephemeral key of the vector reproduces epk.
    expect(hex(s.crypto_scalarmult_base(unhex(v.ephemeralSkTestOnly)))).toBe(hex(sealed.subarray(0, 32)));
  });
});

describe('message envelopes', () => {
  test.each(envelope.valid)('$name: ad, signature and payload', (v) => {
    const ad = encodeFields(
      'parley/msg/ad/v1',
      utf8(v.channelId),
      utf8(v.senderId),
      u32be(v.keyId),
      utf8(v.clientMsgId),
    );
    expect(hex(ad)).toBe(v.ad);
    const plaintext = aeadOpen(unhex(v.senderKey), unhex(v.ciphertext), ad);
    const sig = plaintext.subarray(0, 64);
    const payload = plaintext.subarray(64);
    expect(
      s.crypto_sign_verify_detached(
        sig,
        encodeFields('parley/msg/sig/v1', ad, payload),
        unhex(v.senderIdentityPk),
      ),
    ).toBe(true);
    const json = JSON.parse(fromUtf8(payload));
    expect(json).toEqual(v.payload);
    if (json.mh) expect(b64(json.mh.hash)).toHaveLength(32);
  });

  test("the timeline vector's mh is the membership chain's head", () => {
    const v = envelope.valid.find((e) => 'mh' in e.payload);
    const last = membership.valid[0]?.entries.at(-1);
    expect(v?.payload).toMatchObject({ mh: { index: last?.index, hash: toB64(unhex(last?.hash ?? '')) } });
  });
});

describe('pins blob', () => {
  test('pinsKey = kdf(32, 1, "parleypn", BLAKE2b-256(encodeFields("parley/pins/key/v1", boxSk))); the blob opens and verifies', () => {
    const v = pins.valid[0];
    if (!v) throw new Error('no vector');
    const root = s.crypto_generichash(32, encodeFields('parley/pins/key/v1', unhex(v.boxSk)), null);
    const key = kdf(32, 1, 'parleypn', root);
    expect(hex(key)).toBe(v.pinsKey);
    const ad = encodeFields('parley/pins/ad/v1', unhex(v.identityPk));
    const plaintext = aeadOpen(key, unhex(v.blob), ad);
    const json = plaintext.subarray(64);
    expect(
      s.crypto_sign_verify_detached(
        plaintext.subarray(0, 64),
        encodeFields('parley/pins/sig/v1', ad, json),
        unhex(v.identityPk),
      ),
    ).toBe(true);
    expect(JSON.parse(fromUtf8(json))).toEqual(v.pins);
  });
});

describe('safety numbers', () => {
  test('SHA-512 chain, six 5-byte chunks mod 100000, smaller side first', () => {
    const v = fingerprint.valid[0];
    if (!v) throw new Error('no vector');
    const side = (key: Uint8Array, id: string) => {
      let h = s.crypto_hash_sha512(cat(Uint8Array.of(0, 0), key, utf8(id), key));
      for (let i = 1; i < 5200; i++) h = s.crypto_hash_sha512(cat(h, key));
      let out = '';
      for (let c = 0; c < 6; c++) {
        let n = 0;
        for (let i = 0; i < 5; i++) n = n * 256 + (h[c * 5 + i] ?? 0);
        out += String(n % 100000).padStart(5, '0');
      }
      return out;
    };
    const a = side(unhex(v.aliceKey), v.aliceId);
    const b = side(unhex(v.bobKey), v.bobId);
    expect(a).toBe(v.aliceFingerprint);
    expect(a < b ? a + b : b + a).toBe(v.safetyNumber);
    expect(`parley-sn:1:${a}${b}`).toBe(v.aliceQr);
  });
});

describe('DM channel ids', () => {
  test.each(dmId.valid)('$name', (v) => {
    const [x, y] = [v.a, v.b].sort();
    expect(`dm-${hex(s.crypto_hash_sha256(utf8(`${x}:${y}`))).slice(0, 32)}`).toBe(v.channelId);
  });
});

// ---- Membership log, read as README "Membership log" says ----
type Wire = (typeof membership.valid)[number]['entries'][number]['wire'];
interface Member {
  pk: Uint8Array;
  since: number;
}
class Reader {
  members = new Map<string, Member>();
  owner: string | null = null;
  head: Uint8Array = new Uint8Array(32);
  length = 0;
  constructor(readonly channelId: string) {}

  /** Checks and applies one wire entry; returns the error class name it fails with, or null. */
  read(w: Wire): string | null {
    const n = this.length;
    const ids = [this.channelId, w.actorId, w.subjectId].map(utf8);
    if (ids.some((b) => b.length === 0 || b.length > 256)) return 'FormatError';
    const prev = b64(w.prev);
    const pk = b64(w.subjectIdentityPk);
    const sig = b64(w.sig);
    const binds = w.action === 'create' || w.action === 'add';
    if (prev.length !== 32 || sig.length !== 64) return 'KeyError';
    if (binds ? pk.length !== 32 || !s.crypto_core_ed25519_is_valid_point(pk) : pk.length !== 0)
      return 'KeyError';
    if (w.index !== n || hex(prev) !== hex(this.head)) return 'MembershipError';
    const actor = this.members.get(w.actorId);
    const subjectIn = this.members.has(w.subjectId);
    let signer: Uint8Array | undefined;
    if (w.action === 'create') {
      if (n !== 0 || w.actorId !== w.subjectId) return 'MembershipError';
      signer = pk;
    } else {
      if (n === 0 || this.members.size === 0) return 'MembershipError';
      if (w.action === 'add' && (!actor || subjectIn)) return 'MembershipError';
      if (w.action === 'remove' && (w.actorId !== this.owner || w.subjectId === w.actorId || !subjectIn)) {
        return 'MembershipError';
      }
      if (w.action === 'leave' && (w.actorId !== w.subjectId || !actor)) return 'MembershipError';
      signer = actor?.pk;
    }
    const body = encodeFields(
      'parley/member/v1',
      utf8(this.channelId),
      u32be(w.index),
      prev,
      utf8(w.action),
      utf8(w.actorId),
      utf8(w.subjectId),
      pk,
    );
    if (!signer || !s.crypto_sign_verify_detached(sig, body, signer)) return 'SignatureError';
    if (binds) this.members.set(w.subjectId, { pk, since: n });
    else this.members.delete(w.subjectId);
    if (w.action === 'create') this.owner = w.subjectId;
    if (w.subjectId === this.owner && !binds) {
      const next = [...this.members].sort((a, b) => a[1].since - b[1].since)[0];
      this.owner = next ? next[0] : null;
    }
    this.head = s.crypto_generichash(32, encodeFields('parley/member/hash/v1', body, sig), null);
    this.length++;
    return null;
  }
}

describe('membership log', () => {
  const chain = membership.valid[0];
  if (!chain) throw new Error('no chain');

  test('every entry: body, deterministic signature by the actor, hash, and prev = previous hash', () => {
    let prev: Uint8Array = new Uint8Array(32);
    for (const e of chain.entries) {
      const body = encodeFields(
        'parley/member/v1',
        utf8(chain.channelId),
        u32be(e.index),
        unhex(e.prev),
        utf8(e.action),
        utf8(e.actorId),
        utf8(e.subjectId),
        unhex(e.subjectIdentityPk),
      );
      expect(hex(body)).toBe(e.body);
      expect(e.prev).toBe(hex(prev));
      const signer = s.crypto_sign_seed_keypair(unhex(e.signerSignSeed));
      expect(hex(s.crypto_sign_detached(body, signer.privateKey))).toBe(e.sig);
      const hash = s.crypto_generichash(32, encodeFields('parley/member/hash/v1', body, unhex(e.sig)), null);
      expect(hex(hash)).toBe(e.hash);
      expect(e.wire).toEqual({
        index: e.index,
        prev: toB64(unhex(e.prev)),
        action: e.action,
        actorId: e.actorId,
        subjectId: e.subjectId,
        subjectIdentityPk: toB64(unhex(e.subjectIdentityPk)),
        sig: toB64(unhex(e.sig)),
      });
      prev = hash;
    }
  });

  test('reading the chain by the rules gives the published state after each entry', () => {
    const r = new Reader(chain.channelId);
    for (const e of chain.entries) {
      expect(r.read(e.wire)).toBeNull();
      const members = [...r.members]
        .sort((a, b) => a[1].since - b[1].since)
        .map(([userId, m]) => ({ userId, identityPk: hex(m.pk), since: m.since }));
      expect({ epoch: r.length, owner: r.owner, head: hex(r.head), members }).toEqual(e.stateAfter);
    }
  });

  test.each(membership.invalid)('$name: the rules refuse it with $error', (v) => {
    const r = new Reader(v.channelId);
    for (const w of v.log) expect(r.read(w)).toBeNull();
    expect(r.length).toBe(v.failsAt);
    expect(r.read(v.entry)).toBe(v.error);
  });
});

// ---- Key transparency, as README "Key transparency" says ----
describe('key transparency', () => {
  type Binding = {
    userId: string;
    username: string;
    version: number;
    identityKey: string;
    encKey: string;
    encKeySig: string;
  };
  type Proof = { bitmap: string; siblings: string[] };
  type Head = { epoch: number; root: string; prevHash: string; timeMs: number; sig: string };
  const valid = kt.valid as unknown as ({ kind: string } & Record<string, unknown>)[];
  const of = <T>(kind: string) => valid.filter((v) => v.kind === kind) as unknown as T[];

  const H = (x: Uint8Array) => s.crypto_generichash(32, x, null);
  const u64be = (n: number) => cat(u32be(Math.floor(n / 2 ** 32)), u32be(n % 2 ** 32));
  const bit = (x: Uint8Array, d: number) => ((x[d >> 3] ?? 0) >> (7 - (d & 7))) & 1;
  const leafSlot = (key: Uint8Array, value: Uint8Array) => H(cat(Uint8Array.of(0), key, value));
  const inner = (left: Uint8Array, right: Uint8Array) => H(cat(Uint8Array.of(1), left, right));
  const D: Uint8Array[] = [];
  beforeAll(() => {
    D.push(new Uint8Array(32));
    for (let h = 1; h <= 256; h++) D.push(inner(D[h - 1] as Uint8Array, D[h - 1] as Uint8Array));
  });

  /** node(S, d) of the README, over entries S sharing a d-bit prefix. */
  function node(entries: [Uint8Array, Uint8Array][], d: number): Uint8Array {
    if (entries.length === 0) return D[256 - d] as Uint8Array;
    if (d === 256) return leafSlot(...(entries[0] as [Uint8Array, Uint8Array]));
    const side = (b: number) => entries.filter(([key]) => bit(key, d) === b);
    return inner(node(side(0), d + 1), node(side(1), d + 1));
  }

  function verifyProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: Proof): boolean {
    const bitmap = b64(proof.bitmap);
    const siblings = proof.siblings.map(b64);
    let next = siblings.length - 1;
    let h = value === null ? (D[0] as Uint8Array) : leafSlot(key, value);
    for (let d = 256; d >= 1; d--) {
      const sibling =
        bit(bitmap, d - 1) === 1 ? (siblings[next--] as Uint8Array) : (D[256 - d] as Uint8Array);
      h = bit(key, d - 1) === 0 ? inner(h, sibling) : inner(sibling, h);
    }
    return next === -1 && hex(h) === hex(root);
  }

  test.each(of<{ name: string; binding: Binding; leaf: string; mapKey: string; value: string }>('leaf'))(
    'leaf $name: encodeFields("parley/kt/leaf/v1", …), map key BLAKE2b-256(userId), value BLAKE2b-256(leaf)',
    (v) => {
      const w = v.binding;
      const leaf = encodeFields(
        'parley/kt/leaf/v1',
        utf8(w.userId),
        utf8(w.username),
        u32be(w.version),
        b64(w.identityKey),
        b64(w.encKey),
        b64(w.encKeySig),
      );
      expect(hex(leaf)).toBe(v.leaf);
      expect(hex(H(utf8(w.userId)))).toBe(v.mapKey);
      expect(hex(H(leaf))).toBe(v.value);
    },
  );

  test('defaults: D(0) = 32 zero bytes, D(h) = H(0x01 || D(h-1) || D(h-1))', () => {
    for (const v of of<{ height: number; hash: string }>('default'))
      expect(hex(D[v.height] as Uint8Array)).toBe(v.hash);
  });

  test.each(of<{ name: string; entries: { key: string; value: string }[]; root: string }>('map'))(
    'map $name: the root by the recursive definition',
    (v) => {
      const entries = v.entries.map((e): [Uint8Array, Uint8Array] => [unhex(e.key), unhex(e.value)]);
      expect(hex(node(entries, 0))).toBe(v.root);
    },
  );

  test('the map of epoch 1 holds the leaf values of alice, bob and carol (version 1) under their map keys', () => {
    const leaves = of<{ binding: Binding; mapKey: string; value: string }>('leaf');
    const want = leaves
      .filter(
        (l) =>
          ['alice', 'bob'].includes(l.binding.username) ||
          (l.binding.username === 'carol' && l.binding.version === 1),
      )
      .map((l): [Uint8Array, Uint8Array] => [unhex(l.mapKey), unhex(l.value)]);
    const map = of<{ name: string; root: string }>('map').find((m) => m.name.startsWith('epoch 1'));
    expect(want).toHaveLength(3);
    expect(hex(node(want, 0))).toBe(map?.root);
  });

  test.each(of<{ name: string; root: string; key: string; value: string | null; wire: Proof }>('proof'))(
    'proof $name: verifies by the README',
    (v) => {
      expect(verifyProof(unhex(v.root), unhex(v.key), v.value === null ? null : unhex(v.value), v.wire)).toBe(
        true,
      );
    },
  );

  test.each(
    (
      kt.invalid as {
        name: string;
        fn: string;
        returns?: boolean;
        root?: string;
        key?: string;
        value?: string | null;
        proof?: Proof;
      }[]
    ).filter((v) => v.fn === 'ktVerifyProof' && v.returns === false),
  )('proof $name: does not verify', (v) => {
    const value = v.value == null ? null : unhex(v.value);
    expect(verifyProof(unhex(v.root ?? ''), unhex(v.key ?? ''), value, v.proof as Proof)).toBe(false);
  });

  test('heads: bytes, Ed25519 signature by the log key, hash, genesis, chain and fingerprint', () => {
    const [chain] = of<{
      logSignSeed: string;
      logPk: string;
      fingerprint: string;
      heads: { wire: Head; hash: string; headBytes: string }[];
      lastHash: string;
    }>('chain');
    if (!chain) throw new Error('no chain');
    const logPk = unhex(chain.logPk);
    expect(hex(s.crypto_sign_seed_keypair(unhex(chain.logSignSeed)).publicKey)).toBe(chain.logPk);
    let prev: { epoch: number; hash: Uint8Array } | null = null;
    for (const h of chain.heads) {
      const w = h.wire;
      const head = encodeFields(
        'parley/kt/head/v1',
        u64be(w.epoch),
        b64(w.root),
        b64(w.prevHash),
        u64be(w.timeMs),
      );
      expect(hex(head)).toBe(h.headBytes);
      expect(s.crypto_sign_verify_detached(b64(w.sig), head, logPk)).toBe(true);
      expect(w.epoch).toBe(prev ? prev.epoch + 1 : 0);
      expect(hex(b64(w.prevHash))).toBe(hex(prev ? prev.hash : new Uint8Array(32)));
      const hash = H(encodeFields('parley/kt/head/hash/v1', head, b64(w.sig)));
      expect(hex(hash)).toBe(h.hash);
      prev = { epoch: w.epoch, hash };
    }
    expect(hex(prev?.hash ?? new Uint8Array())).toBe(chain.lastHash);
    const digest = H(encodeFields('parley/kt/logkey/v1', logPk)).subarray(0, 20);
    expect((hex(digest).match(/.{4}/g) ?? []).join(' ')).toBe(chain.fingerprint);
  });
});
