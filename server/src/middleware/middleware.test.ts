import { describe, expect, it } from 'vitest';
import { isAllowedOrigin } from './csrf';
import { MemoryRateLimiter } from './rate-limit';

describe('isAllowedOrigin', () => {
  const policy = { publicOrigins: ['https://chat.example.org'] };

  it('allows the request’s own host and configured origins', () => {
    expect(isAllowedOrigin('http://localhost:8080', 'localhost:8080', policy)).toBe(true);
    expect(isAllowedOrigin('https://chat.example.org', 'relay-1:8080', policy)).toBe(true);
  });

  it('refuses other hosts, other ports, null and garbage', () => {
    expect(isAllowedOrigin('http://evil.example', 'localhost:8080', policy)).toBe(false);
    expect(isAllowedOrigin('http://localhost:9999', 'localhost:8080', policy)).toBe(false);
    expect(isAllowedOrigin('null', 'localhost:8080', policy)).toBe(false);
    expect(isAllowedOrigin('javascript:alert(1)', 'localhost:8080', policy)).toBe(false);
    expect(isAllowedOrigin('https://chat.example.org.evil.example', 'x', policy)).toBe(false);
  });
});

describe('MemoryRateLimiter', () => {
  it('allows max hits per window, then refuses until the window ends', async () => {
    const clock = { now: 0 };
    const limiter = new MemoryRateLimiter(2, 1000, () => clock.now);
    expect((await limiter.hit('k')).allowed).toBe(true);
    expect((await limiter.hit('k')).allowed).toBe(true);
    const third = await limiter.hit('k');
    expect(third).toEqual({ allowed: false, count: 3, retryAfterMs: 1000 });
    expect((await limiter.hit('other')).allowed).toBe(true);
    clock.now = 1000;
    expect((await limiter.hit('k')).allowed).toBe(true);
  });

  it('takes hits back on refund and forgets on reset', async () => {
    const limiter = new MemoryRateLimiter(1, 1000, () => 0);
    await limiter.hit('k');
    await limiter.refund('k');
    expect((await limiter.hit('k')).allowed).toBe(true);
    await limiter.reset('k');
    expect((await limiter.hit('k')).allowed).toBe(true);
  });
});
