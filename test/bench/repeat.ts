// Warm-up, repeats and order. On a shared 2-core machine one run of anything can be unlucky, and
// whatever runs first or last in a sequence is systematically so: every variant is warmed up once,
// then run `rounds` times with the order rotated each round, and reported as median and range.
import { fmt } from './measure';

/** The samples of one figure and their median and extremes. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function spread(samples: number[]): Spread {
  const finite = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples };
  const mid = finite.length >> 1;
  const median =
    finite.length % 2 === 1
      ? (finite[mid] as number)
      : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
  return { median, min: finite[0] as number, max: finite.at(-1) as number, samples };
}

/** "median (min–max)". */
export function fmtSpread(s: Spread | undefined, digits = 1): string {
  if (!s || !Number.isFinite(s.median)) return 'n/a';
  if (s.samples.length < 2) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** The spread of one numeric field over a list of results. */
export function spreadOf<R>(results: R[], pick: (r: R) => number): Spread {
  return spread(results.map(pick));
}

/**
 * Runs every variant once to warm it up (result discarded), then `rounds` rounds in which round r
 * starts at variant r (mod n). Returns each variant's results in round order.
 */
export async function rotate<V, R>(
  variants: readonly V[],
  rounds: number,
  run: (variant: V, round: number) => Promise<R>,
  opts: { warmUp?: (variant: V) => Promise<unknown> } = {},
): Promise<Map<V, R[]>> {
  const results = new Map<V, R[]>(variants.map((v) => [v, []]));
  for (const v of variants) await (opts.warmUp ? opts.warmUp(v) : run(v, -1));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + round) % variants.length] as V;
      results.get(v)?.push(await run(v, round));
    }
  }
  return results;
}
