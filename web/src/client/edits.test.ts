import { describe, expect, it } from 'vitest';
import { del, edit, T0, text } from './fixture-views';
import type { MessageView } from './messages';
import { enrichTimeline } from './rich-timeline';
import { judgeTimeline } from './timeline-integrity';

const ALICE = 'alice';
const BOB = 'bob';
const shown = (entries: MessageView[]) =>
  enrichTimeline(judgeTimeline(entries, { kind: 'dm', logEntry: () => undefined }), ALICE);

describe('edits', () => {
  it('shows the newest edit by the sender, with every version in order', () => {
    const out = shown([
      text(1, ALICE, 'a1', 'helo'),
      edit(2, ALICE, 'e1', 'a1', 'hello'),
      edit(3, ALICE, 'e2', 'a1', 'hello!'),
    ]);
    expect(out[0]?.text).toBe('hello!');
    expect(out[0]?.edits?.map((v) => [v.text, v.seq, v.at])).toEqual([
      ['helo', 1, T0 + 1],
      ['hello', 2, T0 + 2],
      ['hello!', 3, T0 + 3],
    ]);
    // The edits themselves are not rows.
    expect(out.slice(1).map((m) => m.status)).toEqual(['control', 'control']);
  });

  it('rejects an edit signed by someone other than the target’s sender', () => {
    const out = shown([text(1, ALICE, 'a1', 'the plan'), edit(2, BOB, 'e1', 'a1', 'a forged plan')]);
    expect(out[0]?.text).toBe('the plan');
    expect(out[0]?.edits).toBeUndefined();
    expect(out[1]?.status).toBe('rejected');
  });

  it('applies an edit to the editor’s own message when another sender used the same id', () => {
    const out = shown([
      text(1, ALICE, 'x', 'alice'),
      text(2, BOB, 'x', 'bob'),
      edit(3, BOB, 'e1', 'x', 'bob!'),
    ]);
    expect(out.map((m) => m.text)).toEqual(['alice', 'bob!', undefined]);
    expect(out[2]?.status).toBe('control');
  });

  it('holds an edit whose target is not there yet, and applies it once the target arrives', () => {
    // The newest page is loaded first: the edit, not its target.
    const before = shown([text(60, BOB, 'b1'), edit(61, ALICE, 'e1', 'a1', 'fixed')]);
    expect(before.map((m) => m.status)).toEqual(['ok', 'control']);
    expect(before.some((m) => m.text === 'fixed')).toBe(false);
    // Then the older page with the target.
    const after = shown([
      text(1, ALICE, 'a1', 'fixd'),
      text(60, BOB, 'b1'),
      edit(61, ALICE, 'e1', 'a1', 'fixed'),
    ]);
    expect(after[0]?.text).toBe('fixed');
    expect(after[0]?.edits?.length).toBe(2);
  });

  it('holds a forged edit too until the target shows whose it is', () => {
    expect(shown([edit(2, BOB, 'e1', 'a1', 'forged')])[0]?.status).toBe('control');
    expect(shown([text(1, ALICE, 'a1'), edit(2, BOB, 'e1', 'a1', 'forged')])[1]?.status).toBe('rejected');
  });

  it('changes nothing on a deleted message, and a delete still wins over edits', () => {
    const out = shown([
      text(1, ALICE, 'a1', 'oops'),
      edit(2, ALICE, 'e1', 'a1', 'still oops'),
      del(3, ALICE, 'd1', 'a1'),
    ]);
    expect(out[0]?.status).toBe('deleted');
    expect(out[0]?.text).toBeUndefined();
  });

  it('ignores an edit that targets something other than a text (a reaction, an edit)', () => {
    const out = shown([
      text(1, ALICE, 'a1', 'one'),
      edit(2, ALICE, 'e1', 'a1', 'two'),
      edit(3, ALICE, 'e2', 'e1', 'x'),
    ]);
    expect(out[0]?.text).toBe('two');
    expect(out[2]?.status).toBe('control');
  });
});
