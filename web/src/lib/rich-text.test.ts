import { describe, expect, it } from 'vitest';
import { pieces } from './rich-text';

const bob = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

describe('rich text', () => {
  it('cuts text into text, links and mentions of the signed-in users only', () => {
    expect(pieces('@bob see https://example.org/x, @carol', [bob])).toEqual([
      { kind: 'mention', text: '@bob', user: bob },
      { kind: 'text', text: ' see ' },
      { kind: 'link', text: 'https://example.org/x', href: 'https://example.org/x' },
      { kind: 'text', text: ', @carol' },
    ]);
  });

  it('keeps an @ inside a link as part of the link', () => {
    expect(pieces('https://example.org/@bob', [bob])).toEqual([
      { kind: 'link', text: 'https://example.org/@bob', href: 'https://example.org/@bob' },
    ]);
  });

  it('leaves the full stop after a mention as text', () => {
    expect(pieces('thanks @Bob.', [bob]).map((p) => p.text)).toEqual(['thanks ', '@Bob', '.']);
  });
});
