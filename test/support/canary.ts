// Finding a plaintext where it must never be: the text itself (UTF-8) and every base64/base64url
// rendering of it, at each of the three byte alignments it can have inside a longer encoded blob,
// plus hex.
import { randomBytes } from 'node:crypto';

/** A unique, recognisable text for one test run. */
export function makeCanary(label = 'CANARY'): string {
  return `${label}-${randomBytes(12).toString('hex')}-do-not-store`;
}

/** Byte strings whose presence anywhere would reveal the canary. */
export function canaryNeedles(text: string): { form: string; bytes: Buffer }[] {
  const raw = Buffer.from(text, 'utf8');
  const needles: { form: string; bytes: Buffer }[] = [
    { form: 'utf8', bytes: raw },
    { form: 'utf16le', bytes: Buffer.from(text, 'utf16le') },
    { form: 'hex', bytes: Buffer.from(raw.toString('hex')) },
    { form: 'HEX', bytes: Buffer.from(raw.toString('hex').toUpperCase()) },
  ];
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift), raw]);
    // Drop the groups that mix in the shift bytes or the (unknown) bytes after the canary.
    const std = shifted.toString('base64');
    const core = std.slice(shift === 0 ? 0 : 4, Math.floor((shifted.length / 3) | 0) * 4);
    needles.push({ form: `base64+${shift}`, bytes: Buffer.from(core) });
    needles.push({
      form: `base64url+${shift}`,
      bytes: Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_')),
    });
  }
  return needles;
}

/** The forms of the canary found in `haystack` (empty when clean). */
export function findCanary(haystack: Buffer, text: string): string[] {
  return canaryNeedles(text)
    .filter((n) => n.bytes.length >= 8 && haystack.includes(n.bytes))
    .map((n) => n.form);
}
