// A message's text cut into what is shown as text, as a link, and as a mention (RichText.tsx builds
// the DOM nodes). A `@name` is a mention only of a user the sender signed into `mentions`.
import { mentionTokens, resolveMention } from '../client/mentions';
import { linkify } from './linkify';

export interface MentionedUser {
  id: string;
  username: string;
  displayName: string;
}

export type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; user: MentionedUser };

/** Splits text into text, links and mentions of `mentioned` (by their usernames). */
export function pieces(text: string, mentioned: readonly MentionedUser[]): Piece[] {
  const byName = new Map(mentioned.map((u) => [u.username.toLowerCase(), u]));
  const out: Piece[] = [];
  for (const seg of linkify(text)) {
    if (seg.kind === 'link' || byName.size === 0) {
      out.push(seg);
      continue;
    }
    let at = 0;
    for (const token of mentionTokens(seg.text)) {
      const hit = resolveMention(token.name, (u) => byName.get(u));
      if (!hit) continue;
      if (token.start > at) out.push({ kind: 'text', text: seg.text.slice(at, token.start) });
      const end = token.start + 1 + hit.length;
      out.push({ kind: 'mention', text: seg.text.slice(token.start, end), user: hit.user });
      at = end;
    }
    if (at < seg.text.length) out.push({ kind: 'text', text: seg.text.slice(at) });
  }
  return out;
}
