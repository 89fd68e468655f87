// Channel ids (DESIGN §7.2): DM ids derived from the sorted pair exactly as the relay derives them,
// random group ids.
import { beforeAll, describe, expect, test } from 'vitest';
import { DM_PREFIX, dmChannelId, FormatError, GROUP_PREFIX, newGroupChannelId, ready } from '../src/index';
import { expectError } from './helpers';

beforeAll(ready);

const A = '0b6f4a6e-8a2c-4f1e-9d51-6c3f3f0f2a11';
const B = 'f3d1c0de-1234-4abc-8def-0123456789ab';

describe('dmChannelId', () => {
  test("matches the relay's node:crypto derivation for a fixed pair", () => {
    // Computed in a shell: createHash('sha256').update(`${A}:${B}`, 'utf8').digest('hex').slice(0, 32)
    expect(dmChannelId(A, B)).toBe('dm-cee7560855335217dd42a68644a86541');
  });

  test('is the same for both orders and differs per pair', () => {
    expect(dmChannelId(B, A)).toBe(dmChannelId(A, B));
    expect(dmChannelId(A, 'u-carol')).not.toBe(dmChannelId(A, B));
    expect(dmChannelId(A, B)).toMatch(new RegExp(`^${DM_PREFIX}[0-9a-f]{32}$`));
  });

  test('sorts by UTF-16 code units, as [a, b].sort() does', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFF as code units.
    expect(['\uffff', '😀'].sort()).toEqual(['😀', '\uffff']);
    expect(dmChannelId('\uffff', '😀')).toBe(dmChannelId('😀', '\uffff'));
  });

  test.each([
    ['the same user twice', A, A],
    ['an empty id', '', B],
    ['a non-string', 42 as unknown as string, B],
    ['a lone surrogate', '\ud800', B],
    ["an id containing ':'", 'u:1', B],
    ['an id over MAX_ID_BYTES', 'é'.repeat(129), B],
  ])('refuses %s with FormatError', (_name, a, b) => {
    expectError(() => dmChannelId(a, b), FormatError, 'dmChannelId');
    expectError(() => dmChannelId(b, a), FormatError, 'dmChannelId');
  });
});

describe('newGroupChannelId', () => {
  test('is g- and a random UUID v4', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newGroupChannelId()));
    expect(ids.size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(
        new RegExp(`^${GROUP_PREFIX}[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`),
      );
    }
  });
});
