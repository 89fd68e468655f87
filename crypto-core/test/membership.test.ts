// Membership log (DESIGN §7.1): the chain, the rules, owner hand-over, re-adds, copies, and the
// exact error for every tampered byte.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  FormatError,
  generateIdentity,
  type IdentityKeys,
  KeyError,
  MEMBER_HASH_BYTES,
  type MemberAction,
  type MemberEntry,
  MembershipError,
  MembershipLog,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  ready,
  SignatureError,
  signMemberEntry,
  WireMemberEntrySchema,
} from '../src/index';
import { expectError, flipByte, hex } from './helpers';

const CH = 'g-test';
let keys: Record<string, IdentityKeys>;

beforeAll(async () => {
  await ready();
  keys = { a: generateIdentity(), b: generateIdentity(), c: generateIdentity(), d: generateIdentity() };
});

const key = (id: string) => {
  const k = keys[id];
  if (!k) throw new Error(`no key ${id}`);
  return k;
};

/** Signs and appends `action` by `actor` on `subject`, binding the subject's current key. */
function act(log: MembershipLog, action: MemberAction, actor: string, subject = actor): MemberEntry {
  const binds = action === 'create' || action === 'add';
  const fields = log.next(action, actor, subject, binds ? key(subject).signPk : undefined);
  const entry = signMemberEntry(fields, key(actor).signSk);
  log.append(entry);
  return entry;
}

/** The next entry's fields signed by `signer`, without the rules that `next` checks. */
function raw(
  log: MembershipLog,
  action: MemberAction,
  actor: string,
  subject: string,
  signer = actor,
): MemberEntry {
  const binds = action === 'create' || action === 'add';
  const fields = {
    channelId: CH,
    index: log.length,
    prev: log.head,
    action,
    actorId: actor,
    subjectId: subject,
    subjectIdentityPk: binds ? key(subject).signPk : new Uint8Array(0),
  };
  return signMemberEntry(fields, key(signer).signSk);
}

function group(...members: string[]): MembershipLog {
  const log = MembershipLog.empty(CH);
  const [creator, ...rest] = members;
  act(log, 'create', creator ?? 'a');
  for (const m of rest) act(log, 'add', creator ?? 'a', m);
  return log;
}

