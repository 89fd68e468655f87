import { describe, expect, it } from 'vitest';
import { FrameLimiter } from './frame-limit';

describe('FrameLimiter', () => {
  it('allows a burst, refuses a burst more with a retry hint, then says close', () => {
    const now = 0;
    const limiter = new FrameLimiter({ ratePerSec: 10, burst: 3 }, () => now);
    const kinds = Array.from({ length: 7 }, () => limiter.take('u').kind);
    expect(kinds).toEqual(['ok', 'ok', 'ok', 'refuse', 'refuse', 'refuse', 'close']);
  });

  it('hints the time until a token is back, and refills from debt at the configured rate', () => {
    let now = 0;
    const limiter = new FrameLimiter({ ratePerSec: 10, burst: 2 }, () => now);
    limiter.take('u');
    limiter.take('u');
    expect(limiter.take('u')).toEqual({ kind: 'refuse', retryAfterMs: 200 });
    expect(limiter.debtMs('u')).toBe(100);
    now += 100;
    expect(limiter.debtMs('u')).toBe(0);
    expect(limiter.take('u').kind).toBe('refuse');
    now += 200;
    expect(limiter.take('u').kind).toBe('ok');
  });

  it('never owes more than a burst: a closed flooder is out of debt after burst / rate', () => {
    let now = 0;
    const limiter = new FrameLimiter({ ratePerSec: 100, burst: 50 }, () => now);
    for (let i = 0; i < 1_000; i++) limiter.take('u');
    expect(limiter.debtMs('u')).toBe(500);
    now += 500;
    expect(limiter.debtMs('u')).toBe(0);
  });

  it('keeps one budget per user', () => {
    const limiter = new FrameLimiter({ ratePerSec: 1, burst: 1 }, () => 0);
    expect(limiter.take('a').kind).toBe('ok');
    expect(limiter.take('a').kind).toBe('refuse');
    expect(limiter.take('b').kind).toBe('ok');
    expect(limiter.debtMs('nobody')).toBe(0);
  });
});
