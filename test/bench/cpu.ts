// CPU placement and CPU time on Linux. The server under test runs alone on core 0 and the load
// generator (this process, and every browser or client it spawns) on core 1, so that neither
// steals the other's cycles and the server's CPU time per unit of work can be read from /proc.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

let tasksetWorks: boolean | undefined;

/** Pins every thread of `pid` to `core` (`taskset -a -pc`); false when that is not possible here. */
export function pinToCore(pid: number | null, core: number): boolean {
  if (pid === null || pid <= 0 || cpus().length <= core) return false;
  if (tasksetWorks === false) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', String(core), String(pid)], { stdio: 'ignore' });
    tasksetWorks = true;
    return true;
  } catch {
    tasksetWorks = false;
    return false;
  }
}

/** The cores `pid` may run on, as /proc shows them (e.g. "0"), or "?" when unknown. */
export function allowedCores(pid: number): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (every thread, exited ones included), in µs; tick resolution. */
function statMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

/** Time on CPU of each live thread, summed, in µs; nanosecond resolution, but blind to exited threads. */
function schedMicros(pid: number): number | undefined {
  const dir = `/proc/${pid}/task`;
  if (!existsSync(`${dir}/${pid}/schedstat`)) return undefined;
  let ns = 0;
  for (const tid of readdirSync(dir)) {
    try {
      ns += Number(readFileSync(`${dir}/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return ns / 1000;
}

export interface CpuMark {
  pid: number;
  stat: number;
  sched: number | undefined;
}

export function cpuMark(pid: number): CpuMark {
  return { pid, stat: statMicros(pid), sched: schedMicros(pid) };
}

/**
 * CPU µs the process spent since `mark`. The per-thread nanosecond counters are used unless a
 * thread exited in between (their sum then falls short of the tick counters by more than two
 * ticks); the whole-process tick counters are the fallback.
 */
export function cpuSince(mark: CpuMark): number {
  const now = cpuMark(mark.pid);
  const byStat = now.stat - mark.stat;
  if (mark.sched === undefined || now.sched === undefined) return byStat;
  const bySched = now.sched - mark.sched;
  return bySched < byStat - (2 * 1e6) / CLK_TCK ? byStat : bySched;
}

/** Busy time (all but idle and iowait) of every core so far, in µs, from /proc/stat. */
export function coreBusy(): number[] {
  const out: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = (m[2] ?? '')
      .split(/\s+/)
      .map(Number);
    out[Number(m[1])] = ((user + nice + system + irq + softirq + steal) * 1e6) / CLK_TCK;
  }
  return out;
}

/**
 * The share of `core` that something other than `ownMicros` of CPU used since `mark`, over
 * `wallMicros`: other processes on a shared machine (or the hypervisor, as steal time).
 */
export function coreNoise(mark: number[], core: number, ownMicros: number, wallMicros: number): number {
  const busy = (coreBusy()[core] ?? Number.NaN) - (mark[core] ?? Number.NaN);
  return Math.max(0, busy - ownMicros) / wallMicros;
}

/** This process's own CPU time, in µs (the load generator's cost). */
export function ownCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Waits until `pid` has used under 2% of a core for `quietMs` (at most `maxMs`): a settled server. */
export async function waitUntilIdle(pid: number, quietMs = 300, maxMs = 30_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  let mark = cpuMark(pid);
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const used = cpuSince(mark);
    mark = cpuMark(pid);
    if (used > 0.02 * 50_000) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return;
  }
}
