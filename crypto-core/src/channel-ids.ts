// Channel ids (DESIGN §7.2). A DM's id is derived from its two members, so a client can check that
// a DM the relay names is really the one with that peer (the relay cannot choose or move it), and
// two racing opens meet on one channel. A group's id is random; its members come from its
// membership log, not from its id.
import { idBytes, toHex, utf8 } from './bytes';
import { FormatError } from './errors';
import { randomUuid } from './random';
import { sodium } from './sodium';

export const DM_PREFIX = 'dm-';
export const GROUP_PREFIX = 'g-';
/** Hex digits of SHA-256 kept in a DM id (128 bits). */
const DM_HASH_HEX = 32;

/**
 * `dm-` + the first 32 lowercase hex digits of SHA-256(utf8(`${x}:${y}`)), where [x, y] is [a, b]
 * sorted by UTF-16 code units (JavaScript's default sort). The same for (a, b) and (b, a).
 * Throws FormatError if a === b (no DM with oneself), if either is not a valid id, or if either
 * contains ':' (the join would be ambiguous: "a:b" + "c" and "a" + "b:c" would meet).
 */
export function dmChannelId(a: string, b: string): string {
  const fn = 'dmChannelId';
  idBytes(fn, 'a', a);
  idBytes(fn, 'b', b);
  if (a === b) throw new FormatError(`${fn}: a DM needs two different users`);
  if (a.includes(':') || b.includes(':')) throw new FormatError(`${fn}: user ids must not contain ':'`);
  const [x, y] = [a, b].sort();
  const digest = sodium().crypto_hash_sha256(utf8(`${x}:${y}`));
  return DM_PREFIX + toHex(digest).slice(0, DM_HASH_HEX);
}

/** `g-` + a random lowercase UUID v4 (crypto.randomUUID): a fresh group channel id. */
export function newGroupChannelId(): string {
  return GROUP_PREFIX + randomUuid();
}
