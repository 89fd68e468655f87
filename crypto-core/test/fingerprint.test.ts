// Safety numbers: Signal's published NumericFingerprint vectors, then Parley's QR payload rules.
import { beforeAll, describe, expect, test } from 'vitest';
import { fingerprintHash } from '../src/fingerprint';
import {
  compareQrPayload,
  expectedQrPayload,
  FINGERPRINT_ITERATIONS,
  FormatError,
  fingerprintQrPayload,
  formatSafetyNumber,
  generateIdentity,
  type IdentityKeys,
  numericFingerprint,
  ready,
  safetyNumber,
} from '../src/index';
import { expectError, hex, unhex } from './helpers';
import signal from './vectors/signal-fingerprint.json';

beforeAll(ready);

describe("Signal's NumericFingerprint vectors (libsignal fingerprint_test_v1)", () => {
  const v = signal.valid[0];
  if (!v) throw new Error('missing vector');
  let alice: Uint8Array;
  let bob: Uint8Array;
  beforeAll(() => {
    alice = unhex(v.aliceIdentity);
    bob = unhex(v.bobIdentity);
  });

  test("reproduces Alice's and Bob's 30 digits from their 33-byte keys", () => {
    expect(numericFingerprint(alice, v.aliceStableId, v.iterations)).toBe(v.aliceDigits);
    expect(numericFingerprint(bob, v.bobStableId, v.iterations)).toBe(v.bobDigits);
  });

  test('reproduces the displayable fingerprint from either side', () => {
    expect(safetyNumber(alice, v.aliceStableId, bob, v.bobStableId)).toBe(v.displayable);
    expect(safetyNumber(bob, v.bobStableId, alice, v.aliceStableId)).toBe(v.displayable);
  });

  test('the hash chains match the 32-byte halves inside the published scannable fingerprints', () => {
    const a = hex(fingerprintHash(alice, v.aliceStableId, v.iterations).subarray(0, 32));
    const b = hex(fingerprintHash(bob, v.bobStableId, v.iterations).subarray(0, 32));
    // protobuf CombinedFingerprints { version = 1, local { content }, remote { content } }
    expect(v.aliceScannableV1).toBe(`080112220a20${a}1a220a20${b}`);
    expect(v.bobScannableV1).toBe(`080112220a20${b}1a220a20${a}`);
  });

  test('uses 5200 iterations by default', () => {
    expect(FINGERPRINT_ITERATIONS).toBe(5200);
    expect(numericFingerprint(alice, v.aliceStableId)).toBe(v.aliceDigits);
  });

  test.each(signal.invalid)('$name: does not reproduce the published number', (w) => {
    const sn = safetyNumber(unhex(w.aliceIdentity), w.aliceStableId, unhex(w.bobIdentity), w.bobStableId);
    expect(sn).not.toBe(w.displayable);
  });

  test('one fewer iteration gives another fingerprint', () => {
    expect(numericFingerprint(alice, v.aliceStableId, v.iterations - 1)).not.toBe(v.aliceDigits);
  });
});

describe('numericFingerprint', () => {
  test('is 30 digits for a 32-byte Ed25519 key', () => {
    expect(numericFingerprint(generateIdentity().signPk, 'u-1')).toMatch(/^\d{30}$/);
  });

  test.each([0, -1, 1.5, 1_000_001, Number.NaN])('rejects %s iterations', (n) => {
    expectError(() => numericFingerprint(new Uint8Array(32), 'u', n), FormatError, 'numericFingerprint');
  });
});

describe('safety number', () => {
  let a: IdentityKeys;
  let b: IdentityKeys;
  beforeAll(() => {
    a = generateIdentity();
    b = generateIdentity();
  });

  test('is 60 digits, the same from both sides, shown as 12 groups of 5', () => {
    const sn = safetyNumber(a.signPk, 'u-a', b.signPk, 'u-b');
    expect(sn).toMatch(/^\d{60}$/);
    expect(safetyNumber(b.signPk, 'u-b', a.signPk, 'u-a')).toBe(sn);
    const groups = formatSafetyNumber(sn);
    expect(groups).toHaveLength(12);
    expect(groups.join('')).toBe(sn);
    for (const g of groups) expect(g).toMatch(/^\d{5}$/);
  });

  test('changes when the relay substitutes a key', () => {
    const mitm = generateIdentity();
    expect(safetyNumber(a.signPk, 'u-a', mitm.signPk, 'u-b')).not.toBe(
      safetyNumber(a.signPk, 'u-a', b.signPk, 'u-b'),
    );
  });

  test('formatSafetyNumber rejects anything but 60 digits', () => {
    expectError(() => formatSafetyNumber('123'), FormatError, 'formatSafetyNumber');
    expectError(() => formatSafetyNumber(`${'1'.repeat(59)}x`), FormatError, 'formatSafetyNumber');
  });
});

describe('QR payload', () => {
  let a: IdentityKeys;
  let b: IdentityKeys;
  beforeAll(() => {
    a = generateIdentity();
    b = generateIdentity();
  });

  test("is versioned, and what Bob shows is exactly what Alice's scanner expects", () => {
    const shownByBob = fingerprintQrPayload(b.signPk, 'u-b', a.signPk, 'u-a');
    expect(shownByBob).toMatch(/^parley-sn:1:\d{60}$/);
    expect(compareQrPayload(shownByBob, expectedQrPayload(a.signPk, 'u-a', b.signPk, 'u-b'))).toBe(true);
    const shownByAlice = fingerprintQrPayload(a.signPk, 'u-a', b.signPk, 'u-b');
    expect(compareQrPayload(shownByAlice, expectedQrPayload(b.signPk, 'u-b', a.signPk, 'u-a'))).toBe(true);
  });

  test('never matches its own code (scanning your own screen does not verify anyone)', () => {
    const own = fingerprintQrPayload(a.signPk, 'u-a', b.signPk, 'u-b');
    expect(compareQrPayload(own, expectedQrPayload(a.signPk, 'u-a', b.signPk, 'u-b'))).toBe(false);
  });

  test('does not match when the scanner sees a substituted key', () => {
    const mitm = generateIdentity();
    const shownByBob = fingerprintQrPayload(b.signPk, 'u-b', a.signPk, 'u-a');
    expect(compareQrPayload(shownByBob, expectedQrPayload(a.signPk, 'u-a', mitm.signPk, 'u-b'))).toBe(false);
  });

  test('compareQrPayload is false on length mismatch, garbage and lone surrogates', () => {
    const p = fingerprintQrPayload(a.signPk, 'u-a', b.signPk, 'u-b');
    expect(compareQrPayload(p.slice(0, -1), p)).toBe(false);
    expect(compareQrPayload(`${p}0`, p)).toBe(false);
    expect(compareQrPayload('', p)).toBe(false);
    expect(compareQrPayload('\uD800', p)).toBe(false);
    expect(compareQrPayload(p, p)).toBe(true);
  });
});

describe('input checks', () => {
  test('numericFingerprint and safetyNumber name themselves when the stable id is not a string', () => {
    const key = generateIdentity().signPk;
    expectError(() => numericFingerprint(key, 42 as unknown as string), FormatError, 'numericFingerprint');
    expectError(() => safetyNumber(key, '', key, 'b'), FormatError, 'safetyNumber');
  });
});
