// The broadcast channel with five users, one of whom registers later: every member decrypts every
// message sent while they were a member, and the latecomer is never served anything earlier.
import { BROADCAST_CHANNEL_ID as B } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGapFree, must } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { makeUser, type TestUser, texts } from '../support/users';

describe('broadcast with five users', () => {
  let relay: Relay;
  let early: TestUser[];
  let late: TestUser;
  let lateJoinedSeq: number;

  beforeAll(async () => {
    relay = await startRelay({ name: 'broadcast' });
    early = [];
    for (const name of ['ann', 'ben', 'cat', 'dan']) early.push(await makeUser(relay, name));
    for (const u of early) await u.client.send(B, `before: ${u.username}`);
    late = await makeUser(relay, 'eve');
    const summary = await late.client.channels.get(B);
    lateJoinedSeq = summary.joinedSeq;
  });
  afterAll(async () => {
    for (const u of [...(early ?? []), late]) u?.client.lock();
    await relay?.dispose();
  });

  it('lets every early member decrypt every message sent before the latecomer joined', async () => {
    for (const u of early) {
      await u.client.loadNewer(B);
      expect(texts(u.client, B)).toEqual(early.map((x) => `before: ${x.username}`));
      expect(u.client.timeline(B).filter((m) => m.status === 'undecryptable')).toEqual([]);
    }
  });

  it('never serves the latecomer an entry from before their join', async () => {
    await late.client.loadNewer(B);
    const seqs = late.client.timeline(B).map((m) => m.seq);
    expect(Math.min(...seqs)).toBe(lateJoinedSeq);
    // Asking explicitly for older entries, by REST, changes nothing.
    const older = await late.client.api.history(B, { before: lateJoinedSeq, limit: 200 });
    expect(older.messages).toEqual([]);
    const fromZero = await late.client.api.history(B, { after: 0, limit: 200 });
    expect(fromZero.messages.every((m) => m.seq >= lateJoinedSeq)).toBe(true);
    expect(texts(late.client, B).some((t) => t.startsWith('before:'))).toBe(false);
  });

  it('lets the latecomer decrypt everything sent after joining, and everyone read the latecomer', async () => {
    await late.client.send(B, 'hello from the latecomer');
    for (const u of early) await u.client.send(B, `after: ${u.username}`);
    const after = ['hello from the latecomer', ...early.map((u) => `after: ${u.username}`)];
    for (const u of [...early, late]) {
      await u.client.loadNewer(B);
      expect(texts(u.client, B).slice(-after.length)).toEqual(after);
      expect(u.client.timeline(B).filter((m) => m.status === 'undecryptable')).toEqual([]);
    }
    expect(texts(late.client, B)).toEqual(after);
  });

  it('gives every member the same gap-free sequence', async () => {
    const ref = late.client.timeline(B).map((m) => m.seq);
    expect(isGapFree(ref)).toBe(true);
    for (const u of early) {
      const seqs = u.client.timeline(B).map((m) => m.seq);
      expect(seqs.slice(seqs.indexOf(must(ref[0], 'a first seq')))).toEqual(ref);
    }
  });
});
