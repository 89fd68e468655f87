import { describe, expect, it } from 'vitest';
import { type IndexedMessage, SearchIndex, snippet } from './search-index';
import { fold, queryTerms, tokenize } from './tokenize';

let seq = 0;
const msg = (text: string, over: Partial<IndexedMessage> = {}): IndexedMessage => ({
  channelId: 'dm-a',
  seq: ++seq,
  senderId: 'alice',
  sentAt: seq * 1000,
  text,
  ...over,
});
const texts = (index: SearchIndex, query: string, opts = {}) =>
  index.search(query, opts).map((h) => h.message.text);

describe('tokenize', () => {
  it('folds case, accents and compatibility forms, and keeps offsets into the original', () => {
    expect(fold('Café ÉCOLE ﬁne')).toBe('cafe ecole fine');
    const tokens = tokenize('Meet at Café-Zürich, 10:30!');
    expect(tokens.map((t) => t.term)).toEqual(['meet', 'at', 'cafe', 'zurich', '10', '30']);
    expect(tokens.map((t) => 'Meet at Café-Zürich, 10:30!'.slice(t.start, t.end))).toEqual([
      'Meet',
      'at',
      'Café',
      'Zürich',
      '10',
      '30',
    ]);
  });

  it('indexes unspaced scripts as character pairs, and skips runs no one types', () => {
    expect(tokenize('今日は中文').map((t) => t.term)).toEqual(['今日', '日は', 'は中', '中文']);
    expect(tokenize('字').map((t) => t.term)).toEqual(['字']);
    expect(tokenize(`key ${'a'.repeat(41)}`).map((t) => t.term)).toEqual(['key']);
    expect(queryTerms('  Meet MEET meet ')).toEqual(['meet']);
  });
});

describe('SearchIndex', () => {
  it('matches every term as a prefix, newest first, across case and accents', () => {
    const index = new SearchIndex();
    index.add(msg('Meeting moved to the café'));
    index.add(msg('lunch at noon'));
    index.add(msg('The MEETING is at noon'));
    expect(texts(index, 'meet')).toEqual(['The MEETING is at noon', 'Meeting moved to the café']);
    expect(texts(index, 'meet noon')).toEqual(['The MEETING is at noon']);
    expect(texts(index, 'CAFE')).toEqual(['Meeting moved to the café']);
    expect(texts(index, 'dinner')).toEqual([]);
    expect(texts(index, '   ')).toEqual([]);
    expect(texts(index, '中文')).toEqual([]);
  });

  it('finds words inside unspaced text', () => {
    const index = new SearchIndex();
    index.add(msg('我们明天说中文吧'));
    expect(texts(index, '中文')).toEqual(['我们明天说中文吧']);
    expect(texts(index, '明天说')).toEqual(['我们明天说中文吧']);
    expect(texts(index, '中')).toEqual(['我们明天说中文吧']);
  });

  it('filters by conversation and limits the hits', () => {
    const index = new SearchIndex();
    for (let i = 0; i < 5; i++) index.add(msg(`plan ${i}`, { channelId: i % 2 ? 'grp-1' : 'dm-a' }));
    expect(texts(index, 'plan', { channelId: 'grp-1' })).toEqual(['plan 3', 'plan 1']);
    expect(texts(index, 'plan', { limit: 2 })).toEqual(['plan 4', 'plan 3']);
  });

  it('replaces an edited message and forgets deleted ones and left conversations', () => {
    const index = new SearchIndex();
    const first = msg('see you tomorrow');
    index.add(first);
    index.add({ ...first, text: 'see you on friday' });
    expect(index.size).toBe(1);
    expect(texts(index, 'tomorrow')).toEqual([]);
    expect(texts(index, 'friday')).toEqual(['see you on friday']);
    index.remove(first.channelId, first.seq);
    expect(texts(index, 'see')).toEqual([]);
    expect(index.has(first.channelId, first.seq)).toBe(false);
    index.add(msg('group note', { channelId: 'grp-9' }));
    index.add(msg('dm note'));
    index.removeChannel('grp-9');
    expect(texts(index, 'note')).toEqual(['dm note']);
    expect(index.messages().map((m) => m.text)).toEqual(['dm note']);
  });

  it('gives a snippet around the first match, with every match marked', () => {
    const long = `${'filler words here. '.repeat(10)}the Meeting is moved; meet me there${' and more'.repeat(10)}`;
    const s = snippet(long, ['meet']);
    expect(s.text.length).toBeLessThanOrEqual(120);
    expect(s.matches.map(([a, b]) => s.text.slice(a, b))).toEqual(['Meeting', 'meet']);
    expect(snippet('short', ['x'])).toEqual({ text: 'short', matches: [] });
  });
});

describe('SearchIndex at size', () => {
  it('returns exactly the newest hits whatever order the history was indexed in', () => {
    const index = new SearchIndex();
    const order = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    for (const i of order)
      index.add({ channelId: 'c', seq: i, senderId: 'a', sentAt: i * 10, text: `word ${i}` });
    const hits = index.search('word', { limit: 20 }).map((h) => h.message.seq);
    expect(hits).toEqual(Array.from({ length: 20 }, (_, i) => 499 - i));
  });
});
