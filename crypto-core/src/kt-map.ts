// Key-transparency map (DESIGN §7.5): the depth-256 sparse Merkle tree of kt-tree.ts held in memory
// as a binary radix (Patricia) trie over its keys, each node caching its subtree's hash and the
// hashes folded up its edge towards its parent, so that set() costs about 256 + log2(n) BLAKE2b
// calls, root() none, and prove() none for a present key. Nodes are immutable and shared between
// versions (set() copies the path it changes), so clone() is O(1). It computes roots and proofs;
// it proves nothing by itself: readers check proofs against signed heads (kt-proof.ts, kt-head.ts).
import { checkBytes, constantTimeEqual } from './bytes';
import { FormatError } from './errors';
import { KT_BITMAP_BYTES, type KtProof } from './kt-proof';
import {
  climb,
  defaultAt,
  firstDiffBit,
  KT_DEPTH,
  KT_HASH_BYTES,
  keyBit,
  leafHash,
  nodeHash,
  setBit,
} from './kt-tree';

/**
 * How many hashes of its edge a node keeps, from the top down. A key added under a node's edge
 * almost always parts from it within a few levels of the top (each level halves the chance), so
 * these spare refolding the whole edge when it is split or proved against, at 256 bytes a node.
 */
const KEPT_LEVELS = 8;

/** A node of the trie. It stands for the tree node at `depth` and the edge above it up to `top`. */
interface Node {
  /** KT_DEPTH for a leaf; for a branch, the depth whose key bit its two children differ in. */
  readonly depth: number;
  /** The leaf's key; for a branch, a key below it (all agree on bits 0..depth-1). */
  readonly key: Uint8Array;
  /** The leaf's value; null for a branch. */
  readonly value: Uint8Array | null;
  readonly left: Node | null;
  readonly right: Node | null;
  /** Hash of the tree node at `depth`. */
  readonly hash: Uint8Array;
  /** Depth just below the parent (parent.depth + 1), or 0 for the root of the trie. */
  readonly top: number;
  /** Hashes of the tree nodes on this node's path at depths top, top + 1, … (up to KEPT_LEVELS). */
  readonly folds: Uint8Array;
}

/** The node's path hashes at depths top, top + 1, … (KEPT_LEVELS of them, not below depth). */
function foldEdge(hash: Uint8Array, key: Uint8Array, depth: number, top: number): Uint8Array {
  return climb(hash, key, depth, top, KEPT_LEVELS);
}

/** The hash at depth `t` (node.top ≤ t ≤ node.depth) on the node's path: kept, or climbed to. */
function hashAt(node: Node, t: number): Uint8Array {
  const offset = (t - node.top) * KT_HASH_BYTES;
  if (offset < node.folds.length) return node.folds.subarray(offset, offset + KT_HASH_BYTES);
  return climb(node.hash, node.key, node.depth, t, 1);
}

/** The hash the parent sees: the node's path at depth `top`. */
function up(node: Node): Uint8Array {
  return node.folds.subarray(0, KT_HASH_BYTES);
}

function leaf(key: Uint8Array, value: Uint8Array, top: number): Node {
  const hash = leafHash(key, value);
  const folds = foldEdge(hash, key, KT_DEPTH, top);
  return { depth: KT_DEPTH, key, value, left: null, right: null, hash, top, folds };
}

function branch(depth: number, left: Node, right: Node, top: number): Node {
  const hash = nodeHash(up(left), up(right));
  const folds = foldEdge(hash, left.key, depth, top);
  return { depth, key: left.key, value: null, left, right, hash, top, folds };
}

/** The same subtree hung lower, under a new parent: its edge now starts at `top`. */
function lowered(node: Node, top: number): Node {
  const offset = (top - node.top) * KT_HASH_BYTES;
  const folds =
    offset < node.folds.length ? node.folds.subarray(offset) : foldEdge(node.hash, node.key, node.depth, top);
  return { ...node, top, folds };
}

/** `node` with key set to value: the same object if nothing changed. Copies only the path. */
function insert(node: Node, key: Uint8Array, value: Uint8Array, added: { yes: boolean }): Node {
  const part = firstDiffBit(key, node.key, node.top, node.depth);
  if (part >= 0) {
    // The key leaves this edge at depth `part`: a new branch there, the old subtree on one side.
    added.yes = true;
    const fresh = leaf(key, value, part + 1);
    const old = lowered(node, part + 1);
    return keyBit(key, part) === 0 ? branch(part, fresh, old, node.top) : branch(part, old, fresh, node.top);
  }
  if (node.value !== null) {
    return constantTimeEqual(node.value, value) ? node : leaf(node.key, value, node.top);
  }
  const goRight = keyBit(key, node.depth) === 1;
  const child = (goRight ? node.right : node.left) as Node;
  const changed = insert(child, key, value, added);
  if (changed === child) return node;
  return goRight
    ? branch(node.depth, node.left as Node, changed, node.top)
    : branch(node.depth, changed, node.right as Node, node.top);
}

