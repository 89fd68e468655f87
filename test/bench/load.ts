// One load shape for every server under test: G connections in one room, a few of them sending,
// every message fanned out to all G. Records send→delivery latency at every receiver and the
// server process's memory per idle connection.
import { readFileSync } from 'node:fs';
import { percentile } from './measure';

/** One connected client, whatever the server. `send` resolves when the server has accepted it. */
export interface BenchConnection {
  send(id: string): Promise<void>;
  /** Set by the runner: called with the message id on each delivery to this connection. */
  onDelivery: (id: string) => void;
  close(): void;
}

export interface LoadResult {
  deliveries: number;
  expected: number;
  seconds: number;
  deliveriesPerSec: number;
  messagesPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/**
 * `senders` connections send `messages` in total, each keeping at most `window` unaccepted sends
 * in flight; resolves when every connection got every message (or after `timeoutMs`).
 */
export async function runLoad(
  conns: BenchConnection[],
  opts: { messages: number; senders: number; window: number; timeoutMs: number },
): Promise<LoadResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const expected = opts.messages * conns.length;
  let deliveries = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  for (const c of conns) {
    c.onDelivery = (id) => {
      const t = sentAt.get(id);
      if (t === undefined) return;
      latencies.push(performance.now() - t);
      if (++deliveries === expected) finish();
    };
  }
  const senders = conns.slice(0, Math.max(1, Math.min(opts.senders, conns.length)));
  const perSender = Math.ceil(opts.messages / senders.length);
  let nextId = 0;
  const start = performance.now();
  const sendLoop = async (conn: BenchConnection, count: number) => {
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < count && nextId < opts.messages; i++) {
      const id = `m${nextId++}`;
      sentAt.set(id, performance.now());
      const p = conn.send(id).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= opts.window) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  };
  await Promise.all(senders.map((s) => sendLoop(s, perSender)));
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, opts.timeoutMs).unref());
  await Promise.race([done, timeout]);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    deliveries,
    expected,
    seconds,
    deliveriesPerSec: deliveries / seconds,
    messagesPerSec: opts.messages / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
