// Search over decrypted history (web/src/search, the code the browser runs), in Node: the time to
// index each 1,000 messages while the index grows to BENCH_SEARCH_MESSAGES (default 100,000), and
// query times on the full index for a common word, a rare one, a short prefix and two words.
// Messages are synthetic: words drawn from a Zipf-like vocabulary by a seeded generator.
import { type IndexedMessage, SearchIndex } from '@parley/web/search';
import { fmt, percentile, printTable } from './measure';

const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 100_000);
const VOCABULARY = 20_000;
const QUERY_REPEATS = 200;

export interface SearchFigures {
  messages: number;
  /** ms to add 1,000 messages: median and worst over the whole build. */
  indexMsPer1000: { median: number; max: number };
  /** ms per query on the full index. */
  queries: Array<{ query: string; hits: number; p50Ms: number; p95Ms: number }>;
}

/** xorshift32: the same messages on every run. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function vocabulary(rand: () => number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = new Set<string>(['meeting', 'lunch', 'tomorrow', 'deploy', 'release']);
  while (words.size < VOCABULARY) {
    const length = 3 + Math.floor(rand() * 8);
    let w = '';
    for (let i = 0; i < length; i++) w += letters[Math.floor(rand() * letters.length)];
    words.add(w);
  }
  return [...words];
}

export function runSearchBench(): SearchFigures {
  const rand = generator(0x5eed);
  const words = vocabulary(rand);
  // Zipf-like: the k-th word about 1/k as often as the first.
  const pick = () =>
    words[Math.min(words.length - 1, Math.floor(Math.exp(rand() * Math.log(words.length))) - 1)] as string;
  const index = new SearchIndex();
  const perThousand: number[] = [];
  let batch: IndexedMessage[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const length = 3 + Math.floor(rand() * 20);
    const text = Array.from({ length }, pick).join(' ');
    batch.push({ channelId: `ch-${i % 50}`, seq: i, senderId: `u-${i % 200}`, sentAt: i * 1000, text });
    if (batch.length === 1000) {
      const start = performance.now();
      for (const m of batch) index.add(m);
      perThousand.push(performance.now() - start);
      batch = [];
    }
  }
  const rare = words[words.length - 10] as string;
  const queries = ['meeting', rare, 'de', 'lunch tomorrow'].map((query) => {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < QUERY_REPEATS; i++) {
      const start = performance.now();
      hits = index.search(query).length;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { query, hits, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) };
  });
  const sorted = [...perThousand].sort((a, b) => a - b);
  const figures: SearchFigures = {
    messages: index.size,
    indexMsPer1000: { median: percentile(sorted, 50), max: sorted.at(-1) ?? Number.NaN },
    queries,
  };
  printTable(
    `Search index (${figures.messages} messages): ${fmt(figures.indexMsPer1000.median)} ms per 1,000 messages indexed (worst ${fmt(figures.indexMsPer1000.max)})`,
    ['query', 'hits (limit 50)', 'p50 ms', 'p95 ms'],
    queries.map((q) => [JSON.stringify(q.query), String(q.hits), fmt(q.p50Ms, 2), fmt(q.p95Ms, 2)]),
  );
  return figures;
}
