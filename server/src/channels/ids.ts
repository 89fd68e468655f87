// Channel ids. A DM's id is derived from the sorted pair of user ids (DESIGN §3 "DMs"), so two
// racing opens meet on one channel; groups get a random id.
import { createHash, randomUUID } from 'node:crypto';

const DM_PREFIX = 'dm-';
const GROUP_PREFIX = 'g-';

/** `dm-` + the first 32 hex chars of SHA-256 of the two user ids, sorted, joined by ':'. */
export function dmChannelId(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  return DM_PREFIX + createHash('sha256').update(`${x}:${y}`, 'utf8').digest('hex').slice(0, 32);
}

export function newGroupChannelId(): string {
  return GROUP_PREFIX + randomUUID();
}