/** The trie of sorted, distinct entries[lo..hi-1], whose keys agree on bits 0..top-1. */
function build(entries: [Uint8Array, Uint8Array][], lo: number, hi: number, top: number): Node {
  const first = entries[lo] as [Uint8Array, Uint8Array];
  if (hi - lo === 1) return leaf(first[0], first[1], top);
  const last = (entries[hi - 1] as [Uint8Array, Uint8Array])[0];
  const depth = firstDiffBit(first[0], last, top, KT_DEPTH);
  // Sorted, so bit `depth` is 0 for a prefix of the range and 1 after: find the first 1.
  let zero = lo;
  let one = hi - 1;
  while (one - zero > 1) {
    const mid = (zero + one) >>> 1;
    if (keyBit((entries[mid] as [Uint8Array, Uint8Array])[0], depth) === 1) one = mid;
    else zero = mid;
  }
  return branch(depth, build(entries, lo, one, depth + 1), build(entries, one, hi, depth + 1), top);
}

/** In-order walk of a trie (nodes never change, so this is a snapshot). */
function* walk(root: Node | null): IterableIterator<[Uint8Array, Uint8Array]> {
  const stack: Node[] = root === null ? [] : [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.value !== null) yield [node.key.slice(), node.value.slice()];
    else stack.push(node.right as Node, node.left as Node);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** An in-memory key-transparency map: 32-byte keys to 32-byte values, with its root and proofs. */
export class KtMap {
  #root: Node | null = null;
  #size = 0;

  /**
   * A map of `entries` ([key, value] pairs of 32 bytes each; a repeated key keeps its last value),
   * built bottom-up: one hash per tree node on the paths of its keys. KeyError on lengths,
   * FormatError if it is not an iterable of pairs.
   */
  static fromEntries(entries: Iterable<[Uint8Array, Uint8Array]>): KtMap {
    const fn = 'KtMap.fromEntries';
    if (typeof (entries as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      throw new FormatError(`${fn}: entries must be an iterable of [key, value] pairs`);
    }
    const list: [Uint8Array, Uint8Array][] = [];
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new FormatError(`${fn}: entry ${list.length} is not a [key, value] pair`);
      }
      const key = checkBytes(fn, `key of entry ${list.length}`, entry[0], KT_HASH_BYTES);
      const value = checkBytes(fn, `value of entry ${list.length}`, entry[1], KT_HASH_BYTES);
      list.push([key.slice(), value.slice()]);
    }
    list.sort((a, b) => compareBytes(a[0], b[0])); // stable: a repeated key keeps its input order
    const distinct = list.filter(([key], i) => {
      const next = list[i + 1];
      return next === undefined || compareBytes(key, next[0]) !== 0;
    });
    const map = new KtMap();
    map.#root = distinct.length > 0 ? build(distinct, 0, distinct.length, 0) : null;
    map.#size = distinct.length;
    return map;
  }

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key` (a copy), or undefined. */
  get(key: Uint8Array): Uint8Array | undefined {
    checkBytes('KtMap.get', 'key', key, KT_HASH_BYTES);
    let node = this.#root;
    while (node !== null && node.value === null) {
      node = keyBit(key, node.depth) === 1 ? node.right : node.left;
    }
    return node !== null && constantTimeEqual(node.key, key) ? node.value?.slice() : undefined;
  }

  /** Inserts `key` or replaces its value. KeyError on lengths. */
  set(key: Uint8Array, value: Uint8Array): void {
    const fn = 'KtMap.set';
    checkBytes(fn, 'key', key, KT_HASH_BYTES);
    checkBytes(fn, 'value', value, KT_HASH_BYTES);
    if (this.#root === null) {
      this.#root = leaf(key.slice(), value.slice(), 0);
      this.#size = 1;
      return;
    }
    const added = { yes: false };
    this.#root = insert(this.#root, key.slice(), value.slice(), added);
    if (added.yes) this.#size++;
  }

  /** The root hash (a copy): D(256) for the empty map. */
  root(): Uint8Array {
    return this.#root === null ? defaultAt(KT_DEPTH).slice() : up(this.#root).slice();
  }

  /** The proof of `key`'s value, or of its absence, under root() (see ktVerifyProof). */
  prove(key: Uint8Array): KtProof {
    checkBytes('KtMap.prove', 'key', key, KT_HASH_BYTES);
    const bitmap = new Uint8Array(KT_BITMAP_BYTES);
    const siblings: Uint8Array[] = [];
    let node = this.#root;
    while (node !== null) {
      const part = firstDiffBit(key, node.key, node.top, node.depth);
      if (part >= 0) {
        // Absent: the key's path leaves this edge at `part`; its own side is empty from there down.
        setBit(bitmap, part);
        siblings.push(hashAt(node, part + 1).slice());
        break;
      }
      if (node.value !== null) break; // present
      const goRight = keyBit(key, node.depth) === 1;
      setBit(bitmap, node.depth);
      siblings.push(up((goRight ? node.left : node.right) as Node).slice());
      node = goRight ? node.right : node.left;
    }
    return { bitmap, siblings };
  }

  /** Every [key, value] (copies), in increasing key order, as the map was when called. */
  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    return walk(this.#root);
  }

  /** An independent copy, in O(1): the two share nodes, which never change. */
  clone(): KtMap {
    const copy = new KtMap();
    copy.#root = this.#root;
    copy.#size = this.#size;
    return copy;
  }
}
