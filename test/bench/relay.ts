// Relay throughput, latency and memory per connection at group sizes 2, 100 and 1000, side by side
// with a bare `ws` broadcast server and Socket.IO under the same load. The Parley clients really
// encrypt (and the relay really checks, stores and orders); the baselines only forward bytes, so
// the ratios show what durability, ordering and authentication cost on top of raw fan-out.

import { type LoadResult, rssBytes, runLoad } from './load';
import { fmt, printTable } from './measure';
import { parleyRelay, socketIoBaseline, type Target, wsBaseline } from './targets';

interface Row {
  target: string;
  group: number;
  load: LoadResult;
  kbPerConn: number;
}

async function measure(makeTarget: () => Promise<Target>, group: number): Promise<Row> {
  const target = await makeTarget();
  try {
    await target.prepare?.(group);
    const before = rssBytes(target.pid);
    const conns = await target.connect(group);
    await new Promise((r) => setTimeout(r, 500)); // let the server settle before reading RSS
    // RSS moves by whole pages and GC timing: only a large group gives a per-connection figure.
    const kbPerConn = group >= 100 ? (rssBytes(target.pid) - before) / 1024 / group : Number.NaN;
    const messages = Math.max(50, Math.min(2000, Math.round(40_000 / group)));
    const load = await runLoad(conns, { messages, senders: 4, window: 32, timeoutMs: 60_000 });
    for (const c of conns) c.close();
    return { target: target.name, group, load, kbPerConn };
  } finally {
    await target.stop();
  }
}

export async function runRelayBench(groupSizes: number[]): Promise<void> {
  const targets = [parleyRelay, wsBaseline, socketIoBaseline];
  const rows: Row[] = [];
  for (const group of groupSizes) {
    for (const t of targets) rows.push(await measure(t, group));
  }
  printTable(
    'Fan-out in one channel (4 senders, 32 in flight each; latency = send → delivery at every member)',
    ['group', 'server', 'msgs/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'KiB/conn', 'delivered'],
    rows.map((r) => [
      String(r.group),
      r.target,
      fmt(r.load.messagesPerSec, 0),
      fmt(r.load.deliveriesPerSec, 0),
      fmt(r.load.p50Ms, 2),
      fmt(r.load.p99Ms, 2),
      fmt(r.kbPerConn, 1),
      `${r.load.deliveries}/${r.load.expected}`,
    ]),
  );
  const ratioRows: string[][] = [];
  for (const group of groupSizes) {
    const parley = rows.find((r) => r.group === group && r.target === 'Parley relay');
    for (const base of rows.filter((r) => r.group === group && r !== parley)) {
      if (!parley) continue;
      ratioRows.push([
        String(group),
        `Parley / ${base.target}`,
        fmt(parley.load.deliveriesPerSec / base.load.deliveriesPerSec, 2),
        fmt(parley.load.p50Ms / base.load.p50Ms, 2),
        fmt(parley.load.p99Ms / base.load.p99Ms, 2),
        fmt(parley.kbPerConn / base.kbPerConn, 2),
      ]);
    }
  }
  printTable(
    'Ratios (same run, same machine)',
    ['group', 'pair', 'throughput', 'p50', 'p99', 'memory/conn'],
    ratioRows,
  );
}
