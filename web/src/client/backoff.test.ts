import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const opts = { baseMs: 100, maxMs: 5_000, factor: 2 };

describe('backoffDelay', () => {
  it('doubles with each attempt', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800]);
  });

  it('is capped at maxMs', () => {
    expect(backoffDelay(30, opts, () => 1)).toBe(5_000);
  });

  it('keeps half the delay fixed and jitters the other half', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(600);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, opts)));
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(800);
    expect(seen.size).toBeGreaterThan(1);
  });
});
