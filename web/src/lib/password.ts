// Password strength estimate for the registration and password-change forms. A heuristic in the
// spirit of zxcvbn: rough guess count from length and character pool, minus obvious patterns.

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: StrengthScore;
  label: 'Very weak' | 'Weak' | 'Fair' | 'Strong' | 'Very strong';
  /** What would make it better; empty when nothing obvious. */
  feedback: string[];
  /** Whether the form should accept it. */
  acceptable: boolean;
}

export const MIN_PASSWORD_LENGTH = 10;

const COMMON = new Set([
  'password',
  'passw0rd',
  'password1',
  '123456',
  '12345678',
  '123456789',
  '1234567890',
  'qwerty',
  'qwertyuiop',
  'letmein',
  'welcome',
  'iloveyou',
  'admin',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'abc123',
  'trustno1',
  'master',
  'shadow',
  'superman',
  'michael',
  'parley',
  'secret',
  'changeme',
  'starwars',
  'whatever',
  'hello',
  'freedom',
  'login',
  'azerty',
  'solo',
]);

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiopasdfghjklzxcvbnm'];

function poolSize(pw: string): number {
  let pool = 0;
  if (/[a-z]/.test(pw)) pool += 26;
  if (/[A-Z]/.test(pw)) pool += 26;
  if (/[0-9]/.test(pw)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(pw)) pool += 33;
  return Math.max(pool, 1);
}

/** Length of the characters that belong to runs of 3+ repeats or keyboard/alphabet sequences. */
function patternLength(pw: string): number {
  const lower = pw.toLowerCase();
  let covered = 0;
  let i = 0;
  while (i < lower.length) {
    let j = i + 1;
    while (j < lower.length && lower[j] === lower[i]) j++;
    if (j - i >= 3) {
      covered += j - i;
      i = j;
      continue;
    }
    let k = i + 1;
    const seq = SEQUENCES.find(
      (s) => s.includes(lower.slice(i, i + 2)) || s.includes(reverse(lower.slice(i, i + 2))),
    );
    if (seq) {
      const fwd = seq.includes(lower.slice(i, i + 2));
      while (k < lower.length) {
        const piece = lower.slice(i, k + 1);
        if (!seq.includes(fwd ? piece : reverse(piece))) break;
        k++;
      }
    }
    if (k - i >= 3) {
      covered += k - i;
      i = k;
    } else i++;
  }
  return covered;
}

function reverse(s: string): string {
  return Array.from(s).reverse().join('');
}

/** Scores a password; `context` holds words the user gave us (username, display name). */
export function passwordStrength(pw: string, context: readonly string[] = []): Strength {
  const feedback: string[] = [];
  const lower = pw.toLowerCase();
  const length = Array.from(pw).length;
  const pattern = patternLength(pw);
  let effective = length - pattern * 0.75;

  const stripped = lower.replace(/[^a-z]/g, '');
  if (COMMON.has(lower) || COMMON.has(stripped) || COMMON.has(lower.replace(/\d+$/, ''))) {
    effective = Math.min(effective, 2);
    feedback.push('This is a very common password.');
  }
  for (const word of context) {
    const w = word.trim().toLowerCase();
    if (w.length >= 3 && lower.includes(w)) {
      effective -= w.length;
      feedback.push('Avoid using your name or username.');
      break;
    }
  }
  if (pattern >= 3) feedback.push('Avoid repeated characters and sequences like "abc" or "123".');

  const bits = Math.max(0, effective) * Math.log2(poolSize(pw));
  let score: StrengthScore = bits < 28 ? 0 : bits < 40 ? 1 : bits < 56 ? 2 : bits < 72 ? 3 : 4;
  if (length < MIN_PASSWORD_LENGTH) {
    feedback.unshift(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
    score = Math.min(score, 1) as StrengthScore;
  }
  if (score < 3 && length >= MIN_PASSWORD_LENGTH && feedback.length === 0) {
    feedback.push('Add more words or mix in digits and symbols; a few unrelated words work well.');
  }
  const labels = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
  return { score, label: labels[score], feedback, acceptable: length >= MIN_PASSWORD_LENGTH && score >= 2 };
}
