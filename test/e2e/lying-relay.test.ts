// What a user sees when the relay lies (DESIGN §7), in a real browser: a ghost that the server
// slipped into a private channel is named in a warning and gets no key, and a withheld pins blob
// opens the trust-unknown screen, whose way out is re-verifying a contact.
import { bundleToWire, generateIdentity, makeBundle, ready } from '@parley/crypto-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { openRelayDb, type RelayDb } from '../support/relay-db';
import { makeUser, type TestUser } from '../support/users';
import {
  buildWebApp,
  chromiumAvailable,
  launchChromium,
  ProblemWatcher,
  SCREENSHOT_DIR,
  screenshot,
} from './browser';

describe.skipIf(!chromiumAvailable())('a lying relay, as the user sees it', () => {
  let relay: Relay;
  let db: RelayDb;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let groupId = '';
  const watcher = new ProblemWatcher();

  beforeAll(async () => {
    await ready();
    await buildWebApp();
    relay = await startRelay({ name: 'e2e-lying', env: { LOG_LEVEL: 'warn' } });
    db = openRelayDb(relay);
    alice = await makeUser(relay, 'alice', { displayName: 'Alice' });
    bob = await makeUser(relay, 'bob', { displayName: 'Bob' });
    mallory = await makeUser(relay, 'mallory', { displayName: 'Mallory' });
    const group = await alice.client.createGroup('board');
    await alice.client.invite(group.id, bob.id);
    await bob.client.refreshChannels();
    await bob.client.send(group.id, 'the numbers are in');
    groupId = group.id;
    for (const u of [alice, bob, mallory]) u.client.lock();
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1200, height: 780 } });
    await watcher.attach(ctx, 'alice');
    page = await ctx.newPage();
  });

  afterEach(async (c) => {
    if (c.task.result?.state !== 'fail') return;
    const slug = c.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    await page?.screenshot({ path: `${SCREENSHOT_DIR}/failed-${slug}.png` }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    db?.close();
    await relay?.dispose();
  });

  async function logIn() {
    await page.goto(`${relay.url}/#/login`);
    await page.getByLabel('Username').fill(alice.username);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('region', { name: /^Conversation:/ }).waitFor({ timeout: 30_000 });
  }

  it('names a ghost member the server added, shares no key with it, and refuses to send', async () => {
    await db.run("INSERT INTO members (channel_id, user_id, role, joined_seq) VALUES (?, ?, 'member', 1)", [
      groupId,
      mallory.id,
    ]);
    await logIn();
    await page.getByRole('link', { name: 'board' }).click();
    const alert = page.locator('[data-testid="channel-alert"][data-kind="ghost-member"]');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain(mallory.username);
    await page.getByText('the numbers are in').waitFor();
    // The send is refused by Alice's own client: the relay demands a key share for Mallory.
    watcher.tolerateNetworkErrors('alice');
    await page.locator('#composer-input').fill('for members only');
    await page.locator('#composer-input').press('Enter');
    await page.getByText(/Not sent: .*outside this conversation/).waitFor({ timeout: 15_000 });
    watcher.tolerateNetworkErrors('alice', false);
    await screenshot(page, 'ghost-warning');
    const shares = await db.rows(
      'SELECT 1 FROM sender_key_shares WHERE channel_id = ? AND recipient_id = ?',
      [groupId, mallory.id],
    );
    expect(shares).toEqual([]);

    await page.getByRole('link', { name: 'Members' }).click();
    const ghosts = page.getByTestId('ghost-members');
    await ghosts.waitFor();
    expect(await ghosts.textContent()).toContain('Mallory');
    expect(await page.getByRole('heading', { name: /^2 members/ }).count()).toBe(1);
    await screenshot(page, 'ghost-members');
    await db.run('DELETE FROM members WHERE channel_id = ? AND user_id = ?', [groupId, mallory.id]);
  });

  it('opens the trust-unknown screen when the pins are withheld, and leaves it by re-verifying', async () => {
    await ctx.route(/\/api\/me\/pins$/, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      await route.fulfill({ json: { blob: null } });
    });
    await page.reload();
    const screen = page.getByTestId('trust-unknown');
    await screen.waitFor({ timeout: 30_000 });
    expect(await screen.textContent()).toMatch(/withheld/);
    await screenshot(page, 'trust-unknown');

    await page.getByRole('link', { name: 'Compare safety number with Bob' }).click();
    await page.getByRole('button', { name: 'Mark as verified' }).click();
    await page
      .getByTestId('verify-state')
      .filter({ hasText: /✔ Verified/ })
      .waitFor();
    await page.getByRole('link', { name: 'Back to your contacts' }).click();
    const resume = page.getByRole('button', { name: 'Continue with 1 re-verified contact' });
    await resume.waitFor();
    await screenshot(page, 'trust-unknown-reverified');
    await ctx.unroute(/\/api\/me\/pins$/);
    await resume.click();
    await page.getByRole('region', { name: /^Conversation:/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('trust-unknown').count()).toBe(0);
  });

  it('shows the alarm that cannot be dismissed when the key log publishes another key for the user', async () => {
    // The server writes a binding of its own for Alice (version 2) into its key log.
    const forged = bundleToWire(makeBundle(generateIdentity()));
    const b = (s: string) => Buffer.from(s, 'base64url');
    await db.run(
      'INSERT INTO kt_bindings (user_id, version, username, identity_key, enc_key, enc_key_sig, epoch) VALUES (?, 2, ?, ?, ?, ?, NULL)',
      [alice.id, alice.username, b(forged.identityKey), b(forged.encKey), b(forged.encKeySig)],
    );
    await expect
      .poll(async () => (await db.rows('SELECT 1 FROM kt_bindings WHERE epoch IS NULL')).length, {
        timeout: 10_000,
      })
      .toBe(0);
    await page.reload();
    const alarm = page.getByTestId('key-log-alarm');
    await alarm.waitFor({ timeout: 30_000 });
    expect(await alarm.textContent()).toMatch(/published a different key for you/);
    expect(await alarm.getByRole('button').count()).toBe(0);
    await screenshot(page, 'key-log-alarm');
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(watcher.problems).toEqual([]);
  });
});
