// Builds parley-kt.json (DESIGN §7.5): leaves, the tree's default, leaf-node and node hashes, maps
// and their roots, proofs of presence and absence, a chain of three signed heads and the log-key
// fingerprint; then invalid cases, each with its full inputs, the function to run (`fn`) and the
// outcome: `error` (the class it throws) or `returns: false` (ktVerifyProof only). Proof cases give
// the proof in wire form; ktVerifyProof runs on its decoded bytes, and those with an `error` are
// also refused by ktProofFromWire (`wireError`).
import _sodium from 'libsodium-wrappers-sumo';
import {
  KT_GENESIS_PREV,
  type KtBinding,
  type KtHead,
  type KtHeadFields,
  KtMap,
  type KtProof,
  ktBindingToWire,
  ktDefaultHash,
  ktHeadBytes,
  ktHeadHash,
  ktHeadToWire,
  ktLeafBytes,
  ktLeafNodeHash,
  ktLeafValue,
  ktLogKeyFingerprint,
  ktMapKey,
  ktNodeHash,
  ktProofToWire,
  ktVerifyProof,
  makeBundle,
  signKtHead,
  toBase64,
  toHex,
  verifyKtChain,
  type WireKtBinding,
} from '../src/index';
import {
  ALICE,
  BOB,
  CAROL,
  CAROL_NEW,
  DAVE,
  hexBytes,
  identityOf,
  type Person,
  seq,
  sourceFor,
  type VectorFile,
} from './vector-fixtures';

const hex = toHex;

/** The relay's log key, and another key that is not it. */
export const LOG = { signSeed: seq(0xa0) };
const OTHER_LOG = { signSeed: seq(0xa1) };
const keyPair = (who: { signSeed: Uint8Array }) => _sodium.crypto_sign_seed_keypair(who.signSeed);

const USERNAMES: Record<string, string> = {
  [ALICE.id]: 'alice',
  [BOB.id]: 'bob',
  [CAROL.id]: 'carol',
  [DAVE.id]: 'dave',
};

function binding(p: Person, version: number): KtBinding {
  const bundle = makeBundle(identityOf(p));
  return {
    userId: p.id,
    username: USERNAMES[p.id] ?? p.id,
    version,
    identityKey: bundle.identityKey,
    encKey: bundle.encKey,
    encKeySig: bundle.encKeySig,
  };
}

const entryOf = (b: KtBinding): [Uint8Array, Uint8Array] => [ktMapKey(b.userId), ktLeafValue(b)];

/** Five keys that share long prefixes: two differ only in the last bit, two only in the first. */
const ZERO = new Uint8Array(32);
const LAST_BIT = hexBytes(`${'00'.repeat(31)}01`);
const FIRST_BIT = hexBytes(`80${'00'.repeat(31)}`);
const CONSTRUCTED: [Uint8Array, Uint8Array][] = [
  [ZERO, seq(0x40)],
  [LAST_BIT, seq(0x60)],
  [FIRST_BIT, seq(0x80)],
  [hexBytes('ff'.repeat(32)), seq(0xa0)],
  [seq(0x10), seq(0xc0)],
];
/** Absent keys: one sharing 254 bits with ZERO and LAST_BIT, one parting from ZERO at bit 1. */
const NEAR_ZERO = hexBytes(`${'00'.repeat(31)}02`);
const SECOND_BIT = hexBytes(`40${'00'.repeat(31)}`);

function bindings() {
  return {
    alice: binding(ALICE, 1),
    bob: binding(BOB, 1),
    carol1: binding(CAROL, 1),
    carol2: binding(CAROL_NEW, 2),
    dave: binding(DAVE, 1),
  };
}

/** The maps of the vector file, by name; epochs 0, 1 and 2 are the head chain's. */
function maps() {
  const b = bindings();
  return {
    empty: [] as [Uint8Array, Uint8Array][],
    'epoch 0: alice': [entryOf(b.alice)],
    'epoch 1: alice, bob and carol': [b.alice, b.bob, b.carol1].map(entryOf),
    'epoch 2: carol changed her key (version 2), dave joined': [b.alice, b.bob, b.carol2, b.dave].map(
      entryOf,
    ),
    'five constructed keys sharing long prefixes': CONSTRUCTED,
  };
}
type MapName = keyof ReturnType<typeof maps>;

