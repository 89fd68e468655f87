// Byte helpers: encodeFields layout, strict UTF-8 and base64url, constant-time compare, wiping.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  concatBytes,
  constantTimeEqual,
  encodeFields,
  FormatError,
  fromBase64,
  fromHex,
  fromUtf8,
  ready,
  toBase64,
  u32be,
  u64be,
  utf8,
  wipe,
} from '../src/index';
import { expectError, hex } from './helpers';

beforeAll(ready);

describe('encodeFields', () => {
  test('is utf8(tag) || 0x00 || u32be(len) || bytes for each field', () => {
    const out = encodeFields('t/v1', utf8('ab'), new Uint8Array(0), new Uint8Array([0xff]));
    expect(hex(out)).toBe(`742f7631` + '00' + '00000002' + '6162' + '00000000' + '00000001' + 'ff');
  });

  test('never gives the same bytes for different splits of the same content', () => {
    const encodings = [
      encodeFields('a', utf8('bc')),
      encodeFields('a', utf8('b'), utf8('c')),
      encodeFields('ab', utf8('c')),
      encodeFields('a', utf8('bc'), new Uint8Array(0)),
      encodeFields('a', new Uint8Array(0), utf8('bc')),
    ].map(hex);
    expect(new Set(encodings).size).toBe(encodings.length);
  });

  test('rejects a tag with NUL, an empty tag and non-byte fields', () => {
    expectError(() => encodeFields('a\u0000b'), FormatError, 'encodeFields');
    expectError(() => encodeFields(''), FormatError, 'encodeFields');
    expectError(() => encodeFields('a', 'x' as unknown as Uint8Array), FormatError, 'encodeFields');
  });
});

describe('u32be', () => {
  test('is big-endian and covers 0..2^32-1', () => {
    expect(hex(u32be(0))).toBe('00000000');
    expect(hex(u32be(0x01020304))).toBe('01020304');
    expect(hex(u32be(0xffffffff))).toBe('ffffffff');
  });

  test.each([-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s', (n) => {
    expectError(() => u32be(n), FormatError, 'u32be');
  });
});

describe('u64be', () => {
  test('is big-endian and covers 0..2^53-1 (the safe integers)', () => {
    expect(hex(u64be(0))).toBe('0000000000000000');
    expect(hex(u64be(0x0102_0304_0506))).toBe('0000010203040506');
    expect(hex(u64be(2 ** 32))).toBe('0000000100000000');
    expect(hex(u64be(2 ** 32 - 1))).toBe('00000000ffffffff');
    expect(hex(u64be(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff');
  });

  test.each([-1, 2 ** 53, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1'])('rejects %s', (n) => {
    expectError(() => u64be(n as number), FormatError, 'u64be');
  });
});

describe('UTF-8', () => {
  test('round-trips text outside the BMP', () => {
    expect(fromUtf8(utf8('héllo 👋'))).toBe('héllo 👋');
    expect(hex(utf8('é'))).toBe('c3a9');
  });

  test('refuses lone surrogates instead of silently replacing them', () => {
    expectError(() => utf8('a\uD800b'), FormatError, 'utf8');
    expectError(() => utf8('\uDC00'), FormatError, 'utf8');
  });

  test('refuses invalid UTF-8 when decoding', () => {
    expectError(() => fromUtf8(new Uint8Array([0xc3])), FormatError, 'fromUtf8');
    expectError(() => fromUtf8(new Uint8Array([0xff, 0xfe])), FormatError, 'fromUtf8');
  });
});

describe('base64url (wire encoding)', () => {
  test('is unpadded base64url and round-trips every length', () => {
    for (let n = 0; n < 70; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const s = toBase64(b);
      expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(hex(fromBase64(s))).toBe(hex(b));
    }
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  test.each([
    ['padding', 'AA=='],
    ['standard alphabet +', '+w'],
    ['standard alphabet /', '/w'],
    ['whitespace', 'AA AA'],
    ['impossible length', 'AAAAA'],
    ['non-canonical trailing bits', 'AB'],
    ['not a string', 42],
  ])('fromBase64 rejects %s', (_name, input) => {
    expectError(() => fromBase64(input as string), FormatError, 'fromBase64');
  });

  test('fromHex rejects odd length and non-hex', () => {
    expectError(() => fromHex('abc'), FormatError, 'fromHex');
    expectError(() => fromHex('zz'), FormatError, 'fromHex');
  });
});

describe('constantTimeEqual and wipe', () => {
  test('compares equal-length inputs and is false on a length mismatch', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  test('wipe zeroes every buffer it is given', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = concatBytes(a, a);
    wipe(a, undefined, b);
    expect([...a, ...b].every((x) => x === 0)).toBe(true);
  });
});
