import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, passwordStrength } from './password';

describe('passwordStrength', () => {
  it('refuses short passwords and says why', () => {
    const s = passwordStrength('Ab1!x');
    expect(s.acceptable).toBe(false);
    expect(s.score).toBeLessThanOrEqual(1);
    expect(s.feedback[0]).toContain(String(MIN_PASSWORD_LENGTH));
  });

  it('rates common passwords very weak even when long enough', () => {
    const s = passwordStrength('password123');
    expect(s.score).toBe(0);
    expect(s.acceptable).toBe(false);
    expect(s.feedback.join(' ')).toMatch(/common/);
  });

  it('penalises sequences and repeats', () => {
    expect(passwordStrength('abcdefghijkl').acceptable).toBe(false);
    expect(passwordStrength('aaaaaaaaaaaaaa').acceptable).toBe(false);
    expect(passwordStrength('abcdefghijkl').feedback.join(' ')).toMatch(/sequences/);
  });

  it('penalises the user’s own name', () => {
    const plain = passwordStrength('alice-garden-27');
    const withName = passwordStrength('alice-garden-27', ['alice']);
    expect(withName.score).toBeLessThanOrEqual(plain.score);
    expect(withName.feedback.join(' ')).toMatch(/name/);
  });

  it('rates a long passphrase very strong', () => {
    const s = passwordStrength('correct horse battery staple lamp');
    expect(s.score).toBe(4);
    expect(s.acceptable).toBe(true);
    expect(s.label).toBe('Very strong');
  });

  it('accepts a reasonable mixed password', () => {
    expect(passwordStrength('Tr4vel-Mango-91').acceptable).toBe(true);
  });
});
