// Channel ids come from crypto-core (clients derive a DM's id themselves, DESIGN §7.2); the relay
// must accept exactly what it makes.
import { dmChannelId, newGroupChannelId, ready } from '@parley/crypto-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelId, GroupChannelId } from '../protocol';

const A = '0b6f4a6e-8a2c-4f1e-9d51-6c3f3f0f2a11';
const B = 'f3d1c0de-1234-4abc-8def-0123456789ab';

beforeAll(ready);

describe('channel ids', () => {
  it('gives both sides of a pair the same dm id, from SHA-256 of the sorted pair', () => {
    expect(dmChannelId(A, B)).toBe(dmChannelId(B, A));
    // First 32 hex chars of sha256("0b6f4a6e-…-6c3f3f0f2a11:f3d1c0de-…-0123456789ab").
    expect(dmChannelId(B, A)).toBe('dm-cee7560855335217dd42a68644a86541');
  });

  it('makes ids that pass the wire schemas', () => {
    expect(ChannelId.safeParse(dmChannelId(A, B)).success).toBe(true);
    const group = newGroupChannelId();
    expect(ChannelId.safeParse(group).success).toBe(true);
    expect(GroupChannelId.safeParse(group).success).toBe(true);
    expect(GroupChannelId.safeParse(dmChannelId(A, B)).success).toBe(false);
  });
});
