import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureLogs } from './capture-logs';
import { LogLimiter } from './log-limit';

afterEach(() => {
  vi.useRealTimers();
});

describe('LogLimiter', () => {
  it('writes the first lines of a key per window, then one line counting the rest', () => {
    vi.useFakeTimers();
    const logs = captureLogs();
    const limiter = new LogLimiter(logs.logger, 3, 1_000);
    for (let i = 0; i < 10; i++) limiter.info('refused', { event: 'refused', i }, 'refused');
    limiter.warn('other', { event: 'other' }, 'other');
    expect(logs.lines().map((l) => l.event)).toEqual(['refused', 'refused', 'refused', 'other']);
    vi.advanceTimersByTime(1_000);
    expect(logs.lines().at(-1)).toMatchObject({
      level: 30,
      event: 'log-suppressed',
      of: 'refused',
      suppressed: 7,
      windowMs: 1_000,
    });
    // A new window starts afresh.
    limiter.info('refused', { event: 'refused' }, 'refused');
    expect(logs.lines().at(-1)).toMatchObject({ event: 'refused' });
  });

  it('writes nothing more for a window that suppressed nothing, and flushes pending counts', () => {
    vi.useFakeTimers();
    const logs = captureLogs();
    const limiter = new LogLimiter(logs.logger, 1, 1_000);
    limiter.info('quiet', { event: 'quiet' }, 'quiet');
    vi.advanceTimersByTime(1_000);
    expect(logs.lines()).toHaveLength(1);
    limiter.error('loud', { event: 'loud' }, 'loud');
    limiter.error('loud', { event: 'loud' }, 'loud');
    limiter.flush();
    expect(logs.lines().at(-1)).toMatchObject({ level: 50, of: 'loud', suppressed: 1 });
  });
});
