// Edits: which signed `edit` payloads change which message. Only the target's own sender may edit
// it: the edit's signature proves who sent it, the target's envelope who sent the target, so an
// edit counts only when both are the same user. An edit whose target is not held (yet) is held
// back and applied as soon as the target arrives (the derivation runs again over the timeline).
// Pure: takes one channel's judged entries in seq order.
import type { MessageView } from './messages';

/** One version of a message's text: the original, or an edit of it. */
export interface EditVersion {
  text: string;
  /** The time its sender signed (ms). */
  at: number;
  seq: number;
  /** The users this version mentions. */
  mentions?: readonly string[];
}

export interface EditResolution {
  /** By index of the target entry: every version, the original first, when it was edited. */
  versions: Map<number, EditVersion[]>;
  /** Indexes of edits signed by someone other than their target's sender. */
  rejected: Set<number>;
  /** Indexes of edits whose target is not held: applied when it arrives. */
  held: Set<number>;
}

export function resolveEdits(entries: readonly MessageView[]): EditResolution {
  const bySender = new Map<string, number>();
  const byId = new Map<string, number[]>();
  for (const [i, m] of entries.entries()) {
    if (m.clientMsgId === null || m.senderId === null || m.status === 'replay') continue;
    const key = `${m.senderId}|${m.clientMsgId}`;
    if (!bySender.has(key)) bySender.set(key, i);
    byId.set(m.clientMsgId, [...(byId.get(m.clientMsgId) ?? []), i]);
  }

  const versions = new Map<number, EditVersion[]>();
  const rejected = new Set<number>();
  const held = new Set<number>();
  for (const [i, m] of entries.entries()) {
    const edit = m.payload;
    if (m.status !== 'control' || edit?.kind !== 'edit' || m.senderId === null) continue;
    const own = bySender.get(`${m.senderId}|${edit.target}`);
    const target = own === undefined ? undefined : entries[own];
    if (own !== undefined && target) {
      if (target.status === 'ok' && target.payload?.kind === 'text') {
        const list = versions.get(own) ?? [original(target, target.payload)];
        list.push({ text: edit.text, at: edit.sentAt, seq: m.seq, ...mentionsOf(edit.mentions) });
        versions.set(own, list);
      } else if (target.status === 'undecryptable') {
        held.add(i);
      }
      // An edit of a deleted message, or of something that is not a text, changes nothing.
      continue;
    }
    // No message of the editor's has that id: if an authenticated one of someone else's does,
    // the edit is forged; otherwise the target has not arrived.
    const others = (byId.get(edit.target) ?? []).map((j) => entries[j]);
    if (others.some((t) => t?.status === 'ok' && t.senderId !== m.senderId)) rejected.add(i);
    else held.add(i);
  }
  return { versions, rejected, held };
}

function original(
  m: MessageView,
  payload: { text: string; sentAt: number; mentions?: string[] | undefined },
): EditVersion {
  return { text: payload.text, at: payload.sentAt, seq: m.seq, ...mentionsOf(payload.mentions) };
}

function mentionsOf(mentions: readonly string[] | undefined): { mentions?: readonly string[] } {
  return mentions ? { mentions } : {};
}
