import { describe, expect, it } from 'vitest';
import { mentionedIds, mentionTokens, resolveMention } from './mentions';

const members = [
  { id: 'u-bob', username: 'bob' },
  { id: 'u-carol', username: 'carol.k' },
  { id: 'u-dan', username: 'dan_' },
];

describe('mentions', () => {
  it('finds @names, without case, each member once, in order', () => {
    expect(mentionedIds('@Carol.k and @bob, then @bob again', members)).toEqual(['u-carol', 'u-bob']);
  });

  it('drops a trailing full stop unless it belongs to the name', () => {
    expect(mentionedIds('thanks @bob.', members)).toEqual(['u-bob']);
    expect(mentionedIds('ask @dan_.', members)).toEqual(['u-dan']);
    expect(resolveMention('bob.', (u) => (u === 'bob' ? 1 : undefined))).toEqual({ user: 1, length: 3 });
  });

  it('is not fooled by addresses, words or names nobody has', () => {
    expect(mentionedIds('mail bob@bob.org or x@bob', members)).toEqual([]);
    expect(mentionedIds('@bobby @bo @ bob', members)).toEqual([]);
    expect(mentionedIds('', members)).toEqual([]);
  });

  it('gives token positions for rendering', () => {
    expect(mentionTokens('hi @bob!')).toEqual([{ start: 3, end: 7, name: 'bob' }]);
    expect(mentionTokens('(@bob)')).toEqual([{ start: 1, end: 5, name: 'bob' }]);
  });

  it('keeps at most 50 ids', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `u${i}`, username: `user${i}` }));
    expect(mentionedIds(many.map((m) => `@${m.username}`).join(' '), many)).toHaveLength(50);
  });
});
