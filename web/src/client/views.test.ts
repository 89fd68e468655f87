import type { WireMessage } from '@parley/server/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageView } from './messages';
import { ChannelViews } from './views';

const CH = 'group-1';
const wire = (seq: number): WireMessage => ({
  channelId: CH,
  seq,
  kind: 'msg',
  senderId: '00000000-0000-4000-8000-000000000001',
  keyId: 1,
  clientMsgId: `00000000-0000-4000-8000-00000000000${seq}`,
  ciphertext: 'AAAA',
  sentAt: seq,
  deleted: false,
  system: null,
});
const base = (seq: number) => ({
  channelId: CH,
  seq,
  senderId: null,
  sentAt: seq,
  clientMsgId: null,
  keyId: 1,
});
const ok = (seq: number): MessageView => ({ ...base(seq), status: 'ok', text: `m${seq}` });
const flaky = (seq: number): MessageView => ({
  ...base(seq),
  status: 'undecryptable',
  error: 'fetch failed',
  retryable: true,
});
const broken = (seq: number): MessageView => ({
  ...base(seq),
  status: 'undecryptable',
  error: 'bad signature',
});

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('ChannelViews', () => {
  it('decrypts a transient failure again later and replaces it once it works', async () => {
    const answers = [flaky(1), flaky(1), ok(1)];
    const decrypt = vi.fn(async () => answers.shift() ?? ok(1));
    const seen: MessageView[] = [];
    const views = new ChannelViews({ decrypt, onView: (v) => seen.push(v) });
    await views.ingest(wire(1));
    expect(views.timeline(CH).get(1)?.status).toBe('undecryptable');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(decrypt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(views.timeline(CH).get(1)?.text).toBe('m1');
    expect(seen.map((v) => v.status)).toEqual(['undecryptable', 'ok']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(decrypt).toHaveBeenCalledTimes(3);
    views.close();
  });

  it('stops retrying after a final verdict, and shows it', async () => {
    const answers = [flaky(2), broken(2)];
    const decrypt = vi.fn(async () => answers.shift() ?? broken(2));
    const views = new ChannelViews({ decrypt, onView: () => {} });
    await views.ingest(wire(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(views.timeline(CH).get(2)).toMatchObject({ status: 'undecryptable', error: 'bad signature' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(decrypt).toHaveBeenCalledTimes(2);
    views.close();
  });

  it('retries at once when asked (the connection came back)', async () => {
    const answers = [flaky(3), ok(3)];
    const decrypt = vi.fn(async () => answers.shift() ?? ok(3));
    const views = new ChannelViews({ decrypt, onView: () => {} });
    await views.ingest(wire(3));
    views.retrySoon();
    await vi.advanceTimersByTimeAsync(0);
    expect(views.timeline(CH).get(3)?.status).toBe('ok');
    views.close();
  });

  it("decrypts a sender's final failures again once their key in force changed", async () => {
    const answers = [broken(5), broken(5), ok(5)];
    const decrypt = vi.fn(async () => answers.shift() ?? ok(5));
    const views = new ChannelViews({ decrypt, onView: () => {} });
    await views.ingest(wire(5));
    await views.retrySender('00000000-0000-4000-8000-000000000009');
    expect(decrypt).toHaveBeenCalledTimes(1);
    // Still failing after the first change: kept, and tried again after the next one.
    await views.retrySender(wire(5).senderId as string);
    expect(views.timeline(CH).get(5)?.status).toBe('undecryptable');
    await views.retrySender(wire(5).senderId as string);
    expect(views.timeline(CH).get(5)?.text).toBe('m5');
    await views.retrySender(wire(5).senderId as string);
    expect(decrypt).toHaveBeenCalledTimes(3);
    views.close();
  });

  it('turns an entry into a tombstone that a late decryption cannot undo', async () => {
    const views = new ChannelViews({ decrypt: async () => ok(4), onView: () => {} });
    await views.ingest(wire(4));
    expect(views.markDeleted(CH, 4)).toMatchObject({ status: 'deleted' });
    expect(views.timeline(CH).get(4)?.text).toBeUndefined();
    await views.ingest(wire(4));
    expect(views.timeline(CH).get(4)?.status).toBe('deleted');
    views.close();
  });
});
