import type { ChannelSummary } from '@parley/server/protocol';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../client';
import { buildRows, channelTitle, type PendingLike, type Row, sortChannels, systemText } from './chat-model';

const ME = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const T = Date.UTC(2025, 5, 1, 12, 0);

function msg(seq: number, senderId: string, sentAt: number, extra: Partial<MessageView> = {}): MessageView {
  return {
    channelId: 'c',
    seq,
    senderId,
    sentAt,
    status: 'ok',
    clientMsgId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    keyId: 1,
    text: `m${seq}`,
    ...extra,
  };
}

function channel(
  kind: ChannelSummary['kind'],
  id: string,
  name: string | null,
  members: string[],
): ChannelSummary {
  return {
    id,
    kind,
    name,
    memberEpoch: 1,
    logLength: 0,
    lastSeq: 0,
    joinedSeq: 0,
    readSeq: 0,
    unread: 0,
    members: members.map((userId) => ({ userId, role: 'member', joinedSeq: 0 })),
  };
}

const kinds = (rows: Row[]) => rows.map((r) => (r.kind === 'msg' ? `msg${r.continued ? '+' : ''}` : r.kind));

describe('buildRows', () => {
  it('hides edits and reactions, but keeps a row where the server withheld around one, and forged edits', () => {
    const rows = buildRows(
      [
        msg(1, BOB, T),
        msg(2, BOB, T + 1000, { status: 'control' }),
        msg(3, BOB, T + 2000, { status: 'control', flags: ['withheld'] }),
        msg(4, BOB, T + 3000, { status: 'rejected' }),
        msg(5, BOB, T + 4000),
      ],
      [],
      'UTC',
      new Map(),
    );
    expect(rows.filter((r) => r.kind === 'msg').map((r) => (r.kind === 'msg' ? r.msg.seq : 0))).toEqual([
      1, 3, 4, 5,
    ]);
    // The notes break a sender's run of messages.
    expect(kinds(rows)).toEqual(['edge', 'day', 'msg', 'msg', 'msg', 'msg']);
  });

  it('starts with the history edge and puts a day separator before each day', () => {
    const rows = buildRows(
      [msg(1, BOB, T), msg(2, BOB, T + 60_000), msg(3, ME, T + 86_400_000)],
      [],
      'UTC',
      new Map(),
    );
    expect(kinds(rows)).toEqual(['edge', 'day', 'msg', 'msg+', 'day', 'msg']);
  });

  it('groups consecutive messages of one sender within five minutes, but never system entries', () => {
    const sys = msg(3, BOB, T + 120_000, {
      status: 'system',
      system: { event: 'join', userId: BOB, actorId: null, logIndex: null },
    });
    const rows = buildRows(
      [msg(1, BOB, T), msg(2, BOB, T + 60_000), sys, msg(4, BOB, T + 180_000), msg(5, BOB, T + 900_000)],
      [],
      'UTC',
      new Map(),
    );
    expect(kinds(rows)).toEqual(['edge', 'day', 'msg', 'msg+', 'msg', 'msg', 'msg']);
  });

  it('appends pending sends and drops those already in the timeline', () => {
    const sent = msg(1, ME, Date.now());
    const pending: PendingLike[] = [
      {
        clientMsgId: sent.clientMsgId as string,
        text: 'm1',
        createdAt: Date.now(),
        state: 'pending',
        error: null,
      },
      { clientMsgId: 'p-2', text: 'later', createdAt: Date.now(), state: 'failed', error: 'offline' },
    ];
    const rows = buildRows([sent], pending, 'UTC', new Map());
    expect(kinds(rows)).toEqual(['edge', 'day', 'msg', 'pending']);
    // A pending row keeps the key its message will have once sent, so the list does not jump.
    expect(rows[2]?.key).toBe(`m:${sent.clientMsgId}`);
    expect(rows[3]?.key).toBe('m:p-2');
  });

  it('reuses row objects whose content did not change', () => {
    const cache = new Map<string, Row>();
    const a = msg(1, BOB, T);
    const first = buildRows([a], [], 'UTC', cache);
    const second = buildRows([a, msg(2, ME, T + 1000)], [], 'UTC', cache);
    expect(second[2]).toBe(first[2]);
    const replaced = buildRows([{ ...a, status: 'deleted' }], [], 'UTC', cache);
    expect(replaced[2]).not.toBe(first[2]);
  });

  it('gives every row a unique key', () => {
    const list = Array.from({ length: 500 }, (_, i) => msg(i + 1, i % 3 ? ME : BOB, T + i * 3_600_000));
    const rows = buildRows(list, [], 'Europe/Berlin', new Map());
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });
});

