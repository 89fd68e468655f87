// Links in message text: `http(s)://…` and `www.…` become links, everything else stays text. Only
// http and https are ever an href (never `javascript:`, `data:` or `file:`), the href is the URL
// as the URL parser normalises it (an IDN host in punycode), and a URL with a user name or
// password (`https://bank.example@evil.example`) is left as text. The caller builds DOM nodes
// from the segments; nothing here is HTML. Nothing is fetched: a preview would tell the server,
// or the linked site, who reads what.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Longest URL turned into a link; longer ones stay text. */
export const MAX_URL_CHARS = 2048;

// A scheme or `www.` that does not continue a word, then anything up to whitespace or a character
// that cannot be in a URL written in prose. Linear: no nested quantifiers.
const CANDIDATE = /(?<![\p{L}\p{N}_@.-])(?:https?:\/\/|www\.)[^\s<>"'`\\^{}|]+/giu;
const TRAILING = /[.,;:!?*~]$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[' };

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const raw = trimEnd(m[0]);
    const href = safeHref(raw);
    if (href === null) continue;
    if (m.index > at) out.push({ kind: 'text', text: text.slice(at, m.index) });
    out.push({ kind: 'link', text: raw, href });
    at = m.index + raw.length;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return mergeText(out);
}

/** The href for a candidate, or null when it must stay text. */
export function safeHref(candidate: string): string | null {
  if (candidate.length > MAX_URL_CHARS) return null;
  const withScheme = /^www\./i.test(candidate) ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') return null;
  return url.href;
}

/** Drops punctuation that ends the sentence rather than the URL, and unpaired closing brackets. */
function trimEnd(candidate: string): string {
  let s = candidate;
  for (;;) {
    const last = s.at(-1) ?? '';
    if (TRAILING.test(last)) {
      s = s.slice(0, -1);
      continue;
    }
    const open = PAIRS[last];
    if (open !== undefined && count(s, open) < count(s, last)) {
      s = s.slice(0, -1);
      continue;
    }
    return s;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

function mergeText(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const prev = out.at(-1);
    if (s.kind === 'text' && prev?.kind === 'text')
      out[out.length - 1] = { kind: 'text', text: prev.text + s.text };
    else out.push(s);
  }
  return out;
}
