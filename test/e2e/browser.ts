// Browser harness for the end-to-end tests: Debian's Chromium driven by playwright-core, the web
// app built with Vite, and a watcher that records every console error, page error and CSP
// violation of every page so a test can assert there were none.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/relay';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts', 'screenshots');

/** Whether the browser tests can run; under CI=true a missing Chromium is an error, not a skip. */
export function chromiumAvailable(): boolean {
  const present = existsSync(CHROMIUM_PATH);
  if (!present && process.env.CI === 'true') {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; it is required under CI=true`);
  }
  return present;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Builds web/dist (hashed assets, SRI, build hash) with the project's own Vite config. */
export async function buildWebApp(): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'web', 'vite.config.ts'), logLevel: 'error' });
  return join(REPO_ROOT, 'web', 'dist');
}

export interface Problem {
  page: string;
  kind: 'console' | 'pageerror' | 'csp';
  text: string;
}

/**
 * Collects console errors, uncaught page errors and CSP violations. Network failures that a step
 * provokes on purpose (e.g. a disabled user's refused socket) can be tolerated for one page
 * during that step with `tolerateNetworkErrors`.
 */
export class ProblemWatcher {
  readonly problems: Problem[] = [];
  readonly #tolerant = new Set<string>();

  async attach(context: BrowserContext, label: string): Promise<void> {
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
      });
    });
    context.on('page', (page) => this.watch(page, label));
    for (const page of context.pages()) this.watch(page, label);
  }

  watch(page: Page, label: string): void {
    page.on('console', (msg) => {
      if (msg.type() !== 'error' && msg.type() !== 'warning') return;
      const text = msg.text();
      const csp = /Content Security Policy|CSP violation/i.test(text);
      if (msg.type() === 'warning' && !csp) return;
      if (!csp && this.#tolerant.has(label) && isNetworkNoise(text)) return;
      this.problems.push({ page: label, kind: csp ? 'csp' : 'console', text });
    });
    page.on('pageerror', (err) => this.problems.push({ page: label, kind: 'pageerror', text: err.message }));
  }

  tolerateNetworkErrors(label: string, on = true): void {
    if (on) this.#tolerant.add(label);
    else this.#tolerant.delete(label);
  }
}

function isNetworkNoise(text: string): boolean {
  return /Failed to load resource|WebSocket connection to .* failed|net::ERR_/i.test(text);
}

type LongTaskWindow = { __longTasks: { start: number; duration: number }[] };

/** Records the main thread's long tasks on every page of the context, from its first script on. */
export async function recordLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as LongTaskWindow;
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest recorded task (ms) that overlaps [from, to] in page time; 0 when there was none. */
export function worstLongTask(page: Page, from = 0, to = Number.MAX_VALUE): Promise<number> {
  return page.evaluate(
    ([a, b]) =>
      Math.max(
        0,
        ...(window as unknown as LongTaskWindow).__longTasks
          .filter((t) => t.start + t.duration >= a && t.start <= b)
          .map((t) => t.duration),
      ),
    [from, to] as const,
  );
}

/** Saves a screenshot of the viewport as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  // Let fonts, transitions and the virtual list settle.
  await page.waitForTimeout(250);
  await page.screenshot({ path: file });
  return file;
}

/** A PNG of the given size and colour, drawn by the browser itself. */
export async function makePng(page: Page, size: number, color: string): Promise<Buffer> {
  const b64 = await page.evaluate(
    ({ size, color }) => {
      const c = document.createElement('canvas');
      c.width = size;
      c.height = size;
      const ctx = c.getContext('2d');
      if (!ctx) throw new Error('no 2d context');
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, size, size);
      ctx.fillStyle = '#ffffff';
      ctx.beginPath();
      ctx.arc(size / 2, size / 2.6, size / 5, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillRect(size / 4, size / 1.6, size / 2, size / 3);
      return c.toDataURL('image/png').split(',')[1] ?? '';
    },
    { size, color },
  );
  return Buffer.from(b64, 'base64');
}

/** Visible form controls without an accessible label (a <label>, aria-label or aria-labelledby). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button'))
      .filter((el) => el.offsetParent !== null && !(el as HTMLInputElement).hidden)
      .filter((el) => {
        if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
        if (el.tagName === 'BUTTON') return (el.textContent ?? '').trim() === '';
        return ((el as HTMLInputElement).labels?.length ?? 0) === 0;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
