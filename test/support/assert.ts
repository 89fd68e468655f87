// Small assertions shared by the integration tests.

/** The value, or a thrown error naming what was missing. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** True when the seqs are consecutive integers in increasing order (no gap, no duplicate). */
export function isGapFree(seqs: readonly number[]): boolean {
  return seqs.every((s, i) => i === 0 || s === (seqs[i - 1] as number) + 1);
}
