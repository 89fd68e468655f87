import { describe, expect, it } from 'vitest';
import type { AppendResult, MessageRecord, NewMessage } from '../db/store';
import { BatcherClosedError, WriteBatcher } from './batcher';

let n = 0;
function msg(senderId = 'u1', clientMsgId = `m${++n}`): NewMessage {
  return { channelId: 'c1', senderId, keyId: 1, clientMsgId, ciphertext: new Uint8Array(8) };
}

/** A fake store append: assigns seqs in order, remembers (sender, clientMsgId), records batches. */
function fakeAppend(opts: { commitMs?: number; failTimes?: number } = {}) {
  const batches: NewMessage[][] = [];
  const seen = new Map<string, MessageRecord>();
  let seq = 0;
  let failures = opts.failTimes ?? 0;
  const append = async (batch: NewMessage[], now: number): Promise<AppendResult[]> => {
    batches.push(batch);
    await new Promise((r) => setTimeout(r, opts.commitMs ?? 1));
    if (failures > 0) {
      failures--;
      throw new Error('deadlock');
    }
    return batch.map((m) => {
      const key = `${m.senderId}/${m.clientMsgId}`;
      const old = seen.get(key);
      if (old) return { ok: true, message: old, duplicate: true };
      if (m.channelId === 'forbidden') return { ok: false, code: 'not_member' };
      const record: MessageRecord = {
        channelId: m.channelId,
        seq: ++seq,
        kind: 'msg',
        senderId: m.senderId,
        keyId: m.keyId,
        clientMsgId: m.clientMsgId,
        ciphertext: m.ciphertext,
        sentAt: now,
        deleted: false,
        system: null,
      };
      seen.set(key, record);
      return { ok: true, message: record, duplicate: false };
    });
  };
  return { append, batches };
}

describe('WriteBatcher', () => {
  it('commits concurrent sends with one append call and resolves each with its own result', async () => {
    const store = fakeAppend();
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 5 });
    const results = await Promise.all(Array.from({ length: 20 }, () => batcher.submit(msg())));
    expect(store.batches).toHaveLength(1);
    expect(results.map((r) => (r.ok ? r.message.seq : -1))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('settles a send only after its batch has committed', async () => {
    let committed = false;
    const batcher = new WriteBatcher(
      async (batch) => {
        await new Promise((r) => setTimeout(r, 20));
        committed = true;
        return fakeAppend().append(batch, 0);
      },
      { maxBatch: 10, maxDelayMs: 1 },
    );
    const result = await batcher.submit(msg());
    expect(committed).toBe(true);
    expect(result.ok).toBe(true);
  });

  it('splits a burst into batches of at most maxBatch', async () => {
    const store = fakeAppend();
    const batcher = new WriteBatcher(store.append, { maxBatch: 4, maxDelayMs: 50 });
    await Promise.all(Array.from({ length: 10 }, () => batcher.submit(msg())));
    expect(store.batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  it('collects sends that arrive during a commit into the next batch', async () => {
    const store = fakeAppend({ commitMs: 30 });
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 0 });
    const first = batcher.submit(msg());
    await new Promise((r) => setTimeout(r, 5));
    const rest = Array.from({ length: 5 }, () => batcher.submit(msg()));
    await Promise.all([first, ...rest]);
    expect(store.batches.map((b) => b.length)).toEqual([1, 5]);
  });

  it('gives a second copy of a queued send the original result marked duplicate', async () => {
    const store = fakeAppend();
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 5 });
    const m = msg();
    const [a, b] = await Promise.all([batcher.submit(m), batcher.submit({ ...m })]);
    expect(store.batches[0]).toHaveLength(1);
    expect(a).toMatchObject({ ok: true, duplicate: false });
    expect(b).toMatchObject({ ok: true, duplicate: true });
    if (a.ok && b.ok) expect(b.message.seq).toBe(a.message.seq);
  });

  it('passes rejections through per message without failing the rest of the batch', async () => {
    const store = fakeAppend();
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 5 });
    const [good, bad] = await Promise.all([
      batcher.submit(msg()),
      batcher.submit({ ...msg(), channelId: 'forbidden' }),
    ]);
    expect(good.ok).toBe(true);
    expect(bad).toEqual({ ok: false, code: 'not_member' });
  });

  it('retries a batch whose transaction threw once, then succeeds', async () => {
    const store = fakeAppend({ failTimes: 1 });
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 1 });
    const result = await batcher.submit(msg());
    expect(result.ok).toBe(true);
    expect(store.batches).toHaveLength(2);
  });

  it('rejects every send of a batch that fails twice', async () => {
    const store = fakeAppend({ failTimes: 2 });
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 1 });
    const results = await Promise.allSettled([batcher.submit(msg()), batcher.submit(msg())]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('flushes queued sends on close and refuses sends after it', async () => {
    const store = fakeAppend();
    const batcher = new WriteBatcher(store.append, { maxBatch: 100, maxDelayMs: 10_000 });
    const pending = batcher.submit(msg());
    await batcher.close();
    expect((await pending).ok).toBe(true);
    await expect(batcher.submit(msg())).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
