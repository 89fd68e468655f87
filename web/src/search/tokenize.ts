// Words of a message for the search index: letters and digits, case and accents folded
// ("Café" and "cafe" match). Scripts written without spaces (Han, Kana, Hangul) give every
// character pair, so that a two-character query finds a word inside a run of text.
// Each token keeps its place in the original text, for the result's snippet.

export interface Token {
  /** The folded form that is indexed and matched. */
  term: string;
  /** Where the word stands in the original text (UTF-16 offsets). */
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Longer runs are not words anyone searches for (keys, base64, hashes). */
const MAX_TERM = 40;

/** Lower case, compatibility forms unified, accents dropped. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const start = match.index;
    if (UNSPACED.test(word)) {
      pairsOf(word, start, tokens);
      continue;
    }
    const term = fold(word);
    if (term.length > 0 && term.length <= MAX_TERM) tokens.push({ term, start, end: start + word.length });
  }
  return tokens;
}

/** Every character pair of a run in an unspaced script (a single character alone). */
function pairsOf(word: string, start: number, out: Token[]): void {
  const chars = [...word];
  let offset = start;
  if (chars.length === 1) {
    out.push({ term: fold(word), start, end: start + word.length });
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = chars[i] as string;
    const b = chars[i + 1] as string;
    out.push({ term: fold(a + b), start: offset, end: offset + a.length + b.length });
    offset += a.length;
  }
}

/** The query's terms: the same folding, so a query matches what the index holds. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query).map((t) => t.term))];
}
