// Key-transparency tree (DESIGN §7.5): a plain sparse Merkle tree of depth 256 over 32-byte keys,
// leaf-node hash BLAKE2b-256(0x00 || key || value), node hash BLAKE2b-256(0x01 || left || right),
// every empty subtree of height h hashed as the default D(h). Its root commits to one value (or
// none) per key, as long as BLAKE2b-256 is collision resistant. This file is the definition (bit
// order, hashes, defaults) and the hashing of paths; kt-proof.ts checks one path, kt-map.ts keeps
// a whole tree.
import { checkBytes, constantTimeEqual } from './bytes';
import { CryptoError, FormatError } from './errors';
import { type Sodium, sodium } from './sodium';

/** Length of a map key, a value, and every hash of the tree (BLAKE2b-256). */
export const KT_HASH_BYTES = 32;
/** Depth of the tree: one level per key bit. The root is at depth 0, the leaf slots at 256. */
export const KT_DEPTH = 256;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const INPUT_BYTES = 1 + 2 * KT_HASH_BYTES;

/** Bit `depth` of a 32-byte string, most significant bit of byte 0 first (internal). */
export function keyBit(key: Uint8Array, depth: number): number {
  return ((key[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;
}

/** Sets bit `depth` of a 32-byte string, in keyBit's order (internal). */
export function setBit(bits: Uint8Array, depth: number): void {
  bits[depth >> 3] = (bits[depth >> 3] ?? 0) | (0x80 >> (depth & 7));
}

/** The first bit position in from..to-1 at which `a` and `b` differ, or -1 (internal). */
export function firstDiffBit(a: Uint8Array, b: Uint8Array, from: number, to: number): number {
  for (let d = from; d < to; d = (d | 7) + 1) {
    const i = d >> 3;
    const x = ((a[i] ?? 0) ^ (b[i] ?? 0)) & (0xff >> (d & 7));
    if (x !== 0) {
      const bit = i * 8 + Math.clz32(x) - 24;
      return bit < to ? bit : -1;
    }
  }
  return -1;
}

/**
 * How the tree's hashes are computed: libsodium's crypto_generichash either way. A map of n keys
 * takes about n × 250 of them, so the fast engine calls libsodium's compiled function on its own
 * heap, sparing the wrapper's two allocations and copies per call (about 3× faster); it is used
 * only if the loaded module offers it and agrees with the wrapper at start.
 */
interface Engine {
  /** BLAKE2b-256(prefix || a || b) for 32-byte a and b. */
  hash(prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array;
  /**
   * Climbs `key`'s path from `hash` at depth `from` to depth `to` past empty neighbours (default
   * siblings). Returns the path's hashes at depths to, to + 1, … (at most `kept`, and not below
   * `from`), concatenated.
   */
  climb(hash: Uint8Array, key: Uint8Array, from: number, to: number, kept: number): Uint8Array;
}

let engine: Engine | null = null;
let engines: { fast: Engine | null; portable: Engine } | null = null;
let defaults: Uint8Array[] = [];

function climbWith(
  node: (left: Uint8Array, right: Uint8Array) => Uint8Array,
  hash: Uint8Array,
  key: Uint8Array,
  from: number,
  to: number,
  kept: number,
): Uint8Array {
  const n = Math.min(kept, from - to + 1);
  const out = new Uint8Array(n * KT_HASH_BYTES);
  if (from - to < n) out.set(hash, (from - to) * KT_HASH_BYTES);
  let h = hash;
  for (let d = from; d > to; d--) {
    const sibling = defaults[KT_DEPTH - d] as Uint8Array;
    h = keyBit(key, d - 1) === 0 ? node(h, sibling) : node(sibling, h);
    if (d - 1 - to < n) out.set(h, (d - 1 - to) * KT_HASH_BYTES);
  }
  return out;
}

function wrapperEngine(s: Sodium): Engine {
  const input = new Uint8Array(INPUT_BYTES); // reused: libsodium copies its input
  const hash = (prefix: number, a: Uint8Array, b: Uint8Array) => {
    input[0] = prefix;
    input.set(a, 1);
    input.set(b, 1 + KT_HASH_BYTES);
    return s.crypto_generichash(KT_HASH_BYTES, input, null);
  };
  const node = (left: Uint8Array, right: Uint8Array) => hash(NODE_PREFIX, left, right);
  return { hash, climb: (h, key, from, to, kept) => climbWith(node, h, key, from, to, kept) };
}

/** libsodium's Emscripten module, as the wrappers expose it (`sodium.libsodium`). */
interface Module {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  /** (out, outlen, in, inlen low 32 bits, inlen high 32 bits, key, keylen) → 0 */
  _crypto_generichash(
    out: number,
    outLen: number,
    input: number,
    lo: number,
    hi: number,
    k: number,
    kLen: number,
  ): number;
}

function heapEngine(s: Sodium): Engine | null {
  const m = (s as unknown as { libsodium?: Partial<Module> }).libsodium;
  if (typeof m?._malloc !== 'function' || typeof m._crypto_generichash !== 'function') return null;
  if (!(m.HEAPU8 instanceof Uint8Array)) return null;
  const mod = m as Module;
  // One block for the module's lifetime: the input, the output, then D(0..256).
  const input = mod._malloc(INPUT_BYTES + KT_HASH_BYTES + (KT_DEPTH + 1) * KT_HASH_BYTES);
  if (!input) return null;
  const output = input + INPUT_BYTES;
  const table = output + KT_HASH_BYTES;
  for (const [h, d] of defaults.entries()) mod.HEAPU8.set(d, table + h * KT_HASH_BYTES);
  const run = () => {
    if (mod._crypto_generichash(output, KT_HASH_BYTES, input, INPUT_BYTES, 0, 0, 0) !== 0) {
      throw new CryptoError('crypto-core: BLAKE2b failed');
    }
  };
  return {
    hash(prefix, a, b) {
      const heap = mod.HEAPU8; // read each time: the heap's view is replaced when memory grows
      heap[input] = prefix;
      heap.set(a, input + 1);
      heap.set(b, input + 1 + KT_HASH_BYTES);
      run();
      return mod.HEAPU8.slice(output, output + KT_HASH_BYTES);
    },
    climb(hash, key, from, to, kept) {
      const n = Math.min(kept, from - to + 1);
      const out = new Uint8Array(n * KT_HASH_BYTES);
      if (from - to < n) out.set(hash, (from - to) * KT_HASH_BYTES);
      mod.HEAPU8.set(hash, output);
      for (let d = from; d > to; d--) {
        const heap = mod.HEAPU8;
        const sibling = table + (KT_DEPTH - d) * KT_HASH_BYTES;
        const onLeft = keyBit(key, d - 1) === 0;
        heap[input] = NODE_PREFIX;
        heap.copyWithin(onLeft ? input + 1 : input + 1 + KT_HASH_BYTES, output, output + KT_HASH_BYTES);
        heap.copyWithin(onLeft ? input + 1 + KT_HASH_BYTES : input + 1, sibling, sibling + KT_HASH_BYTES);
        run();
        if (d - 1 - to < n)
          out.set(mod.HEAPU8.subarray(output, output + KT_HASH_BYTES), (d - 1 - to) * KT_HASH_BYTES);
      }
      return out;
    },
  };
}

/** Whether two engines give the same hashes, on leaves, nodes and a long climb. */
function agree(a: Engine, b: Engine): boolean {
  const x = defaults[7] as Uint8Array;
  const y = defaults[200] as Uint8Array;
  return (
    constantTimeEqual(a.hash(LEAF_PREFIX, x, y), b.hash(LEAF_PREFIX, x, y)) &&
    constantTimeEqual(a.hash(NODE_PREFIX, y, x), b.hash(NODE_PREFIX, y, x)) &&
    constantTimeEqual(a.climb(x, y, KT_DEPTH, 0, KT_DEPTH + 1), b.climb(x, y, KT_DEPTH, 0, KT_DEPTH + 1))
  );
}

function loaded(): Engine {
  if (engine !== null) return engine;
  const s = sodium();
  const portable = wrapperEngine(s);
  const table: Uint8Array[] = [new Uint8Array(KT_HASH_BYTES)]; // D(0): an empty leaf slot
  for (let h = 1; h <= KT_DEPTH; h++) {
    const below = table[h - 1] as Uint8Array;
    table.push(portable.hash(NODE_PREFIX, below, below));
  }
  defaults = table;
  let fast: Engine | null = null;
  try {
    fast = heapEngine(s);
    if (fast !== null && !agree(fast, portable)) fast = null;
  } catch {
    fast = null;
  }
  engines = { fast, portable };
  engine = fast ?? portable;
  return engine;
}

/**
 * Picks the engine (internal, for tests that compare the two). Returns false, changing nothing,
 * when the fast one is not available.
 */
export function useEngine(kind: 'fast' | 'portable'): boolean {
  loaded();
  const chosen = kind === 'fast' ? engines?.fast : engines?.portable;
  if (!chosen) return false;
  engine = chosen;
  return true;
}

/** D(height) for 0..256 (internal: the shared table, never handed out). */
export function defaultAt(height: number): Uint8Array {
  loaded();
  return defaults[height] as Uint8Array;
}

/** BLAKE2b-256(0x00 || key || value), unchecked (internal). */
export function leafHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  return loaded().hash(LEAF_PREFIX, key, value);
}

/** BLAKE2b-256(0x01 || left || right), unchecked (internal). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return loaded().hash(NODE_PREFIX, left, right);
}

/** Engine.climb (internal): `key`'s path from depth `from` up to `to`, past empty neighbours. */
export function climb(hash: Uint8Array, key: Uint8Array, from: number, to: number, kept: number): Uint8Array {
  return loaded().climb(hash, key, from, to, kept);
}

/** The leaf-node hash BLAKE2b-256(0x00 || key || value) of a present key. KeyError on lengths. */
export function ktLeafNodeHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  checkBytes('ktLeafNodeHash', 'key', key, KT_HASH_BYTES);
  checkBytes('ktLeafNodeHash', 'value', value, KT_HASH_BYTES);
  return leafHash(key, value);
}

/** The hash BLAKE2b-256(0x01 || left || right) of an inner node. KeyError on lengths. */
export function ktNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  checkBytes('ktNodeHash', 'left', left, KT_HASH_BYTES);
  checkBytes('ktNodeHash', 'right', right, KT_HASH_BYTES);
  return nodeHash(left, right);
}

/**
 * The hash of an empty subtree of `height` (= 256 - depth): D(0) is 32 zero bytes (an empty leaf
 * slot), D(h) = ktNodeHash(D(h-1), D(h-1)); D(256) is the root of the empty map. A copy.
 */
export function ktDefaultHash(height: number): Uint8Array {
  if (typeof height !== 'number' || !Number.isInteger(height) || height < 0 || height > KT_DEPTH) {
    throw new FormatError(`ktDefaultHash: height must be an integer in 0..${KT_DEPTH}`);
  }
  return defaultAt(height).slice();
}
