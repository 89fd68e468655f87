import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, isCanonicalBase64url } from './common';

describe('bytes()', () => {
  it('accepts the base64url encoding of bytes of an allowed length', () => {
    for (let n = 30; n <= 34; n++) {
      expect(bytes(30, 34).safeParse(randomBytes(n).toString('base64url')).success).toBe(true);
    }
  });

  it('refuses lengths outside the range, padding, and the standard alphabet', () => {
    const schema = bytes(32, 32);
    expect(schema.safeParse(randomBytes(31).toString('base64url')).success).toBe(false);
    expect(schema.safeParse(randomBytes(33).toString('base64url')).success).toBe(false);
    expect(schema.safeParse(`${randomBytes(32).toString('base64url')}=`).success).toBe(false);
    expect(schema.safeParse(`${'+/'.repeat(21)}AA`).success).toBe(false);
  });

  it('refuses a non-canonical string whose unused trailing bits are set', () => {
    const canonical = Buffer.from([0xff]).toString('base64url'); // "_w"
    expect(isCanonicalBase64url(canonical)).toBe(true);
    expect(isCanonicalBase64url('_x')).toBe(false); // decodes to the same byte in lax decoders
    expect(isCanonicalBase64url(Buffer.from([1, 2]).toString('base64url'))).toBe(true);
    expect(isCanonicalBase64url('AQJ')).toBe(false);
    expect(bytes(1, 1).safeParse('_x').success).toBe(false);
  });
});
