// Timing helpers for the benchmark harness: run a function repeatedly and report per-call cost.
// Benchmarks compare variants measured side by side in one run, so the ratios hold on a noisy
// machine even when the absolute numbers wander.

export interface Timing {
  perCallMicros: number;
  calls: number;
}

/** Calls `fn` for at least `minMillis` (after a warm-up) and returns the mean cost per call. */
export function time(fn: () => void, minMillis = 300): Timing {
  const warmUntil = performance.now() + minMillis / 5;
  while (performance.now() < warmUntil) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMillis) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return { perCallMicros: (elapsed * 1000) / calls, calls };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

const started = performance.now();

/** A progress line while a long section runs, with the time since the run started. */
export function progress(what: string): void {
  console.log(`· ${what}… (${fmt((performance.now() - started) / 1000, 0)} s)`);
}