describe('MembershipLog state', () => {
  test('an empty log has no members, no owner, epoch 0 and a zero head', () => {
    const log = MembershipLog.empty(CH);
    expect(log.length).toBe(0);
    expect(log.epoch).toBe(0);
    expect(log.owner).toBeNull();
    expect(log.members()).toEqual([]);
    expect(hex(log.head)).toBe('00'.repeat(MEMBER_HASH_BYTES));
  });

  test('create makes the creator the first member and owner, bound to its own key', () => {
    const log = group('a');
    expect(log.owner).toBe('a');
    expect(log.isMember('a')).toBe(true);
    expect(hex(log.boundKey('a') ?? new Uint8Array())).toBe(hex(key('a').signPk));
    expect(log.members()).toEqual([{ userId: 'a', identityPk: key('a').signPk, since: 0 }]);
  });

  test('epoch = length, and the head is the last entry hash', () => {
    const log = MembershipLog.empty(CH);
    for (const [i, step] of (
      [
        ['create', 'a', 'a'],
        ['add', 'a', 'b'],
        ['add', 'b', 'c'],
        ['remove', 'a', 'c'],
        ['leave', 'b', 'b'],
      ] as const
    ).entries()) {
      const entry = act(log, step[0], step[1], step[2]);
      expect(log.length).toBe(i + 1);
      expect(log.epoch).toBe(log.length);
      expect(hex(log.head)).toBe(hex(memberEntryHash(entry)));
      expect(hex(log.hashAt(i))).toBe(hex(log.head));
    }
  });

  test("any member may add; only the owner removes; the owner's leave hands over to the earliest member", () => {
    const log = group('a', 'b');
    act(log, 'add', 'b', 'c'); // a member who is not the owner adds
    act(log, 'remove', 'a', 'b');
    act(log, 'add', 'c', 'b'); // b is back, since 4
    expect(log.members().map((m) => [m.userId, m.since])).toEqual([
      ['a', 0],
      ['c', 2],
      ['b', 4],
    ]);
    act(log, 'leave', 'a');
    expect(log.owner).toBe('c'); // c's membership began before b's current one
    expectError(() => act(log, 'remove', 'b', 'c'), MembershipError, 'MembershipLog.next');
    act(log, 'remove', 'c', 'b');
    expect(log.members().map((m) => m.userId)).toEqual(['c']);
  });

  test('a non-owner leaving does not change the owner', () => {
    const log = group('a', 'b', 'c');
    act(log, 'leave', 'b');
    expect(log.owner).toBe('a');
  });

  test('when the last member leaves there is no owner and no entry can follow', () => {
    const log = group('a');
    act(log, 'leave', 'a');
    expect(log.owner).toBeNull();
    expect(log.members()).toEqual([]);
    for (const action of ['add', 'leave', 'remove', 'create'] as const) {
      expectError(
        () => log.append(raw(log, action, 'a', action === 'add' ? 'b' : 'a')),
        MembershipError,
        'MembershipLog.append',
      );
    }
  });

  test('a re-added member starts a new membership with the new bound key', () => {
    const log = group('a', 'c');
    const oldKey = key('c');
    act(log, 'leave', 'c');
    expect(log.isMember('c')).toBe(false);
    expect(log.boundKey('c')).toBeUndefined();
    keys.c = generateIdentity(); // c's key changed
    act(log, 'add', 'a', 'c');
    expect(log.members().find((m) => m.userId === 'c')?.since).toBe(3);
    expect(hex(log.boundKey('c') ?? new Uint8Array())).toBe(hex(key('c').signPk));
    // An entry by c signed with the old key no longer verifies.
    const stale = signMemberEntry(log.next('leave', 'c', 'c'), oldKey.signSk);
    expectError(() => log.append(stale), SignatureError, 'MembershipLog.append');
    act(log, 'leave', 'c');
  });

  test('accessors return copies', () => {
    const log = group('a', 'b');
    log.head.fill(1);
    log.hashAt(0).fill(1);
    log.boundKey('a')?.fill(1);
    const m = log.members()[0];
    m?.identityPk.fill(1);
    const e = log.entries()[0];
    e?.sig.fill(1);
    expect(hex(log.boundKey('a') ?? new Uint8Array())).toBe(hex(key('a').signPk));
    expect(MembershipLog.verify(CH, log.entries()).length).toBe(2);
    expect(hex(log.head)).toBe(hex(memberEntryHash(log.entries()[1] as MemberEntry)));
  });

  test('mutating an appended entry afterwards does not change the log', () => {
    const log = group('a');
    const entry = raw(log, 'add', 'a', 'b');
    log.append(entry);
    entry.subjectIdentityPk.fill(0);
    entry.sig.fill(0);
    expect(hex(log.boundKey('b') ?? new Uint8Array())).toBe(hex(key('b').signPk));
    expect(MembershipLog.verify(CH, log.entries()).length).toBe(2);
  });

  test('hashAt refuses an index out of range with FormatError', () => {
    const log = group('a');
    for (const i of [-1, 1, 0.5, Number.NaN])
      expectError(() => log.hashAt(i), FormatError, 'MembershipLog.hashAt');
  });
});

