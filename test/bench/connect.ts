// Connection setup: N sockets into one room, `concurrency` handshakes at a time, as after a relay
// restart when every client reconnects. Measures the time until all are live, the time until the
// server is quiet again, and every frame the clients received on the way (presence, channel
// state, sync). A socket that fails is counted and reported, never fatal.
import { cpuMark, cpuSince } from './cpu';
import type { Member } from './envelopes';
import type { BenchSocket, Server } from './server';

export interface ConnectRun {
  attempted: number;
  opened: number;
  failed: number;
  /** The first few failure messages. */
  errors: string[];
  /** Until the last socket was live (or had failed). */
  liveMs: number;
  /** Until no frame had arrived for QUIET_MS: the connect storm is over. */
  quietMs: number;
  frames: number;
  serverCpuMs: number;
}

const QUIET_MS = 500;
const MAX_SETTLE_MS = 120_000;

export async function connectAll(
  server: Server,
  members: Member[],
  concurrency: number,
): Promise<{ run: ConnectRun; sockets: BenchSocket[] }> {
  let frames = 0;
  let lastFrameAt = performance.now();
  const sink = () => {
    frames++;
    lastFrameAt = performance.now();
  };
  const sockets: BenchSocket[] = [];
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const cpu = cpuMark(server.pid);
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < members.length; i = next++) {
      try {
        sockets.push(await server.open(members[i] as Member, sink));
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, worker));
  const liveMs = performance.now() - start;
  const settleBy = performance.now() + MAX_SETTLE_MS;
  while (performance.now() - lastFrameAt < QUIET_MS && performance.now() < settleBy) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const quietMs = Math.max(liveMs, lastFrameAt - start);
  return {
    run: {
      attempted: members.length,
      opened: sockets.length,
      failed,
      errors,
      liveMs,
      quietMs,
      frames,
      serverCpuMs: cpuSince(cpu) / 1000,
    },
    sockets,
  };
}
