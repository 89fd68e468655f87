// Reactions: signed `reaction` payloads ({target, emoji, on}) folded into counts per message. Each
// user toggles each emoji: per (user, target, emoji) the newest reaction in seq order wins. Only
// the small set below is shown; anything else (a later client's emoji, or a member's junk) is
// ignored. Pure: takes one channel's judged entries in seq order.
import type { MessageView } from './messages';

/** The emoji the picker offers, in the order they are shown. */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

const ORDER = new Map<string, number>(REACTION_EMOJI.map((e, i) => [e, i]));

export function isReactionEmoji(emoji: string): emoji is ReactionEmoji {
  return ORDER.has(emoji);
}

export interface ReactionSummary {
  emoji: string;
  count: number;
  /** Who has it on, in the order they put it. */
  users: readonly string[];
  /** I have it on. */
  mine: boolean;
}

/** Reactions in force, by target clientMsgId; emoji in REACTION_EMOJI order. */
export function collectReactions(
  entries: readonly MessageView[],
  me: string,
): Map<string, ReactionSummary[]> {
  // target → emoji → users with it on (a Map keeps the order they put it in).
  const state = new Map<string, Map<string, Map<string, true>>>();
  for (const m of entries) {
    const r = m.payload;
    if (m.status !== 'control' || r?.kind !== 'reaction' || m.senderId === null) continue;
    if (!isReactionEmoji(r.emoji)) continue;
    let byEmoji = state.get(r.target);
    if (!byEmoji) {
      byEmoji = new Map();
      state.set(r.target, byEmoji);
    }
    let users = byEmoji.get(r.emoji);
    if (!users) {
      users = new Map();
      byEmoji.set(r.emoji, users);
    }
    if (!r.on) users.delete(m.senderId);
    else if (!users.has(m.senderId)) users.set(m.senderId, true);
  }
  const out = new Map<string, ReactionSummary[]>();
  for (const [target, byEmoji] of state) {
    const list: ReactionSummary[] = [];
    for (const [emoji, users] of byEmoji) {
      if (users.size === 0) continue;
      const ids = [...users.keys()];
      list.push({ emoji, count: ids.length, users: ids, mine: users.has(me) });
    }
    list.sort((a, b) => (ORDER.get(a.emoji) ?? 0) - (ORDER.get(b.emoji) ?? 0));
    if (list.length > 0) out.set(target, list);
  }
  return out;
}

/** What a click on `emoji` sends: on, unless I have it on already. */
export function toggledOn(reactions: readonly ReactionSummary[] | undefined, emoji: string): boolean {
  return !(reactions ?? []).some((r) => r.emoji === emoji && r.mine);
}
