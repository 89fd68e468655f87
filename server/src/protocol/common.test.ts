import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, ClientMsgId, isCanonicalBase64url } from './common';

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

describe('ClientMsgId', () => {
  it('accepts a lower-case UUID and refuses its upper- or mixed-case spelling', () => {
    const id = '0e4b5e43-5a7c-4f3e-8d5b-0d8e7f6a5b4c';
    expect(ClientMsgId.safeParse(id).success).toBe(true);
    expect(ClientMsgId.safeParse(id.toUpperCase()).success).toBe(false);
    expect(ClientMsgId.safeParse('0E4b5e43-5a7c-4f3e-8d5b-0d8e7f6a5b4c').success).toBe(false);
    expect(ClientMsgId.safeParse(crypto.randomUUID()).success).toBe(true);
  });
});