const HEAD_TIME = 1_700_000_000_000;

/** The head chain: epochs 0, 1 and 2 over the maps of those epochs. */
export function ktHeads(): KtHead[] {
  const all = maps();
  const roots = [
    all['epoch 0: alice'],
    all['epoch 1: alice, bob and carol'],
    all['epoch 2: carol changed her key (version 2), dave joined'],
  ].map((entries) => KtMap.fromEntries(entries).root());
  const heads: KtHead[] = [];
  for (const [epoch, root] of roots.entries()) {
    const prev = heads.at(-1);
    const fields = {
      epoch,
      root,
      prevHash: prev ? ktHeadHash(prev) : KT_GENESIS_PREV,
      timeMs: HEAD_TIME + epoch * 60_000,
    };
    heads.push(signKtHead(fields, keyPair(LOG).privateKey));
  }
  return heads;
}

function flipBit(bytes: Uint8Array, byte: number, mask = 0x01): Uint8Array {
  const copy = bytes.slice();
  copy[byte] = (copy[byte] ?? 0) ^ mask;
  return copy;
}

/** The bitmap bits that are set, as depths - 1. */
function setBits(bitmap: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 256; i++) if (((bitmap[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) out.push(i);
  return out;
}

function withBit(bitmap: Uint8Array, i: number, on: boolean): Uint8Array {
  const copy = bitmap.slice();
  const mask = 0x80 >> (i & 7);
  copy[i >> 3] = on ? (copy[i >> 3] ?? 0) | mask : (copy[i >> 3] ?? 0) & ~mask;
  return copy;
}

/** A proof's wire form, written without checks (ktProofToWire refuses malformed proofs). */
const rawProofWire = (p: KtProof) => ({
  bitmap: toBase64(p.bitmap),
  siblings: p.siblings.map((s) => toBase64(s)),
});

/** A head's wire form, written without checks. */
const rawHeadWire = (h: KtHead) => ({
  epoch: h.epoch,
  root: toBase64(h.root),
  prevHash: toBase64(h.prevHash),
  timeMs: h.timeMs,
  sig: toBase64(h.sig),
});

/** A head signed over its fields as given (no checks), by `who`. */
function rawSignedHead(f: KtHeadFields, who: { signSeed: Uint8Array }): KtHead {
  return { ...f, sig: _sodium.crypto_sign_detached(ktHeadBytes(f), keyPair(who).privateKey) };
}

function proofCase(mapName: MapName, key: Uint8Array, value: Uint8Array | null, note: string) {
  const map = KtMap.fromEntries(maps()[mapName]);
  const proof = map.prove(key);
  const root = map.root();
  if (!ktVerifyProof(root, key, value, proof)) throw new Error(`proof does not verify: ${note}`);
  return { map: mapName, root, key, value, proof, note };
}

export function ktVectors(): VectorFile {
  const b = bindings();
  const all = maps();
  const log = keyPair(LOG);
  const other = keyPair(OTHER_LOG);
  const heads = ktHeads();
  const [h0, h1, h2] = heads as [KtHead, KtHead, KtHead];

  const leaves = Object.values(b).map((x) => ({
    kind: 'leaf',
    name: `${x.username}, version ${x.version}`,
    binding: ktBindingToWire(x),
    leaf: hex(ktLeafBytes(x)),
    mapKey: hex(ktMapKey(x.userId)),
    value: hex(ktLeafValue(x)),
  }));
  const defaults = [0, 1, 2, 255, 256].map((height) => ({
    kind: 'default',
    height,
    hash: hex(ktDefaultHash(height)),
  }));
  const nodes = [
    {
      kind: 'leafNode',
      key: hex(seq(0x00)),
      value: hex(seq(0x20)),
      hash: hex(ktLeafNodeHash(seq(0x00), seq(0x20))),
    },
    {
      kind: 'node',
      left: hex(seq(0x00)),
      right: hex(seq(0x20)),
      hash: hex(ktNodeHash(seq(0x00), seq(0x20))),
    },
    {
      kind: 'node',
      left: hex(ktDefaultHash(0)),
      right: hex(ktDefaultHash(0)),
      hash: hex(ktNodeHash(ktDefaultHash(0), ktDefaultHash(0))),
    },
  ];
  const mapVectors = Object.entries(all).map(([name, entries]) => ({
    kind: 'map',
    name,
    entries: entries.map(([key, value]) => ({ key: hex(key), value: hex(value) })),
    root: hex(KtMap.fromEntries(entries).root()),
  }));

  const five: MapName = 'five constructed keys sharing long prefixes';
  const epoch2: MapName = 'epoch 2: carol changed her key (version 2), dave joined';
  const lastBitValue = CONSTRUCTED[1]?.[1] as Uint8Array;
  const proofs = [
    proofCase(five, LAST_BIT, lastBitValue, 'present; its neighbour 00..00 is the sibling at depth 256'),
    proofCase(five, FIRST_BIT, CONSTRUCTED[2]?.[1] ?? null, 'present; parts from 00..00 at the first bit'),
    proofCase(
      five,
      NEAR_ZERO,
      null,
      'absent 00..02: shares 254 bits with 00..00 and 00..01, parts at depth 254',
    ),
    proofCase(five, SECOND_BIT, null, 'absent 40 00..00: parts from 00..00 at bit 1'),
    proofCase(epoch2, ktMapKey(CAROL.id), ktLeafValue(b.carol2), "present: carol's version 2"),
    proofCase(epoch2, ktMapKey('u-erin'), null, 'absent: u-erin never registered'),
    proofCase(
      'epoch 0: alice',
      ktMapKey(ALICE.id),
      ktLeafValue(b.alice),
      'present, the only key: no sibling given',
    ),
    proofCase('epoch 0: alice', ktMapKey(BOB.id), null, 'absent from a one-key map'),
    proofCase('empty', ktMapKey(ALICE.id), null, 'absent from the empty map: no sibling given'),
  ];
  const proofVectors = proofs.map((p) => ({
    kind: 'proof',
    name: `${p.map}: ${p.note}`,
    root: hex(p.root),
    key: hex(p.key),
    value: p.value === null ? null : hex(p.value),
    bitmap: hex(p.proof.bitmap),
    siblingDepths: setBits(p.proof.bitmap).map((i) => i + 1),
    siblings: p.proof.siblings.map(hex),
    wire: ktProofToWire(p.proof),
  }));

  const chain = {
    kind: 'chain',
    name: 'epochs 0, 1 and 2 of one log',
    logSignSeed: hex(LOG.signSeed),
    logPk: hex(log.publicKey),
    fingerprint: ktLogKeyFingerprint(log.publicKey),
    heads: heads.map((h) => ({
      epoch: h.epoch,
      root: hex(h.root),
      prevHash: hex(h.prevHash),
      timeMs: h.timeMs,
      headBytes: hex(ktHeadBytes(h)),
      sig: hex(h.sig),
      hash: hex(ktHeadHash(h)),
      wire: ktHeadToWire(h),
    })),
    lastHash: hex(verifyKtChain(heads, log.publicKey)),
  };

  // ---- invalid: proofs (ktVerifyProof), on the present proof of 00..01 unless said otherwise ----
  const base = proofs[0] as (typeof proofs)[number];
  const baseBits = setBits(base.proof.bitmap);
  const deepest = baseBits.at(-1) as number;
  const free = [...Array(256).keys()].find(
    (i) => !baseBits.includes(i) && i > (baseBits.at(-2) ?? -1),
  ) as number;
  const proofInput = (p: {
    root: Uint8Array;
    key: Uint8Array;
    value: Uint8Array | null;
    proof: KtProof;
  }) => ({
    fn: 'ktVerifyProof',
    root: hex(p.root),
    key: hex(p.key),
    value: p.value === null ? null : hex(p.value),
    proof: rawProofWire(p.proof),
  });
  const withDefault = (() => {
    // Spell out the default sibling at depth 128 (bit 127), in its place in depth order.
    const i = 127;
    const before = baseBits.filter((x) => x < i).length;
    const siblings = [...base.proof.siblings];
    siblings.splice(before, 0, ktDefaultHash(255 - i));
    return { bitmap: withBit(base.proof.bitmap, i, true), siblings };
  })();
  const carolEpoch1 = proofCase(
    'epoch 1: alice, bob and carol',
    ktMapKey(CAROL.id),
    ktLeafValue(b.carol1),
    '',
  );
  const near = proofs[2] as (typeof proofs)[number];
  const proofCases = [
    {
      name: 'bitmap bit flipped (the deepest given sibling no longer announced): sibling count mismatch',
      ...proofInput({
        ...base,
        proof: { ...base.proof, bitmap: withBit(base.proof.bitmap, deepest, false) },
      }),
      error: 'FormatError',
      wireError: 'FormatError',
    },
    {
      name: `bitmap bits swapped: the sibling of depth ${deepest + 1} given at depth ${free + 1}`,
      ...proofInput({
        ...base,
        proof: { ...base.proof, bitmap: withBit(withBit(base.proof.bitmap, deepest, false), free, true) },
      }),
      returns: false,
    },
    {
      name: 'bit flipped in a sibling (the first)',
      ...proofInput({
        ...base,
        proof: { ...base.proof, siblings: base.proof.siblings.map((s, i) => (i === 0 ? flipBit(s, 0) : s)) },
      }),
      returns: false,
    },
    {
      name: 'bit flipped in the value',
      ...proofInput({ ...base, value: flipBit(lastBitValue, 31) }),
      returns: false,
    },
    {
      name: 'bit flipped in the key (its first bit: 80..01, not in the map)',
      ...proofInput({ ...base, key: flipBit(base.key, 0, 0x80) }),
      returns: false,
    },
    {
      name: 'bit flipped in the root',
      ...proofInput({ ...base, root: flipBit(base.root, 0) }),
      returns: false,
    },
    {
      name: 'a default sibling spelled out (D(128) at depth 128): not canonical',
      ...proofInput({ ...base, proof: withDefault }),
      error: 'FormatError',
      wireError: 'FormatError',
    },
    {
      name: 'one sibling more than the bitmap sets',
      ...proofInput({ ...base, proof: { ...base.proof, siblings: [...base.proof.siblings, seq(0x99)] } }),
      error: 'FormatError',
      wireError: 'FormatError',
    },
    {
      name: 'one sibling fewer than the bitmap sets',
      ...proofInput({ ...base, proof: { ...base.proof, siblings: base.proof.siblings.slice(1) } }),
      error: 'FormatError',
      wireError: 'FormatError',
    },
    {
      name: 'a sibling of 31 bytes',
      ...proofInput({
        ...base,
        proof: { ...base.proof, siblings: base.proof.siblings.map((s, i) => (i === 0 ? s.subarray(1) : s)) },
      }),
      error: 'KeyError',
      wireError: 'FormatError',
    },
    {
      name: 'absence claimed for a present key (00..01)',
      ...proofInput({ ...base, value: null }),
      returns: false,
    },
    {
      name: 'presence claimed for an absent key (00..02) with its absence proof',
      ...proofInput({ ...near, value: seq(0x60) }),
      returns: false,
    },
    {
      name: "carol's version 1 (the epoch 1 value and proof) under the epoch 2 root",
      ...proofInput({ ...carolEpoch1, root: KtMap.fromEntries(all[epoch2]).root() }),
      returns: false,
    },
  ];

  // ---- invalid: heads (verifyKtHead) and chains (verifyKtChain) ----
  const headInput = (head: KtHead, logPk = log.publicKey) => ({
    fn: 'verifyKtHead',
    logPk: hex(logPk),
    head: rawHeadWire(head),
  });
  const chainInput = (list: KtHead[], after?: KtHead) => ({
    fn: 'verifyKtChain',
    logPk: hex(log.publicKey),
    heads: list.map(rawHeadWire),
    ...(after ? { after: { epoch: after.epoch, hash: hex(ktHeadHash(after)) } } : {}),
  });
  const brokenPrev = rawSignedHead({ ...h1, prevHash: flipBit(ktHeadHash(h0), 0) }, LOG);
  const badGenesis = rawSignedHead({ ...h0, prevHash: seq(0x01) }, LOG);
  const otherH1 = rawSignedHead({ ...h1, timeMs: h1.timeMs + 1 }, LOG); // a fork of epoch 1
  const headCases = [
    {
      name: 'bit flipped in the signature',
      ...headInput({ ...h1, sig: flipBit(h1.sig, 0) }),
      error: 'SignatureError',
    },
    {
      name: 'timeMs changed after signing',
      ...headInput({ ...h1, timeMs: h1.timeMs + 1 }),
      error: 'SignatureError',
    },
    {
      name: 'root changed after signing',
      ...headInput({ ...h1, root: flipBit(h1.root, 31) }),
      error: 'SignatureError',
    },
    { name: 'signed by another key', ...headInput(rawSignedHead(h1, OTHER_LOG)), error: 'SignatureError' },
    {
      name: 'a valid head checked against another log key',
      ...headInput(h1, other.publicKey),
      error: 'SignatureError',
    },
    { name: 'chain with a skipped epoch (0, then 2)', ...chainInput([h0, h2]), error: 'KtChainError' },
    { name: 'chain with a repeated epoch (0, 1, 1)', ...chainInput([h0, h1, h1]), error: 'KtChainError' },
    {
      name: 'chain whose epoch 1 has a broken prevHash (validly signed)',
      ...chainInput([h0, brokenPrev]),
      error: 'KtChainError',
    },
    {
      name: 'chain whose epoch 0 does not start from 32 zero bytes (validly signed)',
      ...chainInput([badGenesis]),
      error: 'KtChainError',
    },
    {
      name: 'chain with a head signed by another key',
      ...chainInput([h0, rawSignedHead(h1, OTHER_LOG)]),
      error: 'SignatureError',
    },
    {
      name: 'epoch 2 after a forked epoch 1 (after = another head of epoch 1)',
      ...chainInput([h2], otherH1),
      error: 'KtChainError',
    },
    { name: 'epoch 2 after epoch 0 (after skips one)', ...chainInput([h2], h0), error: 'KtChainError' },
  ];

  // ---- invalid: bindings (ktBindingFromWire) ----
  const wire: WireKtBinding = ktBindingToWire(b.alice);
  const identityPoint = hexBytes(`01${'00'.repeat(31)}`);
  const bindingCases = [
    { name: 'version 0', fn: 'ktBindingFromWire', binding: { ...wire, version: 0 }, error: 'FormatError' },
    {
      name: 'version 2^32 (not a u32)',
      fn: 'ktBindingFromWire',
      binding: { ...wire, version: 2 ** 32 },
      error: 'FormatError',
    },
    {
      name: 'encKey of 31 bytes',
      fn: 'ktBindingFromWire',
      binding: { ...wire, encKey: toBase64(seq(0, 31)) },
      error: 'FormatError',
    },
    { name: 'empty userId', fn: 'ktBindingFromWire', binding: { ...wire, userId: '' }, error: 'FormatError' },
    {
      name: 'identityKey = the Ed25519 identity point (small order)',
      fn: 'ktBindingFromWire',
      binding: { ...wire, identityKey: toBase64(identityPoint) },
      error: 'KeyError',
    },
  ];

  return {
    source: sourceFor('section 7.5'),
    valid: [...leaves, ...defaults, ...nodes, ...mapVectors, ...proofVectors, chain],
    invalid: [...proofCases, ...headCases, ...bindingCases],
  };
}
