// Key-transparency map (DESIGN §7.5): KtMap against the naive definition on random and adversarially
// close keys, its proofs of presence and absence, the exact error or `false` for every tampered
// proof element, copies and snapshots, both hashing engines, and scale.
import _sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  FormatError,
  KeyError,
  KT_DEPTH,
  KtMap,
  type KtProof,
  ktDefaultHash,
  ktLeafNodeHash,
  ktNodeHash,
  ktProofFromWire,
  ktProofToWire,
  ktVerifyProof,
  ready,
  WireKtProofSchema,
} from '../src/index';
import { useEngine } from '../src/kt-tree';
import { expectError, flipByte, hex } from './helpers';
import { ktRootNaive } from './kt-reference';

type Entry = [Uint8Array, Uint8Array];

beforeAll(ready);
afterAll(() => useEngine('fast'));

let drawn = 0;
/**
 * n random entries: BLAKE2b-256 of a counter under a fresh random key (real map keys are BLAKE2b
 * outputs too). libsodium's randombytes_buf is slow in WebAssembly for this many bytes.
 */
function random(n: number): Entry[] {
  const seed = _sodium.randombytes_buf(32);
  const hash = (i: number) =>
    _sodium.crypto_generichash(32, Uint8Array.of(i >>> 24, i >>> 16, i >>> 8, i), seed);
  const out: Entry[] = [];
  for (let i = 0; i < n; i++, drawn += 2) out.push([hash(drawn), hash(drawn + 1)]);
  return out;
}

/** A key with bit `depth` flipped (MSB of byte 0 first). */
function flipBit(key: Uint8Array, depth: number): Uint8Array {
  const copy = key.slice();
  copy[depth >> 3] = (copy[depth >> 3] ?? 0) ^ (0x80 >> (depth & 7));
  return copy;
}

/** Keys that share long prefixes: a base key and the keys differing from it in one bit each. */
function neighbours(base: Uint8Array, depths: number[]): Entry[] {
  return [base, ...depths.map((d) => flipBit(base, d))].map((k) => [k, _sodium.randombytes_buf(32)]);
}

/** Every proof of a map verifies, for its keys and for keys it lacks, and nothing else does. */
function checkProofs(map: KtMap, entries: Entry[], absent: Uint8Array[]): void {
  const root = map.root();
  for (const [key, value] of entries) {
    const proof = map.prove(key);
    expect(ktVerifyProof(root, key, value, proof)).toBe(true);
    expect(ktVerifyProof(root, key, null, proof)).toBe(false);
    expect(ktVerifyProof(root, key, flipByte(value, 31), proof)).toBe(false);
    expect(ktVerifyProof(flipByte(root, 0), key, value, proof)).toBe(false);
    expect(ktVerifyProof(root, flipBit(key, 255), value, proof)).toBe(false);
  }
  for (const key of absent) {
    const proof = map.prove(key);
    expect(ktVerifyProof(root, key, null, proof)).toBe(true);
    expect(ktVerifyProof(root, key, new Uint8Array(32), proof)).toBe(false);
    expect(ktVerifyProof(flipByte(root, 31), key, null, proof)).toBe(false);
  }
}

describe('the tree (definition)', () => {
  test('defaults: D(0) is 32 zero bytes, D(h) = node(D(h-1), D(h-1)), D(256) is the empty root', () => {
    expect(hex(ktDefaultHash(0))).toBe('00'.repeat(32));
    for (let h = 1; h <= KT_DEPTH; h++) {
      expect(hex(ktDefaultHash(h))).toBe(hex(ktNodeHash(ktDefaultHash(h - 1), ktDefaultHash(h - 1))));
    }
    expect(hex(new KtMap().root())).toBe(hex(ktDefaultHash(256)));
  });

  test('leaf-node and node hashes are BLAKE2b-256 of 0x00 || key || value and 0x01 || left || right', () => {
    const a = _sodium.randombytes_buf(32);
    const b = _sodium.randombytes_buf(32);
    expect(hex(ktLeafNodeHash(a, b))).toBe(
      hex(_sodium.crypto_generichash(32, Uint8Array.of(0, ...a, ...b), null)),
    );
    expect(hex(ktNodeHash(a, b))).toBe(
      hex(_sodium.crypto_generichash(32, Uint8Array.of(1, ...a, ...b), null)),
    );
  });

  test('ktDefaultHash hands out copies and refuses heights outside 0..256', () => {
    ktDefaultHash(5).fill(0xff);
    expect(hex(ktDefaultHash(5))).toBe(hex(ktNodeHash(ktDefaultHash(4), ktDefaultHash(4))));
    for (const h of [-1, 257, 1.5, Number.NaN])
      expectError(() => ktDefaultHash(h), FormatError, 'ktDefaultHash');
  });
});

