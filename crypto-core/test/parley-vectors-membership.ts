// Builds parley-membership.json (DESIGN §7.1): one valid chain of a group's membership log with
// the state after each entry, and invalid entries, each with its full inputs (the wire entries of
// the log before it, the entry, the error class and the function that must throw).
import _sodium from 'libsodium-wrappers-sumo';
import {
  encodeFields,
  MEMBER_HASH_BYTES,
  type MemberAction,
  type MemberEntry,
  type MemberEntryFields,
  MembershipLog,
  memberEntryBody,
  memberEntryHash,
  memberEntryToWire,
  signMemberEntry,
  TAGS,
  toBase64,
  toHex,
  u32be,
  utf8,
  type WireMemberEntry,
} from '../src/index';
import {
  ALICE,
  BOB,
  CAROL,
  CAROL_NEW,
  DAVE,
  identityOf,
  type Person,
  sourceFor,
  type VectorFile,
} from './vector-fixtures';

const hex = toHex;

export const GROUP_ID = 'g-3b1f9e2a-6c4d-4e8f-9a1b-2c3d4e5f6a7b';
const OTHER_GROUP_ID = 'g-0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d';

const pk = (p: Person) => identityOf(p).signPk;
const sk = (p: Person) => identityOf(p).signSk;
const NONE = new Uint8Array(0);

interface Step {
  name: string;
  signer: Person;
  action: MemberAction;
  actor: Person;
  subject: Person;
}

/** The published chain: create, add, add, remove by the owner, owner leaves, re-add with a new key. */
const CHAIN: Step[] = [
  { name: 'alice creates the group', signer: ALICE, action: 'create', actor: ALICE, subject: ALICE },
  { name: 'alice adds bob', signer: ALICE, action: 'add', actor: ALICE, subject: BOB },
  {
    name: 'bob (a member, not the owner) adds carol',
    signer: BOB,
    action: 'add',
    actor: BOB,
    subject: CAROL,
  },
  { name: 'alice (the owner) removes carol', signer: ALICE, action: 'remove', actor: ALICE, subject: CAROL },
  {
    name: 'alice leaves: ownership passes to bob',
    signer: ALICE,
    action: 'leave',
    actor: ALICE,
    subject: ALICE,
  },
  {
    name: 'bob adds carol again, under her new identity key',
    signer: BOB,
    action: 'add',
    actor: BOB,
    subject: CAROL_NEW,
  },
];

function bindsKey(action: MemberAction): boolean {
  return action === 'create' || action === 'add';
}

/** body and signature straight from the format, with no checks: for entries the API refuses. */
function rawSign(fields: MemberEntryFields, signSk: Uint8Array): { entry: MemberEntry; body: Uint8Array } {
  const body = encodeFields(
    TAGS.memberEntry,
    utf8(fields.channelId),
    u32be(fields.index),
    fields.prev,
    utf8(fields.action),
    utf8(fields.actorId),
    utf8(fields.subjectId),
    fields.subjectIdentityPk,
  );
  return { entry: { ...fields, sig: _sodium.crypto_sign_detached(body, signSk) }, body };
}

/** The wire form, written without checks (memberEntryToWire refuses malformed entries). */
function rawWire(e: MemberEntry): WireMemberEntry {
  return {
    index: e.index,
    prev: toBase64(e.prev),
    action: e.action,
    actorId: e.actorId,
    subjectId: e.subjectId,
    subjectIdentityPk: toBase64(e.subjectIdentityPk),
    sig: toBase64(e.sig),
  };
}

function stateOf(log: MembershipLog) {
  return {
    epoch: log.epoch,
    owner: log.owner,
    head: hex(log.head),
    members: log.members().map((m) => ({ userId: m.userId, identityPk: hex(m.identityPk), since: m.since })),
  };
}

/** The valid chain's entries, signed through the public API. */
function chainEntries(): MemberEntry[] {
  const log = MembershipLog.empty(GROUP_ID);
  return CHAIN.map((step) => {
    const fields = log.next(
      step.action,
      step.actor.id,
      step.subject.id,
      bindsKey(step.action) ? pk(step.subject) : NONE,
    );
    const entry = signMemberEntry(fields, sk(step.signer));
    log.append(entry);
    return entry;
  });
}