describe('append, withEntry, verify', () => {
  test('withEntry returns the grown log and leaves the original untouched', () => {
    const log = group('a');
    const head = hex(log.head);
    const entry = raw(log, 'add', 'a', 'b');
    const grown = log.withEntry(entry);
    expect(grown.length).toBe(2);
    expect(grown.isMember('b')).toBe(true);
    expect(log.length).toBe(1);
    expect(log.isMember('b')).toBe(false);
    expect(hex(log.head)).toBe(head);
    // Both can go on independently.
    log.append(raw(log, 'add', 'a', 'c'));
    expect(grown.isMember('c')).toBe(false);
    expect(log.isMember('b')).toBe(false);
  });

  test('a refused append leaves the state unchanged', () => {
    const log = group('a', 'b');
    const before = { length: log.length, head: hex(log.head), owner: log.owner, members: log.members() };
    expectError(() => log.append(raw(log, 'remove', 'b', 'a')), MembershipError, 'MembershipLog.append');
    expectError(() => log.append(raw(log, 'add', 'a', 'c', 'c')), SignatureError, 'MembershipLog.append');
    expectError(() => log.withEntry(raw(log, 'add', 'a', 'b')), MembershipError, 'MembershipLog.withEntry');
    expect({ length: log.length, head: hex(log.head), owner: log.owner, members: log.members() }).toEqual(
      before,
    );
  });

  test('verify rebuilds the same state and names the failing index', () => {
    const log = group('a', 'b', 'c');
    act(log, 'remove', 'a', 'c');
    const entries = [...log.entries()];
    const again = MembershipLog.verify(CH, entries);
    expect(hex(again.head)).toBe(hex(log.head));
    expect(again.members()).toEqual(log.members());
    const broken = entries.slice();
    broken[2] = { ...(entries[2] as MemberEntry), sig: flipByte((entries[2] as MemberEntry).sig, 5) };
    const err = expectError(() => MembershipLog.verify(CH, broken), SignatureError, 'MembershipLog.verify');
    expect(err.message).toContain('entry 2:');
    const reordered = [entries[0], entries[2], entries[1], entries[3]] as MemberEntry[];
    const err2 = expectError(
      () => MembershipLog.verify(CH, reordered),
      MembershipError,
      'MembershipLog.verify',
    );
    expect(err2.message).toContain('entry 1: index is 2, expected 1');
    expectError(() => MembershipLog.verify(CH, entries.slice(1)), MembershipError, 'MembershipLog.verify');
  });

  test('verify and empty refuse bad arguments with FormatError', () => {
    expectError(
      () => MembershipLog.verify(CH, 'x' as unknown as MemberEntry[]),
      FormatError,
      'MembershipLog.verify',
    );
    expectError(() => MembershipLog.verify('', []), FormatError, 'MembershipLog.verify');
    expectError(() => MembershipLog.empty(''), FormatError, 'MembershipLog.empty');
    const log = group('a');
    expectError(() => log.append(null as unknown as MemberEntry), FormatError, 'MembershipLog.append');
  });

  test('next gives the fields of the next entry and refuses what the rules forbid', () => {
    const log = group('a', 'b');
    const fields = log.next('add', 'b', 'c', key('c').signPk);
    expect(fields.index).toBe(2);
    expect(hex(fields.prev)).toBe(hex(log.head));
    expect(fields.channelId).toBe(CH);
    expectError(() => log.next('add', 'a', 'b', key('b').signPk), MembershipError, 'MembershipLog.next');
    expectError(() => log.next('remove', 'a', 'a'), MembershipError, 'MembershipLog.next');
    expectError(() => log.next('leave', 'a', 'b'), MembershipError, 'MembershipLog.next');
    expectError(() => log.next('add', 'b', 'c'), KeyError, 'MembershipLog.next');
    expectError(() => log.next('leave', 'b', 'b', key('b').signPk), KeyError, 'MembershipLog.next');
    expectError(() => log.next('poll' as MemberAction, 'b', 'b'), FormatError, 'MembershipLog.next');
  });

  test('signMemberEntry refuses a create signed with a key it does not bind', () => {
    const fields = MembershipLog.empty(CH).next('create', 'a', 'a', key('a').signPk);
    expectError(() => signMemberEntry(fields, key('b').signSk), KeyError, 'signMemberEntry');
    expectError(() => signMemberEntry(fields, new Uint8Array(32)), KeyError, 'signMemberEntry');
  });
});

