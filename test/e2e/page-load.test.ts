// The page as Chromium loads it from the relay: compressed files, hashed assets cached for good
// and index.html revalidated, its import map allowed by the CSP; libsodium fetched once, after the
// login form; and a libsodium whose bytes do not match the hash in the import map refused, not run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { buildWebApp, chromiumAvailable, launchChromium, ProblemWatcher, screenshot } from './browser';

describe.skipIf(!chromiumAvailable())('loading the page', () => {
  let relay: Relay;
  let browser: Browser;
  let dist = '';
  let sodiumUrl = '';

  beforeAll(async () => {
    dist = await buildWebApp();
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const map = JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)?.[1] ?? '{}');
    sodiumUrl = Object.keys(map.integrity ?? {}).find((url) => url.startsWith('/assets/libsodium')) ?? '';
    relay = await startRelay({ name: 'e2e-page-load', env: { LOG_LEVEL: 'warn' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  const pathOf = (r: Response) => new URL(r.url()).pathname;

  it('serves compressed files, immutable assets and a revalidated index.html, and loads libsodium once', async () => {
    const ctx = await browser.newContext();
    const watcher = new ProblemWatcher();
    await watcher.attach(ctx, 'visitor');
    const page = await ctx.newPage();
    const responses: Response[] = [];
    page.on('response', (r) => responses.push(r));
    await page.goto(relay.url);
    await page.getByRole('button', { name: /log in/i }).waitFor();
    // libsodium is import()ed after the first frame; let it arrive.
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'page-load-login');

    const doc = responses.find((r) => pathOf(r) === '/');
    expect(doc?.headers()['content-encoding']).toBe('br');
    expect(doc?.headers()['cache-control']).toBe('no-cache');
    expect(doc?.headers()['content-security-policy']).toMatch(
      /script-src 'self' 'wasm-unsafe-eval' 'sha256-/,
    );
    const assets = responses.filter((r) => pathOf(r).startsWith('/assets/'));
    expect(sodiumUrl).not.toBe('');
    expect(assets.filter((r) => pathOf(r) === sodiumUrl)).toHaveLength(1);
    for (const r of assets) {
      expect(r.headers()['cache-control'], r.url()).toBe('public, max-age=31536000, immutable');
      expect(r.headers()['content-encoding'], r.url()).toBe('br');
      expect(r.headers().vary, r.url()).toBe('Accept-Encoding');
    }
    expect(watcher.problems).toEqual([]);
    await ctx.close();
  });

  it('refuses a libsodium whose bytes do not match the hash in the import map', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    let fetched = 0;
    const real = readFileSync(join(dist, sodiumUrl));
    await page.route(`**${sodiumUrl}`, (route) => {
      fetched++;
      return route.fulfill({
        contentType: 'text/javascript',
        body: Buffer.concat([real, Buffer.from('\n/* not what was built */\n')]),
      });
    });
    await page.goto(relay.url);
    await page.getByRole('button', { name: /log in/i }).waitFor();
    // A string, not a function: vitest would rewrite a function's import() for Node.
    const imported = await page.evaluate(
      `import(${JSON.stringify(sodiumUrl)}).then(() => 'loaded', (e) => 'refused: ' + e)`,
    );
    expect(imported).toMatch(/^refused/);
    // Every fetch of it (the app's own import() after the first frame, and this one) was checked.
    expect(fetched).toBeGreaterThanOrEqual(1);
    expect(errors.filter((e) => /integrity/.test(e))).toHaveLength(fetched);
    await ctx.close();
  });
});
