// Mentions: `@username` in a text. The sender resolves them against the channel's members and signs
// the user ids into the payload (`mentions`); a receiver whose id is there was mentioned. Usernames
// are 3-32 of a-z 0-9 . _ - and compared without case; a trailing `.`, `_` or `-` (the end of a
// sentence) is dropped when the name with it is nobody's.
import { MAX_MENTIONS } from '@parley/crypto-core';

export interface MentionToken {
  /** Index of the `@`. */
  start: number;
  /** Index after the name. */
  end: number;
  /** The name as written, without `@`. */
  name: string;
}

// An `@` that does not continue a word or an address (`bob@example.org` is no mention).
const TOKEN = /(?<![\p{L}\p{N}_.@-])@([a-z0-9._-]{1,40})/giu;

/** Every `@name` in the text, in order. */
export function mentionTokens(text: string): MentionToken[] {
  const out: MentionToken[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const name = m[1] ?? '';
    out.push({ start: m.index, end: m.index + 1 + name.length, name });
  }
  return out;
}

/**
 * The user a token names, and how many characters of the name belong to it: the whole name, or
 * the name without trailing punctuation.
 */
export function resolveMention<T>(
  name: string,
  byUsername: (username: string) => T | undefined,
): { user: T; length: number } | undefined {
  for (let length = name.length; length >= 3; length--) {
    if (length < name.length && !/[._-]/.test(name[length] ?? '')) break;
    const user = byUsername(name.slice(0, length).toLowerCase());
    if (user !== undefined) return { user, length };
  }
  return undefined;
}

/** The ids of the members the text mentions, each once, in order of first mention. */
export function mentionedIds(text: string, members: readonly { id: string; username: string }[]): string[] {
  const byName = new Map(members.map((m) => [m.username.toLowerCase(), m.id]));
  const ids: string[] = [];
  for (const token of mentionTokens(text)) {
    const hit = resolveMention(token.name, (u) => byName.get(u));
    if (hit && !ids.includes(hit.user)) ids.push(hit.user);
    if (ids.length === MAX_MENTIONS) break;
  }
  return ids;
}
