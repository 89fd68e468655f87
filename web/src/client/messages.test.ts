import { describe, expect, it } from 'vitest';
import { ApiError, ClosedError, socketApiError, TimeoutError, TrustError } from './errors';
import { isTransient } from './messages';

describe('isTransient', () => {
  it('treats network failures, relay errors and closed sockets as worth retrying', () => {
    expect(isTransient(new TypeError('fetch failed'))).toBe(true);
    expect(isTransient(new ApiError(503, 'internal', 'down'))).toBe(true);
    expect(isTransient(new ApiError(429, 'rate_limited', 'slow down'))).toBe(true);
    expect(isTransient(socketApiError({ code: 'internal', message: 'oops' }))).toBe(true);
    expect(isTransient(new ClosedError('closed'))).toBe(true);
    expect(isTransient(new TimeoutError('late'))).toBe(true);
  });

  it('treats refusals and crypto failures as final', () => {
    expect(isTransient(new ApiError(404, 'not_found', 'gone'))).toBe(false);
    expect(isTransient(socketApiError({ code: 'not_found', message: 'gone' }))).toBe(false);
    expect(isTransient(new TrustError('no key share'))).toBe(false);
    expect(isTransient(new Error('decryptMessage: bad signature'))).toBe(false);
  });
});
