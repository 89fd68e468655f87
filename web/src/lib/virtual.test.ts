import { describe, expect, it } from 'vitest';
import { computeOffsets, indexAt, visibleRange } from './virtual';

describe('virtual list layout', () => {
  const keys = ['a', 'b', 'c', 'd'];
  const heights = new Map([
    ['a', 10],
    ['c', 30],
  ]);

  it('uses measured heights and the estimate for the rest', () => {
    expect(Array.from(computeOffsets(keys, heights, 20))).toEqual([0, 10, 30, 60, 80]);
  });

  it('finds the row under a pixel', () => {
    const o = computeOffsets(keys, heights, 20);
    expect(indexAt(o, 0)).toBe(0);
    expect(indexAt(o, 9.9)).toBe(0);
    expect(indexAt(o, 10)).toBe(1);
    expect(indexAt(o, 59)).toBe(2);
    expect(indexAt(o, 1000)).toBe(3);
    expect(indexAt(computeOffsets([], heights, 20), 0)).toBe(-1);
  });

  it('renders only rows that intersect the viewport plus overscan', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const o = computeOffsets(many, new Map(), 50);
    const [start, end] = visibleRange(o, 250_000, 500, 100);
    expect(start).toBe(4998);
    expect(end).toBe(5013);
    expect(visibleRange(computeOffsets([], new Map(), 50), 0, 500, 100)).toEqual([0, 0]);
  });
});
