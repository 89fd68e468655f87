import { describe, expect, it } from 'vitest';
import { react, text } from './fixture-views';
import type { MessageView } from './messages';
import { collectReactions, toggledOn } from './reactions';
import { enrichTimeline } from './rich-timeline';
import { judgeTimeline } from './timeline-integrity';

const ALICE = 'alice';
const BOB = 'bob';
const CAROL = 'carol';
const judged = (entries: MessageView[]) =>
  judgeTimeline(entries, { kind: 'group', logEntry: () => undefined });

describe('reactions', () => {
  it('counts each user once per emoji, and says who and whether I am one of them', () => {
    const r = collectReactions(
      judged([
        text(1, ALICE, 'a1'),
        react(2, BOB, 'r1', 'a1', '👍'),
        react(3, CAROL, 'r2', 'a1', '👍'),
        react(4, BOB, 'r3', 'a1', '👍'), // again: still one
        react(5, ALICE, 'r4', 'a1', '🎉'),
      ]),
      ALICE,
    ).get('a1');
    expect(r).toEqual([
      { emoji: '👍', count: 2, users: [BOB, CAROL], mine: false },
      { emoji: '🎉', count: 1, users: [ALICE], mine: true },
    ]);
  });

  it('toggles: the newest reaction per user and emoji wins, and an emoji nobody has goes away', () => {
    const base = [
      text(1, ALICE, 'a1'),
      react(2, BOB, 'r1', 'a1', '❤️'),
      react(3, BOB, 'r2', 'a1', '❤️', false),
    ];
    expect(collectReactions(judged(base), ALICE).get('a1')).toBeUndefined();
    const again = [...base, react(4, BOB, 'r3', 'a1', '❤️')];
    expect(collectReactions(judged(again), ALICE).get('a1')?.[0]?.count).toBe(1);
  });

  it('says what a click sends: on unless mine is on', () => {
    const mine = [{ emoji: '👍', count: 1, users: [ALICE], mine: true }];
    expect(toggledOn(mine, '👍')).toBe(false);
    expect(toggledOn(mine, '😂')).toBe(true);
    expect(toggledOn(undefined, '👍')).toBe(true);
  });

  it('ignores emoji outside the set and replayed reactions', () => {
    const entries = [
      text(1, ALICE, 'a1'),
      react(2, BOB, 'r1', 'a1', 'FREE'),
      react(3, CAROL, 'r2', 'a1', '😂'),
      react(4, CAROL, 'r2', 'a1', '😂'), // the relay delivers the same message again
    ];
    const out = enrichTimeline(judged(entries), ALICE);
    expect(out[0]?.reactions).toEqual([{ emoji: '😂', count: 1, users: [CAROL], mine: false }]);
    expect(out[3]?.status).toBe('replay');
  });

  it('are not rows, and attach to their target once it is held', () => {
    const early = enrichTimeline(judged([react(5, BOB, 'r1', 'a1', '👍')]), ALICE);
    expect(early.map((m) => m.status)).toEqual(['control']);
    const later = enrichTimeline(judged([text(1, ALICE, 'a1'), react(5, BOB, 'r1', 'a1', '👍')]), ALICE);
    expect(later[0]?.reactions?.[0]?.users).toEqual([BOB]);
  });
});
