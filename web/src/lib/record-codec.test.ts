import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, RecordCodecError } from './record-codec';

describe('record codec', () => {
  it('round-trips named byte strings', () => {
    const rec = {
      signSk: new Uint8Array([1, 2, 3]),
      boxSk: new Uint8Array(32).fill(7),
      empty: new Uint8Array(),
    };
    expect(decodeRecord(encodeRecord(rec))).toEqual(rec);
  });

  it('refuses truncated input', () => {
    const bytes = encodeRecord({ key: new Uint8Array([1, 2, 3, 4]) });
    expect(() => decodeRecord(bytes.subarray(0, bytes.length - 1))).toThrow(RecordCodecError);
    expect(() => decodeRecord(new Uint8Array([0]))).toThrow(RecordCodecError);
  });
});
