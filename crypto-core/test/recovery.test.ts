// Recovery key: the human-readable code, its checksum, and the second key blob it opens.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DecryptError,
  deriveRecoveryKeys,
  FormatError,
  formatRecoveryCode,
  generateIdentity,
  generateRecoveryKey,
  KeyError,
  parseRecoveryCode,
  RECOVERY_KEY_BYTES,
  ready,
  unwrapKeys,
  wrapKeys,
} from '../src/index';
import { expectError, hex, unhex } from './helpers';

beforeAll(ready);

const FIXED_KEY = 'd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('recovery code', () => {
  test('is 14 groups of 4 Crockford base32 characters and round-trips', () => {
    const key = generateRecoveryKey();
    expect(key).toHaveLength(RECOVERY_KEY_BYTES);
    const code = formatRecoveryCode(key);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/);
    expect(hex(parseRecoveryCode(code))).toBe(hex(key));
  });

  test('parsing tolerates case, spaces, missing dashes and Crockford look-alikes', () => {
    const key = unhex(FIXED_KEY);
    const code = formatRecoveryCode(key);
    const variants = [
      code.toLowerCase(),
      code.replace(/-/g, ' '),
      code.replace(/-/g, ''),
      `  ${code.replace(/-/g, ' - ')}  `,
      code.replace(/1/g, 'l').replace(/0/g, 'O'),
      code.replace(/1/g, 'I').replace(/0/g, 'o'),
    ];
    for (const v of variants) expect(hex(parseRecoveryCode(v))).toBe(FIXED_KEY);
  });

  test('catches every single-character substitution with the checksum', () => {
    const code = formatRecoveryCode(unhex(FIXED_KEY)).replace(/-/g, '');
    for (let i = 0; i < code.length; i++) {
      const c = code[i] ?? '0';
      const other = ALPHABET[(ALPHABET.indexOf(c) + 1) % ALPHABET.length] ?? '0';
      const typo = code.slice(0, i) + other + code.slice(i + 1);
      expectError(() => parseRecoveryCode(typo), FormatError, 'parseRecoveryCode');
    }
  });

  test('catches swapped adjacent characters', () => {
    const code = formatRecoveryCode(unhex(FIXED_KEY)).replace(/-/g, '');
    for (let i = 0; i + 1 < code.length; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      expectError(() => parseRecoveryCode(swapped), FormatError, 'parseRecoveryCode');
    }
  });

  test.each([
    ['too short', 'ABCD-EFGH'],
    ['a U (not in the alphabet)', 'U'.repeat(56)],
    ['punctuation', `${'0'.repeat(55)}!`],
    ['not a string', 12],
  ])('rejects %s', (_name, code) => {
    expectError(() => parseRecoveryCode(code as string), FormatError, 'parseRecoveryCode');
  });

  test('formatRecoveryCode rejects a key of the wrong length', () => {
    expectError(() => formatRecoveryCode(new Uint8Array(16)), KeyError, 'formatRecoveryCode');
  });
});

describe('recovery keys and blob', () => {
  test('derives distinct auth and wrap keys, deterministic per recovery key', () => {
    const key = unhex(FIXED_KEY);
    const a = deriveRecoveryKeys(key);
    const b = deriveRecoveryKeys(key);
    expect(hex(a.authKey)).toBe(hex(b.authKey));
    expect(hex(a.authKey)).not.toBe(hex(a.wrapKey));
    expect(hex(deriveRecoveryKeys(generateRecoveryKey()).authKey)).not.toBe(hex(a.authKey));
  });

  test('the recovery blob is a key blob: the recovery wrapKey opens it, the recovery authKey does not', () => {
    const identity = generateIdentity();
    const code = formatRecoveryCode(generateRecoveryKey());
    const rk = deriveRecoveryKeys(parseRecoveryCode(code));
    const blob = wrapKeys(rk.wrapKey, identity);
    const back = unwrapKeys(
      deriveRecoveryKeys(parseRecoveryCode(code.toLowerCase())).wrapKey,
      blob,
      identity.signPk,
    );
    expect(hex(back.signSk)).toBe(hex(identity.signSk));
    expectError(() => unwrapKeys(rk.authKey, blob, identity.signPk), DecryptError, 'unwrapKeys');
  });

  test('deriveRecoveryKeys rejects a key of the wrong length', () => {
    expectError(() => deriveRecoveryKeys(new Uint8Array(33)), KeyError, 'deriveRecoveryKeys');
  });
});
