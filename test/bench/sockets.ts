// The connect and memory sections: BENCH_CONNECT_N authenticated sockets into one channel on
// Parley and on bare ws. Each round restarts the server (a cold process, as after a deploy, and a
// clean heap), reads its memory after a forced GC, connects every socket, waits until it is quiet,
// and reads its memory again: the difference per socket is what an idle connection costs.
import { startWsBaseline } from './baselines';
import { type ConnectRun, connectAll } from './connect';
import { waitUntilIdle } from './cpu';
import type { Cast } from './envelopes';
import { type HeapReading, heapAfterGc } from './inspector';
import { fmt, printTable, progress } from './measure';
import { startParley } from './parley';
import { fmtSpread, rotate, type Spread, spread, spreadOf } from './repeat';
import type { Server } from './server';

export interface SocketOptions {
  n: number;
  concurrency: number;
  rounds: number;
  connect: boolean;
  memory: boolean;
}

export interface SocketFigures {
  server: string;
  n: number;
  liveMs: Spread;
  quietMs: Spread;
  frames: Spread;
  serverCpuMs: Spread;
  failed: number;
  errors: string[];
  /** JS heap plus external (Buffers) after GC, per socket; undefined without the memory section. */
  heapBytesPerSocket: Spread | undefined;
  rssBytesPerSocket: Spread | undefined;
}

interface SocketRun {
  connect: ConnectRun;
  heapPerSocket: number;
  rssPerSocket: number;
}

async function reading(server: Server): Promise<HeapReading | undefined> {
  return server.inspectPort === undefined ? undefined : heapAfterGc(server.inspectPort);
}

async function socketRun(server: Server, cast: Cast, opts: SocketOptions): Promise<SocketRun> {
  await server.restart();
  await waitUntilIdle(server.pid);
  const before = await reading(server);
  const { run, sockets } = await connectAll(server, cast.members, opts.concurrency);
  await waitUntilIdle(server.pid);
  const after = await reading(server);
  for (const s of sockets) s.terminate();
  const per = (pick: (r: HeapReading) => number) =>
    before && after && run.opened > 0 ? (pick(after) - pick(before)) / run.opened : Number.NaN;
  return {
    connect: run,
    heapPerSocket: per((r) => r.heapUsed + r.external),
    rssPerSocket: per((r) => r.rss),
  };
}

export async function runSocketSections(opts: SocketOptions): Promise<SocketFigures[]> {
  progress(`sockets: ${opts.n} accounts and sockets`);
  const parley = await startParley({ inspect: opts.memory });
  const servers: Server[] = [parley];
  try {
    const cast = await parley.enroll(opts.n, 0);
    servers.push(await startWsBaseline({ inspect: opts.memory }));
    const results = await rotate(servers, opts.rounds, (server) => socketRun(server, cast, opts));
    return servers.map((server) => {
      const runs = results.get(server) ?? [];
      return {
        server: server.name,
        n: opts.n,
        liveMs: spreadOf(runs, (r) => r.connect.liveMs),
        quietMs: spreadOf(runs, (r) => r.connect.quietMs),
        frames: spreadOf(runs, (r) => r.connect.frames),
        serverCpuMs: spreadOf(runs, (r) => r.connect.serverCpuMs),
        failed: runs.reduce((n, r) => n + r.connect.failed, 0),
        errors: [...new Set(runs.flatMap((r) => r.connect.errors))].slice(0, 5),
        heapBytesPerSocket: opts.memory ? spread(runs.map((r) => r.heapPerSocket)) : undefined,
        rssBytesPerSocket: opts.memory ? spread(runs.map((r) => r.rssPerSocket)) : undefined,
      };
    });
  } finally {
    for (const server of servers) await server.stop();
  }
}

export function printSockets(figures: SocketFigures[], opts: SocketOptions): void {
  if (opts.connect) {
    printTable(
      `Connection setup: ${opts.n} sockets into one channel, ${opts.concurrency} handshakes at a time, cold server (median (range))`,
      ['server', 'all live ms', 'quiet ms', 'frames received', 'frames/socket', 'server CPU ms', 'failed'],
      figures.map((f) => [
        f.server,
        fmtSpread(f.liveMs, 0),
        fmtSpread(f.quietMs, 0),
        fmtSpread(f.frames, 0),
        fmt(f.frames.median / f.n, 1),
        fmtSpread(f.serverCpuMs, 0),
        f.failed > 0 ? `${f.failed}: ${f.errors.join(' | ')}` : '0',
      ]),
    );
  }
  if (opts.memory) {
    const kib = (s: Spread | undefined) => (s ? spread(s.samples.map((b) => b / 1024)) : spread([]));
    printTable(
      `Memory per idle authenticated socket at ${opts.n} sockets (after forced GC; KiB, median (range))`,
      ['server', 'heap + external', 'RSS'],
      figures.map((f) => [
        f.server,
        fmtSpread(kib(f.heapBytesPerSocket), 2),
        fmtSpread(kib(f.rssBytesPerSocket), 2),
      ]),
    );
  }
}
