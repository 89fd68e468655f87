import type { MemberEntry, Payload } from '@parley/crypto-core';
import { describe, expect, it } from 'vitest';
import type { MessageView } from './messages';
import { judgeTimeline, MAX_CLOCK_SKEW_MS } from './timeline-integrity';

const T = 1_700_000_000_000;
const ALICE = 'alice';
const BOB = 'bob';

function msg(
  seq: number,
  senderId: string,
  id: string,
  extra: Partial<Payload> = {},
  at = T + seq,
): MessageView {
  const payload = { v: 1, kind: 'text', sentAt: at, text: id, ...extra } as Payload;
  return {
    channelId: 'c',
    seq,
    senderId,
    sentAt: T + seq,
    status: 'ok',
    clientMsgId: id,
    keyId: 1,
    payload,
    text: payload.kind === 'text' ? payload.text : undefined,
    signedAt: at,
  } as MessageView;
}

function tombstone(seq: number, senderId: string, id: string): MessageView {
  return { channelId: 'c', seq, senderId, sentAt: T + seq, status: 'deleted', clientMsgId: id, keyId: 1 };
}

const dm = { kind: 'dm' as const, logEntry: () => undefined };
const judged = (entries: MessageView[]) => judgeTimeline(entries, dm);

describe('judgeTimeline', () => {
  it('leaves an honest timeline as it is', () => {
    const entries = [
      msg(1, ALICE, 'a1'),
      msg(2, BOB, 'b1', { after: 'a1' }),
      msg(3, ALICE, 'a2', { after: 'b1' }),
    ];
    expect(judged(entries)).toEqual(entries);
  });

  it('shows a replayed (senderId, clientMsgId) once, the copy as a replay without its text', () => {
    const out = judged([msg(1, ALICE, 'a1'), msg(2, BOB, 'b1'), msg(3, ALICE, 'a1')]);
    expect(out.map((m) => m.status)).toEqual(['ok', 'ok', 'replay']);
    expect(out[2]?.text).toBeUndefined();
    // The same clientMsgId from another sender is another message.
    expect(judged([msg(1, ALICE, 'x'), msg(2, BOB, 'x')]).map((m) => m.status)).toEqual(['ok', 'ok']);
  });

  it('deletes only on the sender’s signed delete, and calls any other tombstone a removal by the server', () => {
    const signed = msg(3, ALICE, 'd1', { kind: 'delete', target: 'a1' } as Partial<Payload>);
    const out = judged([tombstone(1, ALICE, 'a1'), tombstone(2, BOB, 'b1'), signed]);
    expect(out.map((m) => m.status)).toEqual(['deleted', 'removed', 'control']);
    // A signed delete hides its target even when the relay kept the ciphertext.
    expect(judged([msg(1, ALICE, 'a1'), signed])[0]?.status).toBe('deleted');
    // Nobody deletes someone else's message: Bob's delete of a1 does nothing.
    const forged = msg(3, BOB, 'd2', { kind: 'delete', target: 'a1' } as Partial<Payload>);
    expect(judged([msg(1, ALICE, 'a1'), forged])[0]?.status).toBe('ok');
  });

  it('flags a message whose `after` the server shows later as out of order', () => {
    const out = judged([msg(1, ALICE, 'a2', { after: 'a1' }), msg(2, ALICE, 'a1')]);
    expect(out[0]?.flags).toEqual(['out-of-order']);
    expect(out[1]?.flags).toBeUndefined();
  });

  it('marks a withheld message when the sender had seen one the receiver lacks, the seqs between all held', () => {
    const out = judged([
      msg(1, ALICE, 'a1'),
      msg(2, BOB, 'b1', { after: 'a1' }),
      msg(3, ALICE, 'a3', { after: 'a2' }),
    ]);
    expect(out[2]?.flags).toEqual(['withheld']);
  });

  it('does not cry withheld for what may predate the receiver, or while a page is missing', () => {
    // Bob's first message names one from before the receiver joined: nothing proves it is withheld.
    expect(judged([msg(5, BOB, 'b1', { after: 'older' })])[0]?.flags).toBeUndefined();
    // Alice's earlier message is held but seq 2 is not loaded yet.
    const gap = judged([msg(1, ALICE, 'a1'), msg(3, ALICE, 'a3', { after: 'a2' })]);
    expect(gap[1]?.flags).toBeUndefined();
  });

  it('flags a signed time more than 10 minutes from the relay’s', () => {
    const late = msg(1, ALICE, 'a1', {}, T + 1 + MAX_CLOCK_SKEW_MS + 1);
    const fine = msg(2, ALICE, 'a2', {}, T + 2 + MAX_CLOCK_SKEW_MS - 1);
    const out = judged([late, fine]);
    expect(out[0]?.flags).toEqual(['clock-skew']);
    expect(out[1]?.flags).toBeUndefined();
  });

  it('renders group notices only where the verified log backs them', () => {
    const entry = { action: 'add', actorId: ALICE, subjectId: BOB } as MemberEntry;
    const ctx = { kind: 'group' as const, logEntry: (i: number) => (i === 1 ? entry : undefined) };
    const notice = (seq: number, event: 'join' | 'leave', logIndex: number | null): MessageView => ({
      channelId: 'c',
      seq,
      senderId: null,
      sentAt: T,
      status: 'system',
      clientMsgId: null,
      keyId: null,
      system: { event, userId: BOB, actorId: event === 'join' ? ALICE : BOB, logIndex },
    });
    const out = judgeTimeline([notice(1, 'join', 1), notice(2, 'leave', null), notice(3, 'leave', 1)], ctx);
    expect(out.map((m) => m.flags)).toEqual([undefined, ['unsigned-notice'], ['unsigned-notice']]);
    // DMs and broadcast have no log: their notices are the relay's by nature.
    expect(judgeTimeline([notice(1, 'leave', null)], dm)[0]?.flags).toBeUndefined();
  });
});
