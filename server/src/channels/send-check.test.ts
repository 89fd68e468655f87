import { describe, expect, it } from 'vitest';
import { checkSend, type SendFacts } from './send-check';

const ok: SendFacts = { memberEpoch: 3, senderIsMember: true, keyEpoch: 3, missing: [] };

describe('checkSend', () => {
  it.each<[string, Partial<SendFacts>, ReturnType<typeof checkSend>]>([
    ['a member with a current, fully shared key', {}, null],
    ['a key made after the last membership change', { keyEpoch: 4 }, null],
    ['a non-member', { senderIsMember: false }, { ok: false, code: 'not_member' }],
    [
      'a non-member with a stale key: membership is reported first',
      { senderIsMember: false, keyEpoch: 1 },
      { ok: false, code: 'not_member' },
    ],
    ['a key older than the membership', { keyEpoch: 2 }, { ok: false, code: 'stale_key' }],
    [
      'a stale key that also lacks shares: staleness first',
      { keyEpoch: 2, missing: ['b'] },
      { ok: false, code: 'stale_key' },
    ],
    [
      'a key some members lack',
      { missing: ['b', 'c'] },
      { ok: false, code: 'missing_shares', missing: ['b', 'c'] },
    ],
    [
      'a key never shared',
      { keyEpoch: undefined, missing: ['a', 'b'] },
      { ok: false, code: 'missing_shares', missing: ['a', 'b'] },
    ],
    [
      'a never-shared key in a channel with no other members is still missing the sender',
      { keyEpoch: undefined, missing: ['a'] },
      { ok: false, code: 'missing_shares', missing: ['a'] },
    ],
  ])('%s', (_name, change, expected) => {
    expect(checkSend({ ...ok, ...change })).toEqual(expected);
  });

  it('does not hand out its own missing list', () => {
    const missing = ['b'];
    const result = checkSend({ ...ok, missing });
    if (result?.code !== 'missing_shares') throw new Error('expected missing_shares');
    result.missing.push('x');
    expect(missing).toEqual(['b']);
  });
});
