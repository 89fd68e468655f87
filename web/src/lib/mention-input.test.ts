import { describe, expect, it } from 'vitest';
import { completeMention, matchCandidates, mentionQuery } from './mention-input';

describe('mention input', () => {
  it('finds the @partial at the caret', () => {
    expect(mentionQuery('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('hi @bo there', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionQuery('hi @bo there', 12)).toBeNull();
    expect(mentionQuery('mail bob@exa', 12)).toBeNull();
    expect(mentionQuery('no at', 5)).toBeNull();
  });

  it('matches usernames first, then words of display names', () => {
    const people = [
      { username: 'carol', displayName: 'Carol King' },
      { username: 'kim', displayName: 'Kim Lee' },
      { username: 'lee', displayName: 'Bob Carter' },
    ];
    expect(matchCandidates(people, 'k').map((p) => p.username)).toEqual(['kim', 'carol']);
    expect(matchCandidates(people, 'CAR').map((p) => p.username)).toEqual(['carol', 'lee']);
    expect(matchCandidates(people, '').length).toBe(3);
  });

  it('completes to @username and a space, with the caret after it', () => {
    const at = { start: 3, query: 'bo' };
    expect(completeMention('hi @bo', at, 6, 'bob')).toEqual({ text: 'hi @bob ', caret: 8 });
    expect(completeMention('hi @bo there', at, 6, 'bob')).toEqual({ text: 'hi @bob there', caret: 7 });
  });
});
