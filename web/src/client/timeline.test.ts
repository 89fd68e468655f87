import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline';

const e = (seq: number, text = `m${seq}`) => ({ seq, text });
const seqs = (t: Timeline<{ seq: number }>) => t.entries().map((x) => x.seq);

describe('Timeline', () => {
  it('keeps entries ordered by seq whatever the arrival order', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    for (const s of [3, 1, 5, 2, 4]) t.insert(e(s));
    expect(seqs(t)).toEqual([1, 2, 3, 4, 5]);
    expect(t.head).toBe(5);
    expect(t.hasGap).toBe(false);
  });

  it('never holds two entries with the same seq', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    expect(t.insert(e(1))).toBe('added');
    expect(t.insert(e(1, 'again'))).toBe('duplicate');
    expect(t.size).toBe(1);
    expect(t.get(1)?.text).toBe('m1');
  });

  it('replaces an entry only when the preference says so', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    t.insert(e(1));
    expect(t.insert(e(1, 'tombstone'), (_old, next) => next.text === 'tombstone')).toBe('replaced');
    expect(t.get(1)?.text).toBe('tombstone');
    expect(t.size).toBe(1);
  });

  it('detects a gap and closes it when the missing entries arrive', () => {
    const t = new Timeline<{ seq: number; text: string }>(10);
    t.insert(e(11));
    t.insert(e(14));
    expect(t.head).toBe(11);
    expect(t.hasGap).toBe(true);
    t.applyPage(11, [e(12), e(13), e(14)]);
    expect(t.head).toBe(14);
    expect(t.hasGap).toBe(false);
    expect(seqs(t)).toEqual([11, 12, 13, 14]);
  });

  it('skips the range a page says does not exist for this member', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    const added = t.applyPage(0, [e(37), e(38)]);
    expect(added.map((x) => x.seq)).toEqual([37, 38]);
    expect(t.head).toBe(38);
    expect(t.hasGap).toBe(false);
  });

  it('anchors an untracked timeline at the first entry it sees', () => {
    const t = new Timeline<{ seq: number; text: string }>();
    expect(t.head).toBeNull();
    t.insert(e(7));
    expect(t.head).toBe(7);
  });

  it('holds older history below the head without moving it', () => {
    const t = new Timeline<{ seq: number; text: string }>(20);
    t.insert(e(21));
    t.insert(e(5));
    t.insert(e(6));
    expect(seqs(t)).toEqual([5, 6, 21]);
    expect(t.head).toBe(21);
    expect(t.minSeq).toBe(5);
  });

  it('advances the head over known-absent seqs but never moves it back', () => {
    const t = new Timeline<{ seq: number; text: string }>(3);
    t.insert(e(6));
    t.advanceHead(5);
    expect(t.head).toBe(6);
    t.advanceHead(2);
    expect(t.head).toBe(6);
  });

  it('updates an entry in place', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    t.insert(e(1));
    expect(t.update(1, (x) => ({ ...x, text: 'gone' }))?.text).toBe('gone');
    expect(t.update(2, (x) => x)).toBeUndefined();
  });

  it('forgets old entries on request without moving the head', () => {
    const t = new Timeline<{ seq: number; text: string }>(0);
    for (let s = 1; s <= 10; s++) t.insert(e(s));
    expect(t.trimBelow(8)).toBe(7);
    expect(seqs(t)).toEqual([8, 9, 10]);
    expect(t.head).toBe(10);
    expect(t.trimBelow(3)).toBe(0);
  });
});