/** Index and hash of the chain's last entry: the `mh` of the envelope vector that carries one. */
export function membershipHead(): { channelId: string; index: number; hash: Uint8Array } {
  const entries = chainEntries();
  const last = entries.at(-1);
  if (!last) throw new Error('empty chain');
  return { channelId: GROUP_ID, index: last.index, hash: memberEntryHash(last) };
}

interface Bad {
  name: string;
  /** The entries before the bad one (default: the first `prefix` entries of the chain). */
  prefix: number | MemberEntry[];
  signer: Person;
  action: MemberAction;
  actor: Person;
  subject: Person;
  /** Default: the subject's key for create/add, empty otherwise. */
  subjectIdentityPk?: Uint8Array;
  index?: number;
  prev?: Uint8Array;
  channelId?: string;
  flipSigByte?: number;
  error: string;
  fn: 'MembershipLog.verify' | 'memberEntryFromWire';
}

export function membershipVectors(): VectorFile {
  const chain = chainEntries();
  const log = MembershipLog.empty(GROUP_ID);
  const valid = chain.map((entry, i) => {
    const step = CHAIN[i] as Step;
    log.append(entry);
    return {
      name: step.name,
      signer: step.signer.id,
      signerSignSeed: hex(step.signer.signSeed),
      index: entry.index,
      prev: hex(entry.prev),
      action: entry.action,
      actorId: entry.actorId,
      subjectId: entry.subjectId,
      subjectIdentityPk: hex(entry.subjectIdentityPk),
      body: hex(memberEntryBody(entry)),
      sig: hex(entry.sig),
      hash: hex(memberEntryHash(entry)),
      wire: memberEntryToWire(entry),
      stateAfter: stateOf(log),
    };
  });

  // A second, short log: alice creates and leaves, so nobody is left.
  const created = rawSign(
    {
      channelId: GROUP_ID,
      index: 0,
      prev: new Uint8Array(MEMBER_HASH_BYTES),
      action: 'create',
      actorId: ALICE.id,
      subjectId: ALICE.id,
      subjectIdentityPk: pk(ALICE),
    },
    sk(ALICE),
  ).entry;
  const left = rawSign(
    {
      channelId: GROUP_ID,
      index: 1,
      prev: memberEntryHash(created),
      action: 'leave',
      actorId: ALICE.id,
      subjectId: ALICE.id,
      subjectIdentityPk: NONE,
    },
    sk(ALICE),
  ).entry;

  const identityPoint = _sodium.from_hex(`01${'00'.repeat(31)}`);
  const V = 'MembershipLog.verify' as const;
  const W = 'memberEntryFromWire' as const;
  const cases: Bad[] = [
    {
      name: 'wrong index (3 where 2 is next)',
      prefix: 2,
      index: 3,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'wrong prev (the hash of entry 0 at index 2)',
      prefix: 2,
      prev: memberEntryHash(chain[0] as MemberEntry),
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'create at index 2',
      prefix: 2,
      signer: CAROL,
      action: 'create',
      actor: CAROL,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'index 0 is not a create (an add)',
      prefix: 0,
      signer: ALICE,
      action: 'add',
      actor: ALICE,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'create whose actor (alice) is not its subject (bob)',
      prefix: 0,
      signer: ALICE,
      action: 'create',
      actor: ALICE,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'add by a non-member (dave)',
      prefix: 2,
      signer: DAVE,
      action: 'add',
      actor: DAVE,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'add of a current member (bob again)',
      prefix: 2,
      signer: ALICE,
      action: 'add',
      actor: ALICE,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'remove by a non-owner (bob removes carol while alice owns)',
      prefix: 3,
      signer: BOB,
      action: 'remove',
      actor: BOB,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'remove of self (the owner removes herself)',
      prefix: 2,
      signer: ALICE,
      action: 'remove',
      actor: ALICE,
      subject: ALICE,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'remove of a non-member (carol, never added)',
      prefix: 2,
      signer: ALICE,
      action: 'remove',
      actor: ALICE,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'remove by a non-owner after ownership passed to bob (carol removes bob)',
      prefix: 6,
      signer: CAROL_NEW,
      action: 'remove',
      actor: CAROL_NEW,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'leave by a non-member (carol)',
      prefix: 2,
      signer: CAROL,
      action: 'leave',
      actor: CAROL,
      subject: CAROL,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'leave whose actor (alice) is not its subject (bob)',
      prefix: 2,
      signer: ALICE,
      action: 'leave',
      actor: ALICE,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: 'add after everyone left (nobody can act)',
      prefix: [created, left],
      signer: ALICE,
      action: 'add',
      actor: ALICE,
      subject: BOB,
      error: 'MembershipError',
      fn: V,
    },
    {
      name: "signed by the wrong key (the subject carol signs bob's add)",
      prefix: 2,
      signer: CAROL,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'create signed by another key than the one it binds',
      prefix: 0,
      signer: BOB,
      action: 'create',
      actor: ALICE,
      subject: ALICE,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'carol leaves, signed with her old key (the log bound her new one at 5)',
      prefix: 6,
      signer: CAROL,
      action: 'leave',
      actor: CAROL_NEW,
      subject: CAROL_NEW,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'bit flip in sig (byte 0)',
      prefix: 2,
      flipSigByte: 0,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'bit flip in sig (byte 63)',
      prefix: 2,
      flipSigByte: 63,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'entry signed for another channel, presented in this one',
      prefix: 2,
      channelId: OTHER_GROUP_ID,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'SignatureError',
      fn: V,
    },
    {
      name: 'non-empty subjectIdentityPk on remove',
      prefix: 3,
      subjectIdentityPk: pk(CAROL),
      signer: ALICE,
      action: 'remove',
      actor: ALICE,
      subject: CAROL,
      error: 'KeyError',
      fn: W,
    },
    {
      name: 'non-empty subjectIdentityPk on leave',
      prefix: 2,
      subjectIdentityPk: pk(BOB),
      signer: BOB,
      action: 'leave',
      actor: BOB,
      subject: BOB,
      error: 'KeyError',
      fn: W,
    },
    {
      name: 'empty subjectIdentityPk on add',
      prefix: 2,
      subjectIdentityPk: NONE,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'KeyError',
      fn: W,
    },
    {
      name: 'subjectIdentityPk is the Ed25519 identity point (small order)',
      prefix: 2,
      subjectIdentityPk: identityPoint,
      signer: BOB,
      action: 'add',
      actor: BOB,
      subject: CAROL,
      error: 'KeyError',
      fn: W,
    },
  ];

  const invalid = cases.map((c) => {
    const before = typeof c.prefix === 'number' ? chain.slice(0, c.prefix) : c.prefix;
    const last = before.at(-1);
    const fields: MemberEntryFields = {
      channelId: c.channelId ?? GROUP_ID,
      index: c.index ?? before.length,
      prev: c.prev ?? (last ? memberEntryHash(last) : new Uint8Array(MEMBER_HASH_BYTES)),
      action: c.action,
      actorId: c.actor.id,
      subjectId: c.subject.id,
      subjectIdentityPk: c.subjectIdentityPk ?? (bindsKey(c.action) ? pk(c.subject) : NONE),
    };
    const { entry, body } = rawSign(fields, sk(c.signer));
    if (c.flipSigByte !== undefined) entry.sig[c.flipSigByte] = (entry.sig[c.flipSigByte] ?? 0) ^ 0x01;
    return {
      name: c.name,
      channelId: GROUP_ID,
      log: before.map(rawWire),
      entry: rawWire(entry),
      /** The channel the signer signed for (the body's first field); differs from channelId once. */
      signedChannelId: fields.channelId,
      signedBody: hex(body),
      signedBy: c.signer.id,
      signerSignSeed: hex(c.signer.signSeed),
      failsAt: before.length,
      fn: c.fn,
      error: c.error,
    };
  });

  return {
    source: sourceFor('section 7.1'),
    valid: [
      {
        name: 'a group of alice, bob and carol',
        channelId: GROUP_ID,
        identities: (
          [
            ['alice', ALICE],
            ['bob', BOB],
            ['carol (first key)', CAROL],
            ['carol (new key, from entry 5)', CAROL_NEW],
            ['dave (never a member)', DAVE],
          ] as const
        ).map(([label, p]) => ({
          label,
          userId: p.id,
          signSeed: hex(p.signSeed),
          identityPk: hex(pk(p)),
        })),
        entries: valid,
      },
    ],
    invalid,
  };
}