describe('KtMap root', () => {
  test.each([0, 1, 2, 3, 50, 500])(
    'of %i random keys is the naive root, built at once or key by key',
    (n) => {
      const entries = random(n);
      const built = KtMap.fromEntries(entries);
      const grown = new KtMap();
      for (const [key, value] of entries) grown.set(key, value);
      expect(hex(built.root())).toBe(hex(ktRootNaive(entries)));
      expect(hex(grown.root())).toBe(hex(built.root()));
      expect(built.size).toBe(n);
      expect(grown.size).toBe(n);
    },
  );

  test.each([
    ['only in the last bit', [255]],
    ['only in the first bit', [0]],
    ['in the last bit, and in the first', [255, 0]],
    ['in each of the last eight bits', [248, 249, 250, 251, 252, 253, 254, 255]],
    ['at bits 0, 1, 127, 128, 254, 255', [0, 1, 127, 128, 254, 255]],
  ])('of keys that differ %s is the naive root, and every proof verifies', (_name, depths) => {
    for (const base of [new Uint8Array(32), new Uint8Array(32).fill(0xff), _sodium.randombytes_buf(32)]) {
      const entries = neighbours(base, depths);
      const map = KtMap.fromEntries(entries);
      expect(hex(map.root())).toBe(hex(ktRootNaive(entries)));
      // Absent keys next to present ones: parting from them at the last bit, at bit 254, at the first.
      const absent = [
        flipBit(flipBit(base, 254), 255),
        flipBit(base, 200),
        flipBit(flipBit(base, 0), 1),
      ].filter((k) => !entries.some(([e]) => hex(e) === hex(k)));
      checkProofs(map, entries, absent);
    }
  });

  test('does not depend on insertion order, and a replaced value changes it like a rebuild', () => {
    const entries = random(40);
    const reversed = new KtMap();
    for (const [key, value] of [...entries].reverse()) reversed.set(key, value);
    expect(hex(reversed.root())).toBe(hex(KtMap.fromEntries(entries).root()));
    const [key] = entries[7] as Entry;
    const value = _sodium.randombytes_buf(32);
    reversed.set(key, value);
    const changed = entries.map(([k, v]): Entry => [k, k === key ? value : v]);
    expect(hex(reversed.root())).toBe(hex(ktRootNaive(changed)));
    expect(reversed.size).toBe(40);
  });

  test('setting a key to the value it has changes nothing', () => {
    const entries = random(10);
    const map = KtMap.fromEntries(entries);
    const before = hex(map.root());
    const [key, value] = entries[3] as Entry;
    map.set(key, value.slice());
    expect(hex(map.root())).toBe(before);
    expect(map.size).toBe(10);
  });

  test('fromEntries keeps the last value of a repeated key, like a Map', () => {
    const [[key, first], [, second]] = random(2) as [Entry, Entry];
    const map = KtMap.fromEntries([
      [key, first],
      [key, second],
    ]);
    expect(map.size).toBe(1);
    expect(hex(map.get(key) ?? new Uint8Array())).toBe(hex(second));
    expect(hex(map.root())).toBe(hex(ktRootNaive([[key, second]])));
  });
});

