// The relay's send rule (DESIGN §4 "Delivery semantics"): a message is stored only if its sender
// is a member, its sender key is current for the channel's membership, and every current member
// (the sender included) holds a share of that key. The relay cannot read messages; the rule keeps
// honest clients from sending what some members could not decrypt.
import type { AppendResult } from '../db/store';

/** What the appending transaction knows about one (channel, sender, key) before it inserts. */
export interface SendFacts {
  /** The channel's membership epoch, read under the channel's lock. */
  memberEpoch: number;
  senderIsMember: boolean;
  /** The epoch the key was made at, or undefined if it was never shared. */
  keyEpoch: number | undefined;
  /** Current members without a share of the key, sorted; every member if the key is unknown. */
  missing: readonly string[];
}

export type SendRejection = Exclude<Extract<AppendResult, { ok: false }>, { code: 'not_found' }>;

/** The refusal for a send, or null when it may be stored. */
export function checkSend(facts: SendFacts): SendRejection | null {
  if (!facts.senderIsMember) return { ok: false, code: 'not_member' };
  if (facts.keyEpoch !== undefined && facts.keyEpoch < facts.memberEpoch)
    return { ok: false, code: 'stale_key' };
  if (facts.missing.length > 0) return { ok: false, code: 'missing_shares', missing: [...facts.missing] };
  return null;
}
