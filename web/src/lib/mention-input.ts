// `@` completion in the composer: which partial name the caret is on, which members match it,
// and the text once one is chosen. Pure; the composer and MentionPopup do the rest.

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** What follows it up to the caret (may be empty). */
  query: string;
}

interface Candidate {
  username: string;
  displayName: string;
}

/** The `@partial` that ends at the caret, or null (an address such as `bob@example.org` is none). */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0 && /[a-z0-9._-]/i.test(text[i - 1] ?? '')) i--;
  if (i === 0 || text[i - 1] !== '@') return null;
  const before = text[i - 2];
  if (before !== undefined && /[\p{L}\p{N}_.@-]/u.test(before)) return null;
  return { start: i - 1, query: text.slice(i, caret) };
}

/** Members whose username or display name starts with the query (usernames first), at most `limit`. */
export function matchCandidates<T extends Candidate>(
  candidates: readonly T[],
  query: string,
  limit = 6,
): T[] {
  const q = query.toLowerCase();
  const byName = candidates.filter((c) => c.username.toLowerCase().startsWith(q));
  const byDisplay = candidates.filter(
    (c) =>
      !byName.includes(c) &&
      c.displayName
        .toLowerCase()
        .split(/\s+/)
        .some((w) => w.startsWith(q)),
  );
  return [...byName, ...byDisplay].slice(0, limit);
}

/** The text with `@query` replaced by `@username ` and where the caret goes. */
export function completeMention(
  text: string,
  at: MentionQuery,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const rest = text.slice(caret);
  const insert = `@${username}${rest.startsWith(' ') ? '' : ' '}`;
  return { text: text.slice(0, at.start) + insert + rest, caret: at.start + insert.length };
}
