// The web section: the built app's critical-path bytes, then first contentful paint and long tasks
// of real page loads in Chromium against a relay serving that build. The app is built from the
// working tree into a temp directory (web/dist is left alone) unless BENCH_WEB_DIST names a build.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH, launchChromium } from '../e2e/browser';
import { REPO_ROOT, startRelay } from '../support/relay';
import { pinToCore, SERVER_CORE } from './cpu';
import { fmt, printTable, progress } from './measure';
import { fmtSpread, type Spread, spreadOf } from './repeat';
import { type CriticalBytes, criticalBytes } from './web-bytes';
import { type PaintRun, paintRun } from './web-paint';

export interface WebOptions {
  dist: string | undefined;
  loads: number;
}

export interface WebFigures {
  bytes: CriticalBytes;
  paint:
    | { fcpMs: Spread; loadMs: Spread; longTasks: Spread; longTaskMs: Spread; blockingMs: Spread }
    | undefined;
  paintSkipped: string | undefined;
}

async function buildInto(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(REPO_ROOT, 'web', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

async function paintLoads(dist: string, loads: number): Promise<PaintRun[]> {
  const relay = await startRelay({ name: 'bench-web', env: { WEB_DIST: dist, LOG_LEVEL: 'warn' } });
  pinToCore(relay.pid, SERVER_CORE);
  const browser = await launchChromium();
  try {
    await paintRun(browser, relay.url); // warm-up: the relay's first responses, the browser's first start
    const runs: PaintRun[] = [];
    for (let i = 0; i < loads; i++) runs.push(await paintRun(browser, relay.url));
    return runs;
  } finally {
    await browser.close();
    await relay.dispose();
  }
}

export async function runWebBench(opts: WebOptions): Promise<WebFigures> {
  const temp = opts.dist ? undefined : mkdtempSync(join(tmpdir(), 'parley-bench-web-'));
  const dist = opts.dist ?? (temp as string);
  try {
    if (temp) {
      progress('web: building the app');
      await buildInto(temp);
    }
    const bytes = criticalBytes(dist);
    let paint: WebFigures['paint'];
    let paintSkipped: string | undefined;
    if (existsSync(CHROMIUM_PATH)) {
      progress('web: page loads in Chromium');
      try {
        const runs = await paintLoads(dist, opts.loads);
        paint = {
          fcpMs: spreadOf(runs, (r) => r.fcpMs),
          loadMs: spreadOf(runs, (r) => r.loadMs),
          longTasks: spreadOf(runs, (r) => r.longTasks),
          longTaskMs: spreadOf(runs, (r) => r.longTaskMs),
          blockingMs: spreadOf(runs, (r) => r.blockingMs),
        };
      } catch (err) {
        paintSkipped = `failed: ${(err as Error).message.split('\n').slice(0, 4).join(' ')}`;
      }
    } else {
      paintSkipped = `no Chromium at ${CHROMIUM_PATH}`;
    }
    const figures = { bytes, paint, paintSkipped };
    printWeb(figures, opts);
    return figures;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => fmt(bytes / 1000, 1);

function printWeb(f: WebFigures, opts: WebOptions): void {
  printTable(
    'Web app critical path (index.html scripts, modulepreloads, stylesheets and their static imports; kB = 1000 B)',
    ['file', 'raw kB', 'gzip kB', 'brotli kB'],
    [
      ...f.bytes.files.map((file) => [file.path, kb(file.raw), kb(file.gzip), kb(file.brotli)]),
      ['all JS', kb(f.bytes.js.raw), kb(f.bytes.js.gzip), kb(f.bytes.js.brotli)],
      ['all CSS', kb(f.bytes.css.raw), kb(f.bytes.css.gzip), kb(f.bytes.css.brotli)],
    ],
  );
  if (!f.paint) {
    console.log(`page loads skipped: ${f.paintSkipped}`);
    return;
  }
  printTable(
    `Page load in headless Chromium, cold cache, no throttling (${opts.loads} loads after a warm-up; median (range))`,
    ['measure', 'value'],
    [
      ['first contentful paint ms', fmtSpread(f.paint.fcpMs, 0)],
      ['load event ms', fmtSpread(f.paint.loadMs, 0)],
      ['long tasks', fmtSpread(f.paint.longTasks, 0)],
      ['long-task time ms', fmtSpread(f.paint.longTaskMs, 0)],
      ['total blocking time after FCP ms', fmtSpread(f.paint.blockingMs, 0)],
    ],
  );
}
