// Full-text search over decrypted history, entirely in the browser: the relay holds ciphertext
// only and cannot search for anyone. An inverted index from folded terms to messages; every query
// term matches as a prefix ("meet" finds "meeting"), all terms must match, newest first.
import { queryTerms, type Token, tokenize } from './tokenize';

/** One decrypted message as the index keeps it. */
export interface IndexedMessage {
  channelId: string;
  seq: number;
  senderId: string;
  /** The sender's clock (ms), for ordering results. */
  sentAt: number;
  text: string;
}

export interface SearchHit {
  message: IndexedMessage;
  /** Up to SNIPPET_CHARS of the text around the first match, with the matched ranges in it. */
  snippet: { text: string; matches: Array<[start: number, end: number]> };
}

export interface SearchOptions {
  /** Only this conversation. */
  channelId?: string;
  /** At most this many hits (default 50). */
  limit?: number;
}

const SNIPPET_CHARS = 120;

const keyOf = (channelId: string, seq: number) => `${channelId}\u0000${seq}`;

export class SearchIndex {
  /** Messages by internal number; a removed one leaves a hole (numbers are never reused). */
  readonly #messages: Array<IndexedMessage | undefined> = [];
  readonly #numberOf = new Map<string, number>();
  readonly #postings = new Map<string, Set<number>>();
  /** Every term, sorted, for prefix ranges; rebuilt on the first query after a change of vocabulary. */
  #sortedTerms: string[] | null = null;
  #count = 0;

  /** Messages in the index. */
  get size(): number {
    return this.#count;
  }

  has(channelId: string, seq: number): boolean {
    return this.#numberOf.has(keyOf(channelId, seq));
  }

  /** Adds a message, or replaces the one at the same (channel, seq) (an edit). */
  add(message: IndexedMessage): void {
    const key = keyOf(message.channelId, message.seq);
    if (this.#numberOf.has(key)) this.remove(message.channelId, message.seq);
    const n = this.#messages.length;
    this.#messages.push(message);
    this.#numberOf.set(key, n);
    this.#count++;
    for (const { term } of tokenize(message.text)) {
      let docs = this.#postings.get(term);
      if (!docs) {
        docs = new Set();
        this.#postings.set(term, docs);
        this.#sortedTerms = null;
      }
      docs.add(n);
    }
  }

  /** Forgets a message (deleted, or the conversation left). */
  remove(channelId: string, seq: number): void {
    const key = keyOf(channelId, seq);
    const n = this.#numberOf.get(key);
    if (n === undefined) return;
    const message = this.#messages[n] as IndexedMessage;
    for (const { term } of tokenize(message.text)) {
      const docs = this.#postings.get(term);
      docs?.delete(n);
      if (docs?.size === 0) {
        this.#postings.delete(term);
        this.#sortedTerms = null;
      }
    }
    this.#messages[n] = undefined;
    this.#numberOf.delete(key);
    this.#count--;
  }

  /** Forgets every message of a conversation. */
  removeChannel(channelId: string): void {
    for (const m of this.#messages) if (m?.channelId === channelId) this.remove(channelId, m.seq);
  }

  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    // Rarest term first: the intersection only shrinks.
    const sets = terms.map((t) => this.#withPrefix(t)).sort((a, b) => a.size - b.size);
    const [first, ...rest] = sets;
    // Only the newest `limit` are kept: a common word matches a large part of the history.
    const newest = new NewestFirst(opts.limit ?? 50);
    for (const n of first ?? []) {
      if (!rest.every((s) => s.has(n))) continue;
      const m = this.#messages[n] as IndexedMessage;
      if (opts.channelId === undefined || m.channelId === opts.channelId) newest.offer(m);
    }
    return newest.sorted().map((message) => ({ message, snippet: snippet(message.text, terms) }));
  }

  /** Every message in the index (to store it). */
  messages(): IndexedMessage[] {
    return this.#messages.filter((m): m is IndexedMessage => m !== undefined);
  }

  /** Message numbers holding a term that starts with `prefix`. */
  #withPrefix(prefix: string): Set<number> {
    const exact = this.#postings.get(prefix);
    const terms = this.#sorted();
    let i = lowerBound(terms, prefix);
    if (terms[i] === prefix) i++;
    if (!terms[i]?.startsWith(prefix)) return exact ?? new Set();
    const union = new Set(exact);
    for (; i < terms.length && (terms[i] as string).startsWith(prefix); i++) {
      for (const n of this.#postings.get(terms[i] as string) ?? []) union.add(n);
    }
    return union;
  }

  #sorted(): string[] {
    this.#sortedTerms ??= [...this.#postings.keys()].sort();
    return this.#sortedTerms;
  }
}

const newer = (a: IndexedMessage, b: IndexedMessage) =>
  a.sentAt > b.sentAt || (a.sentAt === b.sentAt && a.seq > b.seq);

/** Keeps the `limit` newest messages offered: a min-heap on (sentAt, seq), the oldest kept on top. */
class NewestFirst {
  readonly #heap: IndexedMessage[] = [];
  constructor(private readonly limit: number) {}

  offer(m: IndexedMessage): void {
    const h = this.#heap;
    if (h.length < this.limit) {
      h.push(m);
      this.#up(h.length - 1);
    } else if (h.length > 0 && newer(m, h[0] as IndexedMessage)) {
      h[0] = m;
      this.#down(0);
    }
  }

  sorted(): IndexedMessage[] {
    return [...this.#heap].sort((a, b) => b.sentAt - a.sentAt || b.seq - a.seq);
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!newer(h[parent] as IndexedMessage, h[i] as IndexedMessage)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      let oldest = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < h.length && newer(h[oldest] as IndexedMessage, h[child] as IndexedMessage))
          oldest = child;
      }
      if (oldest === i) return;
      this.#swap(i, oldest);
      i = oldest;
    }
  }

  #swap(a: number, b: number): void {
    const h = this.#heap;
    [h[a], h[b]] = [h[b] as IndexedMessage, h[a] as IndexedMessage];
  }
}

/** First index whose term is not below `term`. */
function lowerBound(sorted: string[], term: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < term) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The text around the first token that a query term prefixes, with every such token marked. */
export function snippet(text: string, terms: string[]): SearchHit['snippet'] {
  const matched = tokenize(text).filter((t: Token) => terms.some((q) => t.term.startsWith(q)));
  const first = matched[0];
  const from = first ? Math.max(0, Math.min(first.start - 30, text.length - SNIPPET_CHARS)) : 0;
  const to = Math.min(text.length, from + SNIPPET_CHARS);
  const matches = matched
    .filter((t) => t.start >= from && t.end <= to)
    .map((t): [number, number] => [t.start - from, t.end - from]);
  return { text: text.slice(from, to), matches };
}
