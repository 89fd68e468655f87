// Pure layout math for the virtual list: prefix offsets from measured (or estimated) heights and
// the index range that intersects a viewport. Kept DOM-free so it can be unit tested.

/** offsets[i] = top of item i; offsets[n] = total height. */
export function computeOffsets(
  keys: readonly string[],
  heights: ReadonlyMap<string, number>,
  estimate: number,
) {
  const offsets = new Float64Array(keys.length + 1);
  for (let i = 0; i < keys.length; i++) {
    offsets[i + 1] = (offsets[i] ?? 0) + (heights.get(keys[i] as string) ?? estimate);
  }
  return offsets;
}

/** Index of the item containing pixel `y` (clamped to [0, n-1]); -1 for an empty list. */
export function indexAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** [start, end) of the items to render for a viewport, with `overscan` pixels either side. */
export function visibleRange(
  offsets: Float64Array,
  scrollTop: number,
  viewport: number,
  overscan: number,
): [number, number] {
  const n = offsets.length - 1;
  if (n <= 0) return [0, 0];
  const start = indexAt(offsets, Math.max(0, scrollTop - overscan));
  const end = indexAt(offsets, scrollTop + viewport + overscan) + 1;
  return [start, Math.min(n, end)];
}