describe('KtMap proofs', () => {
  test('every key of a random map proves its value, and random absent keys prove absence', () => {
    const entries = random(300);
    checkProofs(
      KtMap.fromEntries(entries),
      entries,
      random(100).map(([k]) => k),
    );
  });

  test('the empty map proves every key absent with no sibling given', () => {
    const proof = new KtMap().prove(_sodium.randombytes_buf(32));
    expect(proof.siblings).toEqual([]);
    expect(hex(proof.bitmap)).toBe('00'.repeat(32));
    expect(ktVerifyProof(ktDefaultHash(256), new Uint8Array(32), null, proof)).toBe(true);
  });

  test('the only key of a map needs no sibling; another key needs one, at the depth they part', () => {
    const key = new Uint8Array(32);
    const map = KtMap.fromEntries([[key, new Uint8Array(32).fill(1)]]);
    expect(map.prove(key).siblings).toEqual([]);
    const other = flipBit(key, 100);
    const proof = map.prove(other);
    expect(proof.siblings).toHaveLength(1);
    expect(hex(proof.bitmap)).toBe(hex(flipBit(new Uint8Array(32), 100))); // the sibling at depth 101
    expect(ktVerifyProof(map.root(), other, null, proof)).toBe(true);
  });

  test('a proof is canonical: no given sibling is the default for its height', () => {
    const map = KtMap.fromEntries(random(200));
    for (const [key] of random(50)) {
      const proof = map.prove(key);
      let next = 0;
      for (let i = 0; i < KT_DEPTH; i++) {
        if (((proof.bitmap[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) {
          expect(hex(proof.siblings[next++] ?? new Uint8Array())).not.toBe(
            hex(ktDefaultHash(KT_DEPTH - 1 - i)),
          );
        }
      }
      expect(next).toBe(proof.siblings.length);
    }
  });

  describe('tampering', () => {
    let map: KtMap;
    let key: Uint8Array;
    let value: Uint8Array;
    let proof: KtProof;
    beforeAll(() => {
      const entries = random(64);
      map = KtMap.fromEntries(entries);
      [key, value] = entries[5] as Entry;
      proof = map.prove(key);
      expect(proof.siblings.length).toBeGreaterThan(2);
    });
    const verify = (p: KtProof, k = key, v: Uint8Array | null = value, r = map.root()) =>
      ktVerifyProof(r, k, v, p);

    test('every single flipped bit of a sibling makes it false', () => {
      for (const [i, sibling] of proof.siblings.entries()) {
        for (let bit = 0; bit < 256; bit += 37) {
          const siblings = proof.siblings.map((s, j) => (j === i ? flipBit(sibling, bit) : s));
          expect(verify({ ...proof, siblings })).toBe(false);
        }
      }
    });

    test('every single flipped bit of the key, the value or the root makes it false', () => {
      for (let bit = 0; bit < 256; bit++) {
        expect(verify(proof, flipBit(key, bit))).toBe(false);
        expect(verify(proof, key, flipBit(value, bit))).toBe(false);
        expect(verify(proof, key, value, flipBit(map.root(), bit))).toBe(false);
      }
    });

    test('every single flipped bit of the bitmap is a FormatError (the count no longer matches)', () => {
      for (let bit = 0; bit < 256; bit++) {
        expectError(
          () => verify({ ...proof, bitmap: flipBit(proof.bitmap, bit) }),
          FormatError,
          'ktVerifyProof',
        );
      }
    });

    test('a sibling moved to another depth makes it false', () => {
      const set = [...Array(256).keys()].filter((i) => ((proof.bitmap[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
      const last = set.at(-1) as number;
      const free = [...Array(256).keys()].find((i) => i > (set.at(-2) ?? -1) && !set.includes(i)) as number;
      expect(verify({ ...proof, bitmap: flipBit(flipBit(proof.bitmap, last), free) })).toBe(false);
    });

    test('a default sibling spelled out, or one sibling too many or too few, is a FormatError', () => {
      // Random keys never share 255 bits, so depth 256 has no sibling given: spell out D(0) there.
      expect((proof.bitmap[31] ?? 0) & 1).toBe(0);
      const spelled: KtProof = {
        bitmap: flipBit(proof.bitmap, 255),
        siblings: [...proof.siblings, ktDefaultHash(0)],
      };
      for (const bad of [
        spelled,
        { ...proof, siblings: [...proof.siblings, _sodium.randombytes_buf(32)] },
        { ...proof, siblings: proof.siblings.slice(1) },
      ]) {
        expectError(() => verify(bad), FormatError, 'ktVerifyProof');
        expectError(() => ktProofToWire(bad), FormatError, 'ktProofToWire');
      }
    });

    test('malformed lengths are KeyErrors, a malformed shape a FormatError', () => {
      expectError(() => verify({ ...proof, bitmap: new Uint8Array(31) }), KeyError, 'ktVerifyProof');
      const short = proof.siblings.map((s, i) => (i === 0 ? s.subarray(1) : s));
      expectError(() => verify({ ...proof, siblings: short }), KeyError, 'ktVerifyProof');
      expectError(() => verify(proof, new Uint8Array(31)), KeyError, 'ktVerifyProof');
      expectError(() => verify(proof, key, new Uint8Array(33)), KeyError, 'ktVerifyProof');
      expectError(() => verify(proof, key, value, new Uint8Array(0)), KeyError, 'ktVerifyProof');
      expectError(() => verify({ bitmap: proof.bitmap } as KtProof), FormatError, 'ktVerifyProof');
    });
  });

  test('the wire form round-trips and is checked as strictly as ktVerifyProof', () => {
    const entries = random(30);
    const map = KtMap.fromEntries(entries);
    const [key, value] = entries[0] as Entry;
    const wire = ktProofToWire(map.prove(key));
    expect(WireKtProofSchema.safeParse(wire).success).toBe(true);
    expect(ktVerifyProof(map.root(), key, value, ktProofFromWire(JSON.parse(JSON.stringify(wire))))).toBe(
      true,
    );
    const tooMany = { ...wire, siblings: [...wire.siblings, wire.siblings[0]] };
    for (const bad of [tooMany, { ...wire, bitmap: `${wire.bitmap}=` }, { bitmap: wire.bitmap }, null, 'x']) {
      expectError(() => ktProofFromWire(bad), FormatError, 'ktProofFromWire');
    }
    const defaults = {
      bitmap: _sodium.to_base64(flipBit(new Uint8Array(32), 255), 7),
      siblings: ['A'.repeat(43)],
    };
    expectError(() => ktProofFromWire(defaults), FormatError, 'ktProofFromWire'); // D(0) given at depth 256
  });
});

describe('KtMap as a collection', () => {
  test('get returns copies of present values and undefined for absent keys', () => {
    const entries = random(20);
    const map = KtMap.fromEntries(entries);
    for (const [key, value] of entries) expect(hex(map.get(key) ?? new Uint8Array())).toBe(hex(value));
    expect(map.get(flipBit((entries[0] as Entry)[0], 255))).toBeUndefined();
    (map.get((entries[0] as Entry)[0]) as Uint8Array).fill(0);
    expect(hex(map.get((entries[0] as Entry)[0]) ?? new Uint8Array())).toBe(hex((entries[0] as Entry)[1]));
  });

  test('entries lists every pair in increasing key order, as the map was when called', () => {
    const entries = random(25);
    const map = KtMap.fromEntries(entries);
    const listed = map.entries();
    map.set(_sodium.randombytes_buf(32), _sodium.randombytes_buf(32));
    const got = [...listed].map(([k, v]) => [hex(k), hex(v)]);
    expect(got).toEqual(
      entries.map(([k, v]) => [hex(k), hex(v)]).sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1)),
    );
    expect([...map.entries()]).toHaveLength(26);
  });

  test('the map keeps its own copies: changing the caller’s buffers changes nothing', () => {
    const entries = random(5);
    const map = KtMap.fromEntries(entries);
    const root = hex(map.root());
    for (const [k, v] of entries) {
      k.fill(0);
      v.fill(0);
    }
    map.root().fill(1);
    map.prove(new Uint8Array(32)).siblings.forEach((s) => {
      s.fill(2);
    });
    expect(hex(map.root())).toBe(root);
  });

  test('clone is independent: changes to either do not show in the other', () => {
    const entries = random(30);
    const map = KtMap.fromEntries(entries);
    const copy = map.clone();
    const before = hex(map.root());
    copy.set(_sodium.randombytes_buf(32), _sodium.randombytes_buf(32));
    expect(hex(map.root())).toBe(before);
    expect(map.size).toBe(30);
    expect(copy.size).toBe(31);
    map.set((entries[0] as Entry)[0], _sodium.randombytes_buf(32));
    expect(hex(copy.get((entries[0] as Entry)[0]) ?? new Uint8Array())).toBe(hex((entries[0] as Entry)[1]));
    expect(hex(copy.root())).toBe(hex(ktRootNaive([...copy.entries()])));
  });

  test('refuses keys and values that are not 32 bytes, and entries that are not pairs', () => {
    const map = new KtMap();
    const ok = new Uint8Array(32);
    expectError(() => map.set(new Uint8Array(31), ok), KeyError, 'KtMap.set');
    expectError(() => map.set(ok, new Uint8Array(33)), KeyError, 'KtMap.set');
    expectError(() => map.get(new Uint8Array(0)), KeyError, 'KtMap.get');
    expectError(() => map.prove(new Uint8Array(64)), KeyError, 'KtMap.prove');
    expectError(() => KtMap.fromEntries([[ok, new Uint8Array(1)]]), KeyError, 'KtMap.fromEntries');
    const notPairs = [null, 5, {}, [[ok]], [ok]] as unknown as Iterable<Entry>[];
    for (const bad of notPairs) expectError(() => KtMap.fromEntries(bad), FormatError, 'KtMap.fromEntries');
    expect(map.size).toBe(0);
  });
});

describe('hashing engines', () => {
  test('the fast engine is in use, and the portable one gives the same roots and proofs', () => {
    expect(useEngine('fast')).toBe(true);
    const entries = random(60);
    const absent = random(10).map(([k]) => k);
    const fast = KtMap.fromEntries(entries);
    const fastProofs = absent.map((k) => ktProofToWire(fast.prove(k)));
    useEngine('portable');
    const portable = KtMap.fromEntries(entries);
    expect(hex(portable.root())).toBe(hex(fast.root()));
    expect(absent.map((k) => ktProofToWire(portable.prove(k)))).toEqual(fastProofs);
    checkProofs(portable, entries.slice(0, 10), absent);
    useEngine('fast');
    expect(hex(ktRootNaive(entries))).toBe(hex(fast.root()));
  });
});

describe('scale', () => {
  test('fromEntries of 10,000 keys takes seconds, not minutes, and proofs stay cheap', () => {
    const entries = random(10_000);
    const started = Date.now();
    const map = KtMap.fromEntries(entries);
    const built = Date.now() - started;
    const keys = [...entries.slice(0, 200).map(([k]) => k), ...random(200).map(([k]) => k)];
    const proving = Date.now();
    const proofs = keys.map((k) => map.prove(k));
    const proved = Date.now() - proving;
    const verifying = Date.now();
    const root = map.root();
    for (const [i, key] of keys.entries()) {
      const value = i < 200 ? (entries[i] as Entry)[1] : null;
      expect(ktVerifyProof(root, key, value, proofs[i] as KtProof)).toBe(true);
    }
    const verified = Date.now() - verifying;
    const grow = Date.now();
    for (const [key, value] of random(500)) map.set(key, value);
    const grown = Date.now() - grow;
    const log = (globalThis as unknown as { console: { log(line: string): void } }).console;
    log.log(
      `KtMap: fromEntries(10,000) ${built} ms; ${keys.length} proves ${proved} ms; ` +
        `${keys.length} verifies ${verified} ms; 500 sets ${grown} ms`,
    );
    expect(map.size).toBe(10_500);
    expect(built).toBeLessThan(5_000);
    expect(proved / keys.length).toBeLessThan(1);
  });
});