describe('tampering', () => {
  let log: MembershipLog;
  let entry: MemberEntry;
  beforeAll(() => {
    log = group('a', 'b');
    entry = raw(log, 'add', 'b', 'c');
  });

  test('every flipped byte of sig is a SignatureError', () => {
    for (let i = 0; i < entry.sig.length; i++) {
      expectError(
        () => log.withEntry({ ...entry, sig: flipByte(entry.sig, i) }),
        SignatureError,
        'MembershipLog.withEntry',
      );
    }
  });

  test('every flipped byte of prev is a MembershipError (chain broken)', () => {
    for (let i = 0; i < entry.prev.length; i++) {
      const err = expectError(
        () => log.withEntry({ ...entry, prev: flipByte(entry.prev, i) }),
        MembershipError,
        'MembershipLog.withEntry',
      );
      expect(err.message).toContain('prev');
    }
  });

  test('every flipped byte of subjectIdentityPk is refused: an invalid point, or a bad signature', () => {
    for (let i = 0; i < entry.subjectIdentityPk.length; i++) {
      const tampered = { ...entry, subjectIdentityPk: flipByte(entry.subjectIdentityPk, i) };
      let caught: unknown;
      try {
        log.withEntry(tampered);
      } catch (e) {
        caught = e;
      }
      expect(caught instanceof KeyError || caught instanceof SignatureError, String(caught)).toBe(true);
    }
  });

  test('each other field changed is refused', () => {
    const changes: [Partial<MemberEntry>, new (m?: string) => Error][] = [
      [{ index: 3 }, MembershipError],
      [{ actorId: 'a' }, SignatureError],
      [{ subjectId: 'd', subjectIdentityPk: key('d').signPk }, SignatureError],
      [{ action: 'leave', subjectIdentityPk: new Uint8Array(0) }, MembershipError],
    ];
    for (const [change, cls] of changes)
      expectError(() => log.withEntry({ ...entry, ...change }), cls, 'MembershipLog.withEntry');
  });

  test('an entry of another channel: MembershipError as an object, SignatureError from the wire', () => {
    expectError(
      () => log.withEntry({ ...entry, channelId: 'g-other' }),
      MembershipError,
      'MembershipLog.withEntry',
    );
    // Signed for g-other with this log's index and prev; the wire carries no channel id, so the
    // reader puts in its own and the signature no longer covers the body.
    const foreign = signMemberEntry({ ...entry, channelId: 'g-other' }, key('b').signSk);
    const moved = memberEntryFromWire(CH, memberEntryToWire(foreign));
    expectError(() => log.withEntry(moved), SignatureError, 'MembershipLog.withEntry');
  });
});

describe('wire form', () => {
  test('round-trips through JSON and the shared schema', () => {
    const log = group('a', 'b');
    act(log, 'leave', 'b');
    for (const e of log.entries()) {
      const wire = JSON.parse(JSON.stringify(memberEntryToWire(e)));
      expect(WireMemberEntrySchema.parse(wire)).toEqual(wire);
      const back = memberEntryFromWire(CH, wire);
      expect(hex(memberEntryHash(back))).toBe(hex(memberEntryHash(e)));
    }
    expect(memberEntryToWire(log.entries()[2] as MemberEntry).subjectIdentityPk).toBe('');
  });

  test('memberEntryFromWire refuses malformed entries with FormatError', () => {
    const wire = memberEntryToWire(group('a').entries()[0] as MemberEntry);
    const bad: unknown[] = [
      null,
      { ...wire, action: 'ban' },
      { ...wire, index: -1 },
      { ...wire, index: 2 ** 32 },
      { ...wire, actorId: '' },
      { ...wire, prev: `${wire.prev}=` },
      { ...wire, sig: wire.sig.slice(1) },
      { ...wire, subjectIdentityPk: 'AAAA' },
      { ...wire, actorId: 'x'.repeat(300) },
    ];
    for (const w of bad) expectError(() => memberEntryFromWire(CH, w), FormatError, 'memberEntryFromWire');
    expectError(() => memberEntryFromWire('', wire), FormatError, 'memberEntryFromWire');
  });

  test('memberEntryToWire refuses an entry with a wrong-length field', () => {
    const e = group('a').entries()[0] as MemberEntry;
    expectError(() => memberEntryToWire({ ...e, sig: e.sig.subarray(1) }), KeyError, 'memberEntryToWire');
    expectError(() => memberEntryToWire({ ...e, prev: new Uint8Array(31) }), KeyError, 'memberEntryToWire');
  });
});
