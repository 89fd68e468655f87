import { describe, expect, it } from 'vitest';
import {
  dayKey,
  dayLabel,
  formatBytes,
  formatTime,
  initials,
  safetyNumberGroups,
  withDaySeparators,
} from './format';

const T = Date.UTC(2025, 2, 10, 23, 30); // 2025-03-10 23:30 UTC

describe('dayKey', () => {
  it('puts the same instant on different days in different time zones', () => {
    expect(dayKey(T, 'UTC')).toBe('2025-03-10');
    expect(dayKey(T, 'Europe/Berlin')).toBe('2025-03-11');
    expect(dayKey(T, 'America/Los_Angeles')).toBe('2025-03-10');
  });
});

describe('dayLabel', () => {
  it('says Today and Yesterday relative to the viewer’s day', () => {
    expect(dayLabel(T, T + 60_000, 'UTC', 'en-US')).toBe('Today');
    expect(dayLabel(T, T + 86_400_000, 'UTC', 'en-US')).toBe('Yesterday');
    // 23:30 UTC is already tomorrow in Berlin: what is "Yesterday" in UTC is "Today" there.
    expect(dayLabel(T, T + 2 * 3_600_000, 'Europe/Berlin', 'en-US')).toBe('Today');
  });

  it('names the weekday within a week and the full date beyond', () => {
    expect(dayLabel(T, T + 3 * 86_400_000, 'UTC', 'en-US')).toBe('Monday');
    expect(dayLabel(T, T + 30 * 86_400_000, 'UTC', 'en-US')).toBe('Mon, March 10');
    expect(dayLabel(T, T + 400 * 86_400_000, 'UTC', 'en-US')).toBe('Mon, March 10, 2025');
  });
});

describe('formatTime', () => {
  it('shows clock time in the viewer’s time zone', () => {
    expect(formatTime(T, 'UTC', 'en-GB')).toBe('23:30');
    expect(formatTime(T, 'Asia/Tokyo', 'en-GB')).toBe('8:30');
  });
});

describe('withDaySeparators', () => {
  it('adds one separator before the first message of each day', () => {
    const items = [{ sentAt: T - 3_600_000 }, { sentAt: T }, { sentAt: T + 3_600_000 }];
    const rows = withDaySeparators(items, 'UTC');
    expect(rows.map((r) => (r.kind === 'day' ? `day:${r.key}` : 'item'))).toEqual([
      'day:2025-03-10',
      'item',
      'item',
      'day:2025-03-11',
      'item',
    ]);
  });

  it('depends on the time zone', () => {
    const items = [{ sentAt: T - 3_600_000 }, { sentAt: T }];
    expect(withDaySeparators(items, 'UTC').filter((r) => r.kind === 'day')).toHaveLength(1);
    expect(withDaySeparators(items, 'Europe/Berlin').filter((r) => r.kind === 'day')).toHaveLength(2);
  });

  it('returns nothing for no messages', () => {
    expect(withDaySeparators([], 'UTC')).toEqual([]);
  });
});

describe('safetyNumberGroups', () => {
  it('splits 60 digits into 12 groups of 5', () => {
    const digits = Array.from({ length: 60 }, (_, i) => String(i % 10)).join('');
    const groups = safetyNumberGroups(digits);
    expect(groups).toHaveLength(12);
    expect(groups.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(groups.join('')).toBe(digits);
  });

  it('accepts already grouped input and rejects anything that is not 60 digits', () => {
    const grouped = Array.from({ length: 12 }, () => '12345').join(' ');
    expect(safetyNumberGroups(grouped)).toHaveLength(12);
    expect(() => safetyNumberGroups('123')).toThrow(RangeError);
    expect(() => safetyNumberGroups('x'.repeat(60))).toThrow(RangeError);
  });
});

describe('initials', () => {
  it('takes first and last word initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('  ')).toBe('');
    expect(initials('<script>alert(1)</script>')).toBe('<');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});
