// Key-transparency proofs (DESIGN §7.5): the 256 siblings along one key's path in the tree of
// kt-tree.ts, the default ones left out and a 256-bit bitmap saying which are given. Rebuilding the
// root from the key and its value (or from the empty slot) shows that the map under that root holds
// exactly that value for the key (or none). It says nothing about any other key, nor about whether
// the root is the one everybody else sees: that is the signed, chained heads' job (kt-head.ts).
import { z } from 'zod';
import {
  base64Field,
  base64UrlOf,
  checkBytes,
  checkObject,
  constantTimeEqual,
  parseWire,
  toBase64,
} from './bytes';
import { FormatError } from './errors';
import { defaultAt, KT_DEPTH, KT_HASH_BYTES, keyBit, leafHash, nodeHash } from './kt-tree';

/** Length of a proof's bitmap: one bit per depth 1..256. */
export const KT_BITMAP_BYTES = KT_DEPTH / 8;

/**
 * A path proof. Bit i of `bitmap` (most significant bit of byte 0 first) is set iff the sibling at
 * depth i + 1 is given; `siblings` are the given ones, shallowest (depth 1) first. A sibling equal to
 * the default for its height is never given, so one path has exactly one proof.
 */
export interface KtProof {
  bitmap: Uint8Array;
  siblings: Uint8Array[];
}

/** Checks a proof's shape and canonical form; errors are `${fn}: …` (internal). */
function checkProof(fn: string, proof: KtProof): void {
  checkObject(fn, 'proof', proof);
  checkBytes(fn, 'proof.bitmap', proof.bitmap, KT_BITMAP_BYTES);
  const { siblings } = proof;
  if (!Array.isArray(siblings)) throw new FormatError(`${fn}: proof.siblings must be an array`);
  let next = 0;
  for (let i = 0; i < KT_DEPTH; i++) {
    if (keyBit(proof.bitmap, i) === 0) continue;
    if (next >= siblings.length) {
      throw new FormatError(`${fn}: proof.siblings has ${siblings.length}, fewer than the bitmap's set bits`);
    }
    const sibling = checkBytes(fn, `proof.siblings[${next}]`, siblings[next], KT_HASH_BYTES);
    // Depth i + 1 has height 255 - i. A default spelled out would give a second proof of one path.
    if (constantTimeEqual(sibling, defaultAt(KT_DEPTH - 1 - i))) {
      throw new FormatError(
        `${fn}: proof.siblings[${next}] (depth ${i + 1}) is the default and must be left out`,
      );
    }
    next++;
  }
  if (next !== siblings.length) {
    throw new FormatError(`${fn}: proof.siblings has ${siblings.length}, the bitmap sets ${next} bits`);
  }
}

/**
 * Whether `proof` shows that the map under `root` holds `value` for `key` (value null: holds
 * nothing for it). Recomputes the root from the leaf slot up: the slot is
 * ktLeafNodeHash(key, value), or D(0) for null; at each depth d from 256 to 1 the sibling is the
 * given one or D(256 - d), on the left iff key bit d - 1 is 1. Returns false when the result is
 * not `root`. Throws KeyError (lengths) or FormatError (bitmap and siblings disagree, a default
 * sibling given) for a malformed proof, which no honest relay sends.
 */
export function ktVerifyProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | null,
  proof: KtProof,
): boolean {
  const fn = 'ktVerifyProof';
  checkBytes(fn, 'root', root, KT_HASH_BYTES);
  checkBytes(fn, 'key', key, KT_HASH_BYTES);
  if (value !== null) checkBytes(fn, 'value', value, KT_HASH_BYTES);
  checkProof(fn, proof);
  let hash = value === null ? defaultAt(0) : leafHash(key, value);
  let next = proof.siblings.length - 1;
  for (let d = KT_DEPTH; d >= 1; d--) {
    const sibling =
      keyBit(proof.bitmap, d - 1) === 1 ? (proof.siblings[next--] as Uint8Array) : defaultAt(KT_DEPTH - d);
    hash = keyBit(key, d - 1) === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
  }
  return constantTimeEqual(hash, root);
}

/** A proof on the wire (JSON): bitmap and siblings as canonical unpadded base64url. */
export const WireKtProofSchema = z.object({
  bitmap: base64UrlOf(KT_BITMAP_BYTES),
  siblings: z.array(base64UrlOf(KT_HASH_BYTES)).max(KT_DEPTH),
});
export type WireKtProof = z.infer<typeof WireKtProofSchema>;

export function ktProofToWire(proof: KtProof): WireKtProof {
  checkProof('ktProofToWire', proof);
  return { bitmap: toBase64(proof.bitmap), siblings: proof.siblings.map((s) => toBase64(s)) };
}

/**
 * Parses a wire proof (an already JSON-parsed value) and checks its canonical form as
 * ktVerifyProof does. Throws FormatError (schema, bitmap and siblings disagree, a default sibling).
 */
export function ktProofFromWire(wire: unknown): KtProof {
  const fn = 'ktProofFromWire';
  const w = parseWire(fn, 'proof', WireKtProofSchema, wire);
  const proof: KtProof = {
    bitmap: base64Field(fn, 'bitmap', w.bitmap),
    siblings: w.siblings.map((s, i) => base64Field(fn, `siblings[${i}]`, s)),
  };
  checkProof(fn, proof);
  return proof;
}
