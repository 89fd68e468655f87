// A deliberately naive key-transparency root, straight from the definition (README "Key
// transparency"), to check KtMap against: no trie, no caching, no shared code with kt-map.ts but
// the public node hashes. Slow (about 256 hashes per key); for tests only.
import { KT_DEPTH, ktDefaultHash, ktLeafNodeHash, ktNodeHash } from '../src/index';

const hexOf = (key: Uint8Array) => Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
const bit = (key: Uint8Array, depth: number) => ((key[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;

/**
 * The root of the tree holding `entries`: the hash at depth 0 of the subtree that holds the keys
 * whose first `depth` bits are a given prefix, computed recursively by splitting the keys on bit
 * `depth` (an empty subtree is the default for its height, a lone key at depth 256 its leaf hash).
 */
export function ktRootNaive(entries: Iterable<[Uint8Array, Uint8Array]>): Uint8Array {
  const byKey = new Map<string, [Uint8Array, Uint8Array]>();
  for (const [key, value] of entries) byKey.set(hexOf(key), [key, value]);
  const sorted = [...byKey.keys()].sort().map((k) => byKey.get(k) as [Uint8Array, Uint8Array]);
  return subtree(sorted, 0);
}

function subtree(entries: [Uint8Array, Uint8Array][], depth: number): Uint8Array {
  if (entries.length === 0) return ktDefaultHash(KT_DEPTH - depth);
  if (depth === KT_DEPTH) {
    const [only] = entries;
    if (!only || entries.length !== 1) throw new Error('two entries in one leaf slot');
    return ktLeafNodeHash(only[0], only[1]);
  }
  const left = entries.filter(([key]) => bit(key, depth) === 0);
  const right = entries.filter(([key]) => bit(key, depth) === 1);
  return ktNodeHash(subtree(left, depth + 1), subtree(right, depth + 1));
}