describe('channelTitle and sortChannels', () => {
  const names: Record<string, string> = { [ME]: 'Me', [BOB]: 'Bob' };
  const user = (id: string) => ({ displayName: names[id] ?? '?' });

  it('names broadcast, groups by name and DMs by the peer', () => {
    expect(channelTitle(channel('broadcast', 'broadcast', null, [ME]), ME, user)).toBe('Broadcast');
    expect(channelTitle(channel('group', 'g', 'planning', [ME]), ME, user)).toBe('planning');
    expect(channelTitle(channel('dm', 'd', null, [ME, BOB]), ME, user)).toBe('Bob');
    expect(channelTitle(undefined, ME, user)).toBe('Conversation');
  });

  it('sorts into broadcast, groups and DMs, alphabetically', () => {
    const list = [
      channel('group', 'g2', 'zeta', [ME]),
      channel('dm', 'd', null, [ME, BOB]),
      channel('broadcast', 'broadcast', null, [ME]),
      channel('group', 'g1', 'alpha', [ME]),
    ];
    const s = sortChannels(list, (c) => channelTitle(c, ME, user));
    expect(s.broadcast.map((c) => c.id)).toEqual(['broadcast']);
    expect(s.groups.map((c) => c.id)).toEqual(['g1', 'g2']);
    expect(s.dms.map((c) => c.id)).toEqual(['d']);
  });
});

describe('membership entries', () => {
  const names: Record<string, string> = { [ME]: 'Alice', [BOB]: 'Bob' };
  const name = (id: string | null) => (id ? (names[id] ?? '?') : '?');
  const sys = (
    seq: number,
    event: 'create' | 'join' | 'leave' | 'remove',
    userId: string,
    actorId: string | null,
  ) =>
    msg(seq, userId, T + seq, {
      status: 'system',
      clientMsgId: null,
      system: { event, userId, actorId, logIndex: null },
    });
  // What the relay writes when Alice opens a DM with Bob or creates a group and invites him.
  const created = [sys(1, 'create', ME, ME), sys(2, 'join', ME, ME), sys(3, 'join', BOB, ME)];
  const texts = (rows: Row[], kind: ChannelSummary['kind']) =>
    rows.flatMap((r) => (r.kind === 'msg' ? [systemText(r.msg, name, kind)] : []));

  it('shows a new DM as started by its creator, once, for both members', () => {
    expect(texts(buildRows(created, [], 'UTC', new Map(), 'dm'), 'dm')).toEqual([
      'Alice started this conversation',
    ]);
    // Bob's history starts at his own join.
    expect(texts(buildRows(created.slice(2), [], 'UTC', new Map(), 'dm'), 'dm')).toEqual([
      'Alice started this conversation',
    ]);
  });

  it('shows a new group as created, then each invite, and keeps later joins and leaves', () => {
    const later = [sys(4, 'leave', BOB, null), sys(5, 'join', BOB, ME), sys(6, 'remove', BOB, ME)];
    expect(texts(buildRows([...created, ...later], [], 'UTC', new Map(), 'group'), 'group')).toEqual([
      'Alice created this channel',
      'Alice added Bob',
      'Bob left',
      'Alice added Bob',
      'Alice removed Bob',
    ]);
    // The creator's history starts at their own join.
    expect(texts(buildRows(created.slice(1), [], 'UTC', new Map(), 'group'), 'group')).toEqual([
      'Alice created this channel',
      'Alice added Bob',
    ]);
  });

  it('shows Broadcast joins as joins', () => {
    expect(
      texts(buildRows([sys(7, 'join', BOB, null)], [], 'UTC', new Map(), 'broadcast'), 'broadcast'),
    ).toEqual(['Bob joined']);
  });
});
