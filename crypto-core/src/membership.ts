// Membership log of a group (DESIGN §7.1): the only source of a group's member set, owner and
// epoch. Each entry is checked in order against the state the entries before it built (index,
// prev, the rules, then the signature under the key the log bound to the actor), so a relay can
// withhold entries but cannot add a member no member added, or rewrite or reorder the log, without
// every reader rejecting it. What it does not stop: a relay showing different readers different
// prefixes of one log; the signed `mh` in payloads (DESIGN §7.3) is how readers notice that.
import { checkBytes, constantTimeEqual, idBytes, SIGNATURE_BYTES } from './bytes';
import { FormatError, MembershipError, SignatureError } from './errors';
import {
  bindsKey,
  copyFields,
  entryBody,
  hashOf,
  MEMBER_HASH_BYTES,
  type MemberAction,
  type MemberEntry,
  type MemberEntryFields,
} from './membership-entry';
import { sodium } from './sodium';

export interface MemberInfo {
  userId: string;
  /** The identity key the log bound to this member (at its create or latest add). */
  identityPk: Uint8Array;
  /** Index of the entry that began the current membership. */
  since: number;
}

/** One current membership; never mutated once made, so copies of a log can share them. */
interface Membership {
  readonly identityPk: Uint8Array;
  readonly since: number;
}

const ZERO_HASH = new Uint8Array(MEMBER_HASH_BYTES);

export class MembershipLog {
  readonly channelId: string;
  #entries: MemberEntry[];
  #hashes: Uint8Array[];
  #members: Map<string, Membership>;
  #owner: string | null;

  private constructor(
    channelId: string,
    entries: MemberEntry[],
    hashes: Uint8Array[],
    members: Map<string, Membership>,
    owner: string | null,
  ) {
    this.channelId = channelId;
    this.#entries = entries;
    this.#hashes = hashes;
    this.#members = members;
    this.#owner = owner;
  }

  /** The log of a channel that has no entry yet. */
  static empty(channelId: string): MembershipLog {
    idBytes('MembershipLog.empty', 'channelId', channelId);
    return new MembershipLog(channelId, [], [], new Map(), null);
  }

  /** Verifies every entry in order (chain, rules, signatures); throws on the first problem. */
  static verify(channelId: string, entries: readonly MemberEntry[]): MembershipLog {
    const fn = 'MembershipLog.verify';
    idBytes(fn, 'channelId', channelId);
    if (!Array.isArray(entries)) throw new FormatError(`${fn}: entries must be an array`);
    const log = new MembershipLog(channelId, [], [], new Map(), null);
    for (const entry of entries) log.#apply(fn, entry);
    return log;
  }

  /** Number of entries. */
  get length(): number {
    return this.#entries.length;
  }

  /** The channel's epoch (DESIGN §7.1): its log length. */
  get epoch(): number {
    return this.#entries.length;
  }

