// Registration by invitation in a real browser: a relay with REGISTRATION=invite, the first admin
// made through the admin CLI's link, an invite made, copied and revoked in the admin panel, and a
// guest who registers through it. Screenshots: register-invite-only, register-invited,
// admin-invites, register-invite-revoked.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linkCode, runAdmin } from '../support/admin-cli';
import { type Relay, startRelay } from '../support/relay';
import {
  buildWebApp,
  chromiumAvailable,
  launchChromium,
  ProblemWatcher,
  SCREENSHOT_DIR,
  screenshot,
  unlabelledControls,
} from './browser';

const DESKTOP = { width: 1280, height: 860 };

describe.skipIf(!chromiumAvailable())('invites in Chromium', () => {
  let relay: Relay;
  let browser: Browser;
  let adminCtx: BrowserContext;
  let guestCtx: BrowserContext;
  let admin: Page;
  let guest: Page;
  let panelLink = '';
  const watcher = new ProblemWatcher();

  beforeAll(async () => {
    await buildWebApp();
    relay = await startRelay({ name: 'e2e-invites', env: { LOG_LEVEL: 'warn', REGISTRATION: 'invite' } });
    browser = await launchChromium();
    adminCtx = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    await adminCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
    guestCtx = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    await watcher.attach(adminCtx, 'admin');
    await watcher.attach(guestCtx, 'guest');
    admin = await adminCtx.newPage();
    guest = await guestCtx.newPage();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    await admin?.screenshot({ path: `${SCREENSHOT_DIR}/failed-${slug}-admin.png` }).catch(() => {});
    await guest?.screenshot({ path: `${SCREENSHOT_DIR}/failed-${slug}-guest.png` }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  const notice = (page: Page) => page.getByTestId('registration-notice');

  async function finishRegistration(page: Page, password: string) {
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('recovery-code').waitFor({ timeout: 30_000 });
    await page.getByLabel('I saved my recovery code somewhere safe.').check();
    await page.getByRole('button', { name: 'Continue to Parley' }).click();
    await page.getByRole('region', { name: /^Conversation:/ }).waitFor();
  }

  it('says the relay is invitation only, and offers no form without a link', async () => {
    await guest.goto(`${relay.url}/#/register`);
    await expect.poll(() => notice(guest).textContent()).toContain('Invitation only');
    expect(await guest.getByRole('button', { name: 'Create account' }).count()).toBe(0);
    await screenshot(guest, 'register-invite-only');
  });

  it('creates the first admin through the admin CLI’s link, with the username fixed', async () => {
    const made = await runAdmin(['create-admin', 'root', '--origin', relay.url], {
      DATA_DIR: relay.dataDir,
      DATABASE_URL: relay.databaseUrl,
      LOG_LEVEL: 'warn',
    });
    expect(made.code, made.stderr).toBe(0);
    await admin.goto(linkCode(made.stdout).link);
    await expect.poll(() => notice(admin).textContent()).toContain('You are invited as an administrator');
    const username = admin.getByLabel('Username');
    expect(await username.inputValue()).toBe('root');
    expect(await username.getAttribute('readonly')).not.toBeNull();
    await admin.getByLabel('Display name (optional)').fill('Root Admin');
    await screenshot(admin, 'register-invited');
    expect(await unlabelledControls(admin)).toEqual([]);
    await finishRegistration(admin, 'granite orchard seven 31');
  });

  it('makes an invite in the admin panel, shows its link once and copies it', async () => {
    await admin.goto(`${relay.url}/#/admin`);
    const section = admin.getByTestId('invites');
    await section.getByText('Registration: Invite only').waitFor();
    await section.getByLabel('Uses').fill('3');
    await section.getByLabel('Expires after').selectOption({ label: '1 day' });
    await section.getByLabel('Note (optional)').fill('Book club');
    await section.getByRole('button', { name: 'Create invite' }).click();
    const shown = admin.getByTestId('invite-link').getByLabel('Invite link');
    await shown.waitFor();
    panelLink = await shown.inputValue();
    expect(panelLink).toMatch(new RegExp(`^${relay.url}/#/register\\?invite=[A-Za-z0-9_-]{22}$`));
    await admin.getByTestId('invite-link').getByRole('button', { name: 'Copy' }).click();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(panelLink);
    const row = section.locator('tr', { hasText: 'Book club' });
    await row.getByText('0 / 3').waitFor();
    await row.getByText('Active').waitFor();
    await section.locator('tr', { hasText: 'For @root' }).getByText('Used up').waitFor();
    await screenshot(admin, 'admin-invites');
    expect(await unlabelledControls(admin)).toEqual([]);
  });

  it('lets a guest register through the panel’s link', async () => {
    await guest.goto(panelLink);
    await expect.poll(() => notice(guest).textContent()).toContain('You are invited');
    await guest.getByLabel('Username').fill('guest');
    await finishRegistration(guest, 'maple lantern quiet 58');
    await admin.reload();
    const row = admin.getByTestId('invites').locator('tr', { hasText: 'Book club' });
    await row.getByText('1 / 3').waitFor();
  });

  it('revokes the invite: its link then says so and offers no form', async () => {
    const row = admin.getByTestId('invites').locator('tr', { hasText: 'Book club' });
    await row.getByRole('button', { name: /^Revoke invite/ }).click();
    await row.getByText('Revoked').waitFor();
    const late = await guestCtx.browser()?.newContext({ viewport: DESKTOP });
    if (!late) throw new Error('no browser');
    await watcher.attach(late, 'late');
    const page = await late.newPage();
    await page.goto(panelLink);
    await expect.poll(() => notice(page).textContent()).toContain('This invite was withdrawn');
    expect(await page.getByRole('button', { name: 'Create account' }).count()).toBe(0);
    await screenshot(page, 'register-invite-revoked');
    await late.close();
  });

  it('logged no console errors, page errors or CSP violations', () => {
    expect(watcher.problems).toEqual([]);
  });
});
