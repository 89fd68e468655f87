// A long channel in a real browser: 1,500 messages from a protocol client, read by a user who
// logs in through the UI. The list stays virtualised (few DOM rows), pages in older history when
// scrolled up, keeps the order, and the main thread has no long stalls while doing it.
import { ready } from '@parley/crypto-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, type TestUser, waitForText } from '../support/users';
import {
  buildWebApp,
  chromiumAvailable,
  launchChromium,
  ProblemWatcher,
  recordLongTasks,
  screenshot,
  worstLongTask,
} from './browser';

const COUNT = 1500;
const label = (i: number) => `seed message ${String(i).padStart(4, '0')}`;

describe.skipIf(!chromiumAvailable())('long history in Chromium', () => {
  let relay: Relay;
  let browser: Browser;
  let page: Page;
  let reader: TestUser;
  let seeder: TestUser;
  const watcher = new ProblemWatcher();

  beforeAll(async () => {
    await ready();
    await buildWebApp();
    relay = await startRelay({
      name: 'e2e-long',
      env: { LOG_LEVEL: 'warn', SEND_RATE_PER_SEC: '100000', SEND_BURST: '100000' },
    });
    // The reader joins first: members see what was sent after they joined.
    reader = await makeUser(relay, 'reader');
    reader.client.lock();
    seeder = await makeUser(relay, 'seeder');
    await connected(seeder);
    for (let start = 1; start <= COUNT; start += 100) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < start + 100 && i <= COUNT; i++)
        batch.push(seeder.client.send('broadcast', label(i)));
      await Promise.all(batch);
    }
    await waitForText(seeder.client, 'broadcast', label(COUNT));

    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await watcher.attach(ctx, 'reader');
    await recordLongTasks(ctx);
    page = await ctx.newPage();
  }, 300_000);

  afterAll(async () => {
    seeder?.client.lock();
    await browser?.close();
    await relay?.dispose();
  });

  it('logs in through the form and shows the newest messages first', async () => {
    await page.goto(`${relay.url}/#/login`);
    await page.getByLabel('Username').fill(reader.username);
    await page.getByLabel('Password').fill(reader.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const list = page.getByLabel('Messages in Broadcast');
    await list.getByText(label(COUNT)).waitFor({ timeout: 30_000 });
    expect(await page.locator('.vrow').count()).toBeLessThan(120);
    await screenshot(page, 'long-history-bottom');
  });

  it('pages in older history when scrolled up, in order, with a bounded DOM', async () => {
    const list = page.locator('.vlist');
    const start = Date.now();
    let maxRows = 0;
    for (let i = 0; i < 200; i++) {
      await list.evaluate((el) => {
        el.scrollTop = 0;
      });
      await page.waitForTimeout(60);
      maxRows = Math.max(maxRows, await page.locator('.vrow').count());
      if (await page.getByText(label(1), { exact: true }).isVisible()) break;
    }
    await page.getByText(label(1), { exact: true }).waitFor();
    await page.getByText(/Beginning of the conversation/).waitFor();
    const elapsed = Date.now() - start;
    expect(maxRows).toBeLessThan(150);
    // The first rows are in seq order.
    const texts = await page.locator('.msg-body').allTextContents();
    const seen = texts.filter((t) => t.startsWith('seed message')).slice(0, 5);
    expect(seen).toEqual([label(1), label(2), label(3), label(4), label(5)]);
    await screenshot(page, 'long-history-top');

    // Back to the bottom: the newest message is there again.
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.getByText(label(COUNT), { exact: true }).waitFor();
    const worst = await worstLongTask(page);
    console.info(
      `paged ${COUNT} messages in ${elapsed} ms; DOM rows <= ${maxRows}; worst long task ${worst} ms`,
    );
    expect(worst).toBeLessThan(1000);
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(watcher.problems).toEqual([]);
  });
});
