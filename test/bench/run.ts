// `npm run bench`: Parley against bare `ws` and Socket.IO, measured side by side in one run. Every
// server under test is pinned to core 0 and this process, the load generator, to core 1; the
// primary figure is the server's CPU time per delivered message, read from /proc. Every variant is
// warmed up, then run BENCH_ROUNDS times in rotating order; tables show median (min–max). The
// figures, ratios and goals go to test-artifacts/bench.json; a "Targets" table closes the run.
//
// Sections (BENCH_SECTIONS, comma list; default all but kt):
//   crypto   sender-key crypto cost per message, in process
//   relay    closed loop of pre-sealed envelopes at BENCH_GROUPS: server CPU µs/delivery, throughput;
//            and the sender's path: Parley with 2 of N members online (CPU per sent message vs N)
//   e2e      closed loop with clients that encrypt and receivers that decrypt and verify (BENCH_E2E_GROUPS)
//   latency  open loop at BENCH_LATENCY_LOADS of bare ws's saturation: p50/p95/p99 (BENCH_LATENCY_GROUPS)
//   connect  BENCH_CONNECT_N sockets into one channel on a cold server: time, frames, failures
//   memory   heap (+ external) after forced GC and RSS per idle authenticated socket, at BENCH_CONNECT_N
//   store    Store.appendMessages at BENCH_STORE_BATCHES vs the raw driver vs single-row autocommit,
//            on SQLite and MySQL (MYSQL_URL names the server; a fresh database is made and dropped)
//   web      the built app's critical-path JS/CSS bytes (gzip, brotli), FCP and long tasks in Chromium
//   search   the browser's search index in Node: ms per 1,000 messages indexed up to
//            BENCH_SEARCH_MESSAGES (100,000), and query times on the full index
//   kt       key transparency at BENCH_KT_USERS accounts (minutes; see kt.ts for its options)
//
// Options (environment):
//   BENCH_GROUPS=2,100,1000         group sizes of the relay load
//   BENCH_E2E_GROUPS=2,100          end-to-end sizes (those also in BENCH_GROUPS)
//   BENCH_LATENCY_GROUPS=2,100      latency sizes (those also in BENCH_GROUPS)
//   BENCH_LATENCY_LOADS=0.25,0.5    offered loads, as fractions of bare ws's saturation msgs/s
//   BENCH_ROUNDS=3                  measured rounds per variant (after one warm-up run each)
//   BENCH_SECONDS=2                 sending phase of one closed-loop run
//   BENCH_LATENCY_SECONDS=2         sending phase of one open-loop run
//   BENCH_SENDERS=4                 sending members per room; BENCH_WINDOW=32 unanswered sends each
//   BENCH_CONNECT_N=2000            sockets of the connect and memory sections
//   BENCH_CONNECT_CONCURRENCY=64    handshakes in flight while connecting
//   BENCH_STORE_MS=1500             one store run; BENCH_STORE_MEMBERS=100 members of its channel
//   BENCH_STORE_BATCHES=1,32,200    batch sizes (the largest one is the goals' batch)
//   MYSQL_URL=mysql://root@127.0.0.1:3306/parley_bench
//   BENCH_WEB_DIST=<dir>            measure this build instead of building web/ into a temp dir
//   BENCH_WEB_LOADS=5               page loads (after a warm-up)
//   BENCH_RELAY_LOG_LEVEL=warn      the relay's LOG_LEVEL under load
//   BENCH_PARLEY_REF=<commit>       measure that commit's relay instead of this checkout's
//   BENCH_OUT=<file>                instead of test-artifacts/bench.json
//   CHROMIUM_PATH=/usr/bin/chromium
import { loadavg } from 'node:os';
import { ready } from '@parley/crypto-core';
import { allowedCores, LOAD_CORE, pinToCore, SERVER_CORE } from './cpu';
import { runCryptoBench } from './crypto';
import { runGroupSections } from './groups';
import { runKtBench } from './kt';
import { readOptions } from './options';
import { type BenchResults, printTargets, writeReport } from './report';
import { runSearchBench } from './search';
import { printSockets, runSocketSections } from './sockets';
import { runStoreBench } from './store';
import { runWebBench } from './web';

const opts = readOptions();
const { sections } = opts;
const startedAt = new Date().toISOString();
const loadavgAtStart = loadavg();
// Children inherit this process's affinity: the browser stays on the load core, and each server
// is moved to the server core right after it starts.
const taskset = pinToCore(process.pid, LOAD_CORE);

await ready();
console.log(
  `Parley benchmarks — node ${process.version}, ${startedAt}, load average ${loadavgAtStart.map((n) => n.toFixed(2)).join(' ')}`,
);
console.log(
  taskset
    ? `servers on core ${SERVER_CORE}, load generator on core ${allowedCores(process.pid)}`
    : 'taskset unavailable: processes are not pinned, CPU figures are less reliable',
);
console.log(`sections: ${[...sections].join(', ')}`);

const results: BenchResults = {};
const failures: Record<string, string> = {};
/** Runs one section; a section that fails is reported (and its goals stay unmet), the others still run. */
async function section<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    const message = (err as Error).stack ?? String(err);
    failures[name] = message;
    console.log(`\n${name}: FAILED: ${message.split('\n').slice(0, 8).join('\n')}`);
    return undefined;
  }
}

if (sections.has('crypto')) results.crypto = await section('crypto', () => runCryptoBench(opts.groups));
if (sections.has('relay') || sections.has('e2e') || sections.has('latency')) {
  results.groups = await section('relay/e2e/latency', () => runGroupSections(opts));
}
if (sections.has('connect') || sections.has('memory')) {
  const socketOpts = {
    n: opts.connectN,
    concurrency: opts.connectConcurrency,
    rounds: opts.rounds,
    connect: sections.has('connect'),
    memory: sections.has('memory'),
  };
  results.sockets = await section('connect/memory', () => runSocketSections(socketOpts));
  if (results.sockets) printSockets(results.sockets, socketOpts);
}
if (sections.has('store')) {
  results.store = await section('store', () =>
    runStoreBench({
      ms: opts.storeMs,
      members: opts.storeMembers,
      batches: opts.storeBatches,
      rounds: opts.rounds,
      mysqlUrl: opts.mysqlUrl,
    }),
  );
}
if (sections.has('web'))
  results.web = await section('web', () => runWebBench({ dist: opts.webDist, loads: opts.webLoads }));
if (sections.has('search')) results.search = await section('search', async () => runSearchBench());
if (sections.has('kt')) await section('kt', () => runKtBench());

const { path, targets } = writeReport(
  results,
  {
    startedAt,
    loadavgAtStart,
    pinned: { bench: allowedCores(process.pid), serverCore: SERVER_CORE, loadCore: LOAD_CORE, taskset },
    failures,
  },
  opts,
);
printTargets(targets);
console.log(`\nwrote ${path}`);
process.exit(0);
