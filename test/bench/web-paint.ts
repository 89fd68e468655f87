// First paint and main-thread blocking of the web app in headless Chromium (on the load core; the
// relay serving the app on the server core). Each load is a fresh browser context, so nothing is
// cached; no network or CPU throttling. Paint and long-task entries come from PerformanceObserver.
import type { Browser } from 'playwright-core';

export interface PaintRun {
  fcpMs: number;
  loadMs: number;
  longTasks: number;
  longTaskMs: number;
  /** Σ (duration − 50 ms) of the long tasks after first contentful paint (total blocking time). */
  blockingMs: number;
}

interface Observed {
  paints: Record<string, number>;
  longTasks: [start: number, duration: number][];
}

/** Runs in the page before any of its scripts. */
function observe(): void {
  const seen: Observed = { paints: {}, longTasks: [] };
  (globalThis as unknown as { __benchObserved: Observed }).__benchObserved = seen;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.paints[e.name] = e.startTime;
  }).observe({ type: 'paint', buffered: true });
}

export async function paintRun(browser: Browser, url: string, settleMs = 2_000): Promise<PaintRun> {
  const context = await browser.newContext();
  try {
    await context.addInitScript(observe);
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    // Work after `load` (wasm compile, the app's first render) blocks the main thread too.
    await page.waitForTimeout(settleMs);
    const { observed, loadMs } = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        observed: (globalThis as unknown as { __benchObserved: Observed }).__benchObserved,
        loadMs: nav?.loadEventEnd ?? Number.NaN,
      };
    });
    const fcpMs = observed.paints['first-contentful-paint'] ?? Number.NaN;
    const after = observed.longTasks.filter(([start]) => !(start < fcpMs));
    return {
      fcpMs,
      loadMs,
      longTasks: observed.longTasks.length,
      longTaskMs: observed.longTasks.reduce((n, [, d]) => n + d, 0),
      blockingMs: after.reduce((n, [, d]) => n + Math.max(0, d - 50), 0),
    };
  } finally {
    await context.close();
  }
}
