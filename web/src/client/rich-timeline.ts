// What edits, reactions, replies and mentions make of a judged timeline (after
// timeline-integrity.ts): texts take their newest accepted edit, messages carry their reactions
// and a preview of the message they answer, and edits signed by someone else than their target's
// sender become `rejected` entries. Everything comes from signed payloads; the relay's only part
// is the order. Pure, and cheap enough to run again whenever the channel's entries change.
import { resolveEdits } from './edits';
import type { MessageView } from './messages';
import { collectReactions } from './reactions';

/** What a reply shows of the message it answers. */
export interface ReplyPreview {
  clientMsgId: string;
  /**
   * `shown`: held and readable; `deleted`: its sender deleted it; `removed`: the server dropped
   * it; `unreadable`: held but not decrypted; `missing`: not held: in older history not loaded
   * yet, or never visible to me (sent before I joined, or withheld).
   */
  state: 'shown' | 'deleted' | 'removed' | 'unreadable' | 'missing';
  senderId?: string | null;
  /** For `shown`: the original's newest text. */
  text?: string;
}

export function enrichTimeline(entries: readonly MessageView[], me: string): MessageView[] {
  const edits = resolveEdits(entries);
  const reactions = collectReactions(entries, me);
  const out = entries.map((m, i): MessageView => {
    if (edits.rejected.has(i)) {
      return { ...m, status: 'rejected', error: 'an edit of a message that is not its sender’s' };
    }
    if (m.status !== 'ok' || m.payload?.kind !== 'text') return m;
    const versions = edits.versions.get(i);
    const newest = versions?.at(-1);
    const onIt = m.clientMsgId === null ? undefined : reactions.get(m.clientMsgId);
    const mentions = newest ? newest.mentions : m.payload.mentions;
    const mentionsMe = mentions?.includes(me) === true;
    if (!versions && !onIt && !mentionsMe) return m;
    return {
      ...m,
      ...(newest && versions ? { text: newest.text, edits: versions } : {}),
      ...(onIt ? { reactions: onIt } : {}),
      ...(mentionsMe ? { mentionsMe } : {}),
    };
  });
  return withReplies(out);
}

function withReplies(entries: MessageView[]): MessageView[] {
  const byId = new Map<string, MessageView>();
  for (const m of entries) {
    if (m.clientMsgId !== null && m.status !== 'replay' && !byId.has(m.clientMsgId))
      byId.set(m.clientMsgId, m);
  }
  return entries.map((m) => {
    const replyTo = m.status === 'ok' && m.payload?.kind === 'text' ? m.payload.replyTo : undefined;
    return replyTo === undefined ? m : { ...m, reply: previewOf(replyTo, byId.get(replyTo)) };
  });
}

function previewOf(clientMsgId: string, target: MessageView | undefined): ReplyPreview {
  if (!target) return { clientMsgId, state: 'missing' };
  const from = { clientMsgId, senderId: target.senderId };
  if (target.status === 'ok' && target.payload?.kind === 'text') {
    return { ...from, state: 'shown', text: target.text ?? '' };
  }
  if (target.status === 'deleted') return { ...from, state: 'deleted' };
  if (target.status === 'removed') return { ...from, state: 'removed' };
  return { ...from, state: 'unreadable' };
}
