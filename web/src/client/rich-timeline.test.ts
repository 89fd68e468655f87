import { describe, expect, it } from 'vitest';
import { del, edit, react, text } from './fixture-views';
import type { MessageView } from './messages';
import { enrichTimeline } from './rich-timeline';
import { judgeTimeline } from './timeline-integrity';

const ALICE = 'alice';
const BOB = 'bob';
const shown = (entries: MessageView[], me = ALICE) =>
  enrichTimeline(judgeTimeline(entries, { kind: 'group', logEntry: () => undefined }), me);

describe('replies', () => {
  it('quote the original’s sender and newest text', () => {
    const out = shown([
      text(1, ALICE, 'a1', 'lunch?'),
      edit(2, ALICE, 'e1', 'a1', 'lunch at 1?'),
      text(3, BOB, 'b1', 'yes', { replyTo: 'a1' }),
    ]);
    expect(out[2]?.reply).toEqual({
      clientMsgId: 'a1',
      state: 'shown',
      senderId: ALICE,
      text: 'lunch at 1?',
    });
  });

  it('say when the original is deleted, removed by the server, or not held', () => {
    const deleted = shown([
      text(1, ALICE, 'a1'),
      del(2, ALICE, 'd1', 'a1'),
      text(3, BOB, 'b1', 'r', { replyTo: 'a1' }),
    ]);
    expect(deleted[2]?.reply?.state).toBe('deleted');
    const tombstone: MessageView = { ...text(1, ALICE, 'a1'), status: 'deleted' };
    const removed = shown([tombstone, text(3, BOB, 'b1', 'r', { replyTo: 'a1' })]);
    expect(removed[1]?.reply?.state).toBe('removed');
    expect(shown([text(3, BOB, 'b1', 'r', { replyTo: 'old' })])[0]?.reply).toEqual({
      clientMsgId: 'old',
      state: 'missing',
    });
  });
});

describe('mentions of me', () => {
  it('mark a message whose newest version names me', () => {
    const out = shown([
      text(1, BOB, 'b1', 'hey @alice', { mentions: [ALICE] }),
      text(2, BOB, 'b2', 'hey all'),
      text(3, BOB, 'b3', 'hey @carol', { mentions: ['carol'] }),
    ]);
    expect(out.map((m) => m.mentionsMe === true)).toEqual([true, false, false]);
  });
});

describe('integrity with hidden entries', () => {
  it('keeps the withheld mark of a reaction, which is no row of its own', () => {
    // Bob had seen b2, which the server withholds from us, before he reacted; seqs 1-3 are all held.
    const reaction = react(3, BOB, 'r1', 'a1', '👍');
    const out = shown([
      text(1, BOB, 'b1'),
      text(2, ALICE, 'a1', 'x', { after: 'b1' }),
      { ...reaction, payload: { ...(reaction.payload as object), after: 'b2' } } as MessageView,
    ]);
    expect(out[2]?.status).toBe('control');
    expect(out[2]?.flags).toEqual(['withheld']);
    expect(out[1]?.reactions?.[0]?.users).toEqual([BOB]);
  });

  it('lets a message name a reaction or an edit as its `after` without a false alarm', () => {
    const out = shown([
      text(1, ALICE, 'a1'),
      react(2, BOB, 'r1', 'a1', '👍'),
      edit(3, ALICE, 'e1', 'a1', 'a1!'),
      text(4, BOB, 'b1', 'next', { after: 'e1' }),
    ]);
    expect(out[3]?.flags).toBeUndefined();
    expect(out[0]?.text).toBe('a1!');
  });
});