  /** Hash of the last entry, or 32 zero bytes when the log is empty (a copy). */
  get head(): Uint8Array {
    return (this.#hashes.at(-1) ?? ZERO_HASH).slice();
  }

  /** The current owner; null before `create` and once nobody is left. */
  get owner(): string | null {
    return this.#owner;
  }

  /** Current members, ordered by `since` ascending (so the first is the next owner in line). */
  members(): MemberInfo[] {
    return [...this.#members]
      .map(([userId, m]) => ({ userId, identityPk: m.identityPk.slice(), since: m.since }))
      .sort((a, b) => a.since - b.since);
  }

  isMember(userId: string): boolean {
    return this.#members.has(userId);
  }

  /** The key the log bound to a current member (a copy), or undefined for a non-member. */
  boundKey(userId: string): Uint8Array | undefined {
    return this.#members.get(userId)?.identityPk.slice();
  }

  /** The verified entries, in order (copies). */
  entries(): readonly MemberEntry[] {
    return this.#entries.map((e) => ({ ...copyFields(e), sig: e.sig.slice() }));
  }

  /** Hash of entry `index` (a copy). Throws FormatError out of range. */
  hashAt(index: number): Uint8Array {
    const hash = Number.isInteger(index) ? this.#hashes[index] : undefined;
    if (!hash) {
      throw new FormatError(`MembershipLog.hashAt: index ${String(index)} is not in 0..${this.length - 1}`);
    }
    return hash.slice();
  }

  /**
   * The fields the next entry must carry: {channelId, index: length, prev: head, action, actorId,
   * subjectId, subjectIdentityPk}. Checks them against the rules now (MembershipError, KeyError,
   * FormatError), so a client never signs an entry that readers would refuse.
   */
  next(
    action: MemberAction,
    actorId: string,
    subjectId: string,
    subjectIdentityPk: Uint8Array = new Uint8Array(0),
  ): MemberEntryFields {
    const fields: MemberEntryFields = {
      channelId: this.channelId,
      index: this.length,
      prev: this.head,
      action,
      actorId,
      subjectId,
      subjectIdentityPk,
    };
    this.#check('MembershipLog.next', fields);
    return copyFields(fields);
  }

  /**
   * Checks one more entry against the current state (index = length, prev = head, the rules, the
   * signature under the key the log bound to its actor) and applies it. Throws, leaving the state
   * unchanged, on any problem: FormatError/KeyError (malformed), MembershipError (chain or rule),
   * SignatureError.
   */
  append(entry: MemberEntry): void {
    this.#apply('MembershipLog.append', entry);
  }

  /** The same checks as `append`, on a copy: returns the log that would result; this one is unchanged. */
  withEntry(entry: MemberEntry): MembershipLog {
    const copy = new MembershipLog(
      this.channelId,
      this.#entries.slice(),
      this.#hashes.slice(),
      new Map(this.#members),
      this.#owner,
    );
    copy.#apply('MembershipLog.withEntry', entry);
    return copy;
  }

  /**
   * Structure, chain and rules of DESIGN §7.1, in that order; returns the body and the key the
   * signature must verify under. Error messages name the entry's position: `${fn}: entry N: …`.
   */
  #check(fn: string, fields: MemberEntryFields): { body: Uint8Array; signerPk: Uint8Array } {
    const n = this.length;
    const at = `${fn}: entry ${n}`;
    const body = entryBody(at, fields);
    const fail = (why: string) => new MembershipError(`${at}: ${why}`);
    if (fields.channelId !== this.channelId)
      throw fail(`belongs to channel ${JSON.stringify(fields.channelId)}`);
    if (fields.index !== n) throw fail(`index is ${fields.index}, expected ${n}`);
    if (!constantTimeEqual(fields.prev, this.#hashes[n - 1] ?? ZERO_HASH)) {
      throw fail(n === 0 ? 'prev must be 32 zero bytes' : `prev is not the hash of entry ${n - 1}`);
    }
    const { action, actorId, subjectId } = fields;
    if (action === 'create') {
      if (n !== 0) throw fail('create after index 0');
      if (actorId !== subjectId) throw fail('create whose actor is not its subject');
      return { body, signerPk: fields.subjectIdentityPk };
    }
    if (n === 0) throw fail(`${action} at index 0 (the first entry must be create)`);
    if (this.#members.size === 0) throw fail(`${action} after everyone left (no entry can follow)`);
    const actor = this.#members.get(actorId);
    const subjectIsMember = this.#members.has(subjectId);
    if (action === 'add') {
      if (!actor) throw fail('add by a non-member');
      if (subjectIsMember) throw fail('add of a current member');
    } else if (action === 'remove') {
      if (actorId !== this.#owner) throw fail('remove by a non-owner');
      if (subjectId === actorId) throw fail('remove of oneself (the owner leaves instead)');
      if (!subjectIsMember) throw fail('remove of a non-member');
    } else {
      if (actorId !== subjectId) throw fail('leave whose actor is not its subject');
      if (!actor) throw fail('leave by a non-member');
    }
    if (!actor) throw fail(`${action} by a non-member`); // unreachable: narrows `actor`
    return { body, signerPk: actor.identityPk };
  }

  #apply(fn: string, entry: MemberEntry): void {
    const { body, signerPk } = this.#check(fn, entry);
    const at = `${fn}: entry ${this.length}`;
    checkBytes(at, 'sig', entry.sig, SIGNATURE_BYTES);
    if (!sodium().crypto_sign_verify_detached(entry.sig, body, signerPk)) {
      const whose =
        entry.action === 'create' ? 'the key the create binds' : `the key the log bound to ${entry.actorId}`;
      throw new SignatureError(`${at}: bad signature (not by ${whose})`);
    }
    // All checks passed: from here on nothing throws, so a failed append changes nothing.
    const stored: MemberEntry = { ...copyFields(entry), sig: entry.sig.slice() };
    const index = this.length;
    this.#entries.push(stored);
    this.#hashes.push(hashOf(body, stored.sig));
    if (bindsKey(stored.action)) {
      this.#members.set(stored.subjectId, { identityPk: stored.subjectIdentityPk, since: index });
      if (stored.action === 'create') this.#owner = stored.subjectId;
    } else {
      this.#members.delete(stored.subjectId);
      if (stored.subjectId === this.#owner) this.#owner = this.#nextOwner();
    }
  }

  /** The member whose current membership began at the lowest index, or null (DESIGN §7.1). */
  #nextOwner(): string | null {
    let best: string | null = null;
    let since = Number.POSITIVE_INFINITY;
    for (const [userId, m] of this.#members) {
      if (m.since < since) {
        best = userId;
        since = m.since;
      }
    }
    return best;
  }
}
