import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../db/store';
import { silentLogger } from '../log';
import { LAST_SEEN_FLUSH_MS, LastSeenWriter } from './last-seen';

function fakeStore(fail = false) {
  const calls: { ids: readonly string[]; at: number }[] = [];
  const store = {
    touchLastSeen: async (ids: readonly string[], at: number) => {
      calls.push({ ids: [...ids], at });
      if (fail) throw new Error('database is locked');
    },
  } as unknown as Store;
  return { store, calls };
}

afterEach(() => vi.useRealTimers());

describe('LastSeenWriter', () => {
  it('writes a burst of connects with one statement after the flush delay', async () => {
    vi.useFakeTimers();
    const { store, calls } = fakeStore();
    const writer = new LastSeenWriter(store, silentLogger(), () => 42_000);
    for (const id of ['a', 'b', 'a', 'c']) writer.mark(id);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(LAST_SEEN_FLUSH_MS);
    expect(calls).toEqual([{ ids: ['a', 'b', 'c'], at: 42_000 }]);
    writer.mark('d');
    await vi.advanceTimersByTimeAsync(LAST_SEEN_FLUSH_MS);
    expect(calls.map((c) => c.ids)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('writes what is pending at once on flush (shutdown), and nothing when nothing is', async () => {
    const { store, calls } = fakeStore();
    const writer = new LastSeenWriter(store, silentLogger(), () => 7);
    await writer.flush();
    expect(calls).toEqual([]);
    writer.mark('a');
    await writer.flush();
    expect(calls).toEqual([{ ids: ['a'], at: 7 }]);
  });

  it('survives a failed write and keeps writing later marks', async () => {
    const { store, calls } = fakeStore(true);
    const writer = new LastSeenWriter(store, silentLogger(), () => 1);
    writer.mark('a');
    await expect(writer.flush()).resolves.toBeUndefined();
    writer.mark('b');
    await writer.flush();
    expect(calls.map((c) => c.ids)).toEqual([['a'], ['b']]);
  });
});
