// What a conversation really says, judged from signed data only (DESIGN §7.3). The relay orders
// the timeline, but it cannot forge, replay, reorder, withhold or delete a message unseen:
// - a message is one (senderId, clientMsgId): a second copy is a replay, shown as such;
// - only the sender's signed `delete` deletes; a tombstone without one was removed by the server;
// - `after` names the newest message the sender had seen: one held later in the timeline means
//   the server reordered; one missing where the receiver must have it means it was withheld;
// - the signed `sentAt` is shown, and a skew of more than 10 minutes from the relay's is flagged;
// - in a group, membership notices are rendered from the verified log, never from the relay;
// - deletes, edits and reactions are messages too (they have seqs and may be named by `after`):
//   they are judged like the rest and become `control` entries, keeping their flags.
// Pure: takes the decrypted entries of one channel in seq order and returns what to show.
import type { MemberEntry } from '@parley/crypto-core';
import type { MessageView } from './messages';

/** Relay and sender clocks further apart than this are flagged (DESIGN §7.3). */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

export type IntegrityFlag =
  /** The server withheld a message that the sender had seen before this one. */
  | 'withheld'
  /** The sender wrote this after a message the server shows later: the order was changed. */
  | 'out-of-order'
  /** The sender's signed time and the relay's differ by more than 10 minutes. */
  | 'clock-skew'
  /** A membership notice from the server that no signed log entry backs. */
  | 'unsigned-notice';

export interface IntegrityContext {
  kind: 'dm' | 'group' | 'broadcast';
  /** The verified membership-log entry at an index, for a group. */
  logEntry(index: number): MemberEntry | undefined;
}

const EVENT_OF: Record<MemberEntry['action'], 'create' | 'join' | 'remove' | 'leave'> = {
  create: 'create',
  add: 'join',
  remove: 'remove',
  leave: 'leave',
};

export function judgeTimeline(entries: readonly MessageView[], ctx: IntegrityContext): MessageView[] {
  const idOf = (senderId: string | null, clientMsgId: string | null) =>
    senderId !== null && clientMsgId !== null ? `${senderId}|${clientMsgId}` : null;

  // First pass: where each message first appears, and which the senders deleted themselves.
  const firstAt = new Map<string, number>();
  const signedDeletes = new Set<string>();
  for (const [i, m] of entries.entries()) {
    const id = idOf(m.senderId, m.clientMsgId);
    if (id !== null && !firstAt.has(id)) firstAt.set(id, i);
    if (m.status === 'ok' && m.payload?.kind === 'delete' && m.senderId !== null) {
      signedDeletes.add(`${m.senderId}|${m.payload.target}`);
    }
  }
  // A message's `after` may name one by any sender: index by clientMsgId alone.
  const heldAt = new Map<string, number>();
  for (const [id, i] of firstAt) heldAt.set(id.slice(id.indexOf('|') + 1), i);

  const lastBySender = new Map<string, number>();
  return entries.map((m, i) => {
    const id = idOf(m.senderId, m.clientMsgId);
    if (id !== null && firstAt.get(id) !== i) return strip(m, 'replay');
    const previousOwn = m.senderId === null ? undefined : lastBySender.get(m.senderId);
    if (m.senderId !== null && m.status !== 'system') lastBySender.set(m.senderId, i);

    if (m.status === 'system') return judgeNotice(m, ctx);
    if (m.status === 'deleted') return id !== null && signedDeletes.has(id) ? m : strip(m, 'removed');
    if (m.status !== 'ok' || !m.payload) return m;
    const control = CONTROL_KINDS.has(m.payload.kind);
    if (!control && id !== null && signedDeletes.has(id)) return strip(m, 'deleted');

    const flags: IntegrityFlag[] = [];
    if (Math.abs(m.payload.sentAt - m.sentAt) > MAX_CLOCK_SKEW_MS) flags.push('clock-skew');
    const after = m.payload.after;
    if (after !== undefined && after !== m.clientMsgId) {
      const at = heldAt.get(after);
      if (at !== undefined) {
        if (at > i) flags.push('out-of-order');
      } else if (previousOwn !== undefined && contiguous(entries, previousOwn, i)) {
        // The sender had seen its own earlier message, so the one it names came after that, while
        // the receiver was a member; the seqs in between are all here, and it is not.
        flags.push('withheld');
      }
    }
    if (control) {
      // Not a row of its own, but still a message of its sender: what the server did around it
      // is kept, so the conversation can say so where it happened.
      const shown = flags.filter((f) => f !== 'clock-skew');
      return shown.length > 0 ? { ...m, status: 'control', flags: shown } : { ...m, status: 'control' };
    }
    return flags.length > 0 ? { ...m, flags } : m;
  });
}

/**
 * Payload kinds that change another message instead of being one to read (a signed delete, an
 * edit, a reaction): status `control`, applied by rich-timeline.ts.
 */
const CONTROL_KINDS: ReadonlySet<string> = new Set(['delete', 'edit', 'reaction']);

/** A group notice as the verified log tells it; anything the log does not back is flagged. */
function judgeNotice(m: MessageView, ctx: IntegrityContext): MessageView {
  if (ctx.kind !== 'group' || !m.system) return m;
  const index = m.system.logIndex;
  const entry = index === null ? undefined : ctx.logEntry(index);
  if (
    entry === undefined ||
    EVENT_OF[entry.action] !== m.system.event ||
    entry.subjectId !== m.system.userId ||
    entry.actorId !== m.system.actorId
  ) {
    return { ...m, flags: ['unsigned-notice'] };
  }
  return m;
}

function strip(m: MessageView, status: 'replay' | 'removed' | 'deleted'): MessageView {
  const { text: _t, payload: _p, error: _e, retryable: _r, flags: _f, ...rest } = m;
  return { ...rest, status };
}

/** True when every seq between entries[a] and entries[b] is held (no page still missing). */
function contiguous(entries: readonly MessageView[], a: number, b: number): boolean {
  const first = entries[a];
  const last = entries[b];
  return first !== undefined && last !== undefined && last.seq - first.seq === b - a;
}
