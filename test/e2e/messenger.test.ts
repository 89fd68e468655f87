// The whole messenger in a real browser: Debian's Chromium (headless) against a real relay process
// serving the built web app under its strict CSP. Two browser contexts are Alice and Bob. Every
// console error, page error and CSP violation fails the run; screenshots of the main screens are
// written to test-artifacts/screenshots/.
import { bundleToWire, generateIdentity, makeBundle, ready } from '@parley/crypto-core';
import type { DirectoryResponse } from '@parley/server/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import {
  buildWebApp,
  chromiumAvailable,
  launchChromium,
  makePng,
  ProblemWatcher,
  recordLongTasks,
  SCREENSHOT_DIR,
  screenshot,
  unlabelledControls,
  worstLongTask,
} from './browser';

const PASSWORD_A = 'quiet harbour lantern 42';
const PASSWORD_B = 'violet comet teapot 17';
const XSS_NAME = 'Bob <img src=x onerror="window.__pwned=1">';
const XSS_TEXT = '<script>window.__pwned=2</script><b>not bold</b> & <img src=y onerror="window.__pwned=3">';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 760 };

describe.skipIf(!chromiumAvailable())('web app in Chromium', () => {
  let relay: Relay;
  let browser: Browser;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;
  const watcher = new ProblemWatcher();
  const alicePeople = { username: 'alice', display: 'Alice Liddell' };
  const bobPeople = { username: 'bob', display: XSS_NAME };
  let dmHash = '';
  let aliceRecoveryCode = '';

  beforeAll(async () => {
    await ready();
    await buildWebApp();
    relay = await startRelay({ name: 'e2e', env: { LOG_LEVEL: 'warn' } });
    browser = await launchChromium();
    aliceCtx = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    bobCtx = await browser.newContext({
      viewport: DESKTOP,
      timezoneId: 'America/New_York',
      locale: 'en-US',
      colorScheme: 'dark',
    });
    await watcher.attach(aliceCtx, 'alice');
    await watcher.attach(bobCtx, 'bob');
    // Long tasks of the main thread, to check the key derivation does not block it.
    await recordLongTasks(aliceCtx);
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [label, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      await page?.screenshot({ path: `${SCREENSHOT_DIR}/failed-${slug}-${label}.png` }).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  const chat = (page: Page) => page.getByRole('region', { name: /^Conversation:/ });
  const messages = (page: Page) => page.getByLabel(/^Messages in /);
  const composer = (page: Page) => page.locator('#composer-input');
  const sidebar = (page: Page) => page.getByRole('complementary', { name: 'Conversations' });

  async function send(page: Page, text: string) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
    await expect.poll(() => composer(page).inputValue()).toBe('');
  }

  async function fillRegistration(page: Page, who: { username: string; display: string }, password: string) {
    await page.goto(`${relay.url}/#/register`);
    await page.getByLabel('Username').fill(who.username);
    await page.getByLabel('Display name (optional)').fill(who.display);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
  }

  async function recoveryCode(page: Page) {
    const code = page.getByTestId('recovery-code');
    await code.waitFor({ timeout: 30_000 });
    return (await code.textContent())?.trim() ?? '';
  }

  async function register(page: Page, who: { username: string; display: string }, password: string) {
    await fillRegistration(page, who, password);
    await page.getByRole('button', { name: 'Create account' }).click();
    return recoveryCode(page);
  }

  /** The focused element, described: tag, its accessible name (label, aria-label or text). */
  function focused(page: Page) {
    return page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { tag: 'body', name: '', inSidebar: false };
      const name =
        el.getAttribute('aria-label') ??
        ((el as HTMLInputElement).labels?.[0]?.textContent ?? el.textContent ?? '').trim();
      return {
        tag: el.tagName.toLowerCase(),
        name,
        inSidebar: el.closest('[aria-label="Conversations"]') !== null,
      };
    });
  }

  /** Presses Tab until `done` holds for the focused element; returns every element focused on the way. */
  async function tabUntil(page: Page, done: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 40) {
    const seen: Awaited<ReturnType<typeof focused>>[] = [];
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      seen.push(f);
      if (done(f)) return seen;
    }
    throw new Error(`Tab never reached the element; focused: ${seen.map((f) => f.name).join(' | ')}`);
  }

  /** From a conversation's key-change banner: accept the new key and mark it verified again. */
  /** Accepts and verifies a changed key; `clean`: the key log backs it, so nothing stays blocked. */
  async function reverify(page: Page, clean = true) {
    await page.getByRole('link', { name: 'Verify safety number' }).click();
    await page.getByRole('button', { name: 'Accept the new key and show its safety number' }).click();
    await expect.poll(() => page.getByTestId('verify-state').textContent()).toBe('Key changed: verify again');
    await page.getByRole('button', { name: 'Mark as verified' }).click();
    await expect.poll(() => page.getByTestId('verify-state').textContent()).toContain('Verified');
    await page.getByRole('link', { name: 'Back' }).click();
    await chat(page).waitFor();
    if (!clean) return;
    await page.getByTestId('verified-badge').waitFor();
    expect(await page.getByTestId('key-change-banner').count()).toBe(0);
  }

  async function openChannel(page: Page, name: string | RegExp) {
    await page
      .getByRole('navigation', { name: 'Channels and direct messages' })
      .getByRole('link', { name })
      .click();
    await chat(page).waitFor();
  }

  it('registers with password feedback and shows the recovery code once', async () => {
    await alice.goto(`${relay.url}/#/register`);
    await alice.getByLabel('Username').fill('Al');
    await alice.getByLabel('Password', { exact: true }).fill('password1');
    await expect.poll(() => alice.getByText('At least 3 characters.').isVisible()).toBe(true);
    await expect.poll(() => alice.getByText('This is a very common password.').isVisible()).toBe(true);
    await screenshot(alice, 'register-feedback');
    expect(await unlabelledControls(alice)).toEqual([]);

    // The Argon2id derivation runs in a worker: its progress shows, and the page stays responsive.
    await fillRegistration(alice, alicePeople, PASSWORD_A);
    await alice.getByRole('button', { name: 'Create account' }).click();
    const deriving = alice.getByRole('status').filter({ hasText: 'Deriving your keys' });
    await deriving.waitFor({ timeout: 15_000 });
    const from = await alice.evaluate(() => performance.now());
    await deriving.waitFor({ state: 'detached', timeout: 30_000 });
    const to = await alice.evaluate(() => performance.now());
    const worstTask = await worstLongTask(alice, from, to);
    console.info(
      `key derivation took ~${Math.round(to - from)} ms; longest main-thread task ${worstTask} ms`,
    );
    expect(worstTask).toBeLessThan(200);
    const code = await recoveryCode(alice);
    aliceRecoveryCode = code;
    expect(code.length).toBeGreaterThan(20);
    const proceed = alice.getByRole('button', { name: 'Continue to Parley' });
    expect(await proceed.isDisabled()).toBe(true);
    await screenshot(alice, 'recovery-code');
    await alice.getByLabel('I saved my recovery code somewhere safe.').check();
    await proceed.click();
    await chat(alice).waitFor();
    expect(await alice.getByTestId('recovery-code').count()).toBe(0);

    // Bob reloads before confirming: the code is gone, so the app offers a new one instead of
    // opening as if it had been saved.
    const lost = await register(bob, bobPeople, PASSWORD_B);
    await bob.reload();
    await bob.getByRole('heading', { name: 'Save a recovery code' }).waitFor({ timeout: 15_000 });
    expect(await bob.getByTestId('recovery-code').count()).toBe(0);
    expect(await chat(bob).count()).toBe(0);
    await screenshot(bob, 'dark-recovery-unconfirmed');
    await bob.getByRole('button', { name: 'Make a new recovery code' }).click();
    const replaced = await recoveryCode(bob);
    expect(replaced.length).toBeGreaterThan(20);
    expect(replaced).not.toBe(lost);
    await bob.getByLabel('I saved my recovery code somewhere safe.').check();
    await bob.getByRole('button', { name: 'Continue to Parley' }).click();
    await chat(bob).waitFor();
    // Confirmed: the next reload opens the app directly.
    await bob.reload();
    await chat(bob).waitFor({ timeout: 15_000 });
    expect(await bob.getByRole('heading', { name: 'Save a recovery code' }).count()).toBe(0);
  });

  it('renders an HTML display name and HTML message as plain text', async () => {
    await openChannel(bob, /Broadcast/);
    await send(bob, XSS_TEXT);
    await messages(bob).getByText(XSS_TEXT).waitFor();
    await openChannel(alice, /Broadcast/);
    await messages(alice).getByText(XSS_TEXT).waitFor({ timeout: 15_000 });
    await messages(alice).getByText(XSS_NAME).first().waitFor();
    for (const page of [alice, bob]) {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('img[src="x"], img[src="y"], b:text("not bold")').count()).toBe(0);
    }
  });

  it('posts in Broadcast and the other side sees it in real time', async () => {
    await send(alice, 'Hello everyone, this is Broadcast.');
    await messages(bob).getByText('Hello everyone, this is Broadcast.').waitFor();
    await messages(alice).getByText('✓ Sent').last().waitFor();
    await screenshot(alice, 'broadcast');
  });

  it('starts a DM from the directory (never offering yourself) and exchanges messages live', async () => {
    await alice.getByRole('button', { name: 'New direct message' }).click();
    const dialog = alice.getByRole('dialog', { name: 'New direct message' });
    await dialog.waitFor();
    const people = dialog.getByRole('list', { name: 'People' });
    await people.getByRole('button', { name: /@bob/ }).waitFor();
    expect(await people.getByRole('button', { name: /@alice/ }).count()).toBe(0);
    await screenshot(alice, 'new-dm-picker');
    await people.getByRole('button', { name: /@bob/ }).click();
    await alice.getByRole('heading', { name: XSS_NAME }).waitFor();
    dmHash = new URL(alice.url()).hash;
    expect(dmHash).toMatch(/^#\/c\//);
    await alice.getByText('No messages yet').waitFor();
    // One line for how the DM began, not "Alice joined" followed by "Alice added Bob".
    await messages(alice)
      .getByText(/^Alice Liddell started this conversation/)
      .waitFor();
    expect(
      await messages(alice)
        .getByText(/ joined|added /)
        .count(),
    ).toBe(0);
    await screenshot(alice, 'dm-empty');

    await send(alice, 'Hi Bob, are you there?');
    // Bob gets it in real time, with an unread count on the DM in his sidebar.
    const bobNav = bob.getByRole('navigation', { name: 'Channels and direct messages' });
    await bobNav.getByRole('link', { name: /Alice Liddell, 1 unread/ }).waitFor({ timeout: 15_000 });
    await screenshot(bob, 'dark-unread-count');
    await openChannel(bob, /Alice Liddell/);
    await messages(bob).getByText('Hi Bob, are you there?').waitFor();
    await messages(bob)
      .getByText(/^Alice Liddell started this conversation/)
      .waitFor();
    expect(
      await messages(bob)
        .getByText(/ joined|added /)
        .count(),
    ).toBe(0);

    // Typing indicator, then the reply arrives live on Alice's side.
    await composer(bob).pressSequentially('Yes', { delay: 30 });
    await alice.getByText(/is typing…/).waitFor();
    await composer(bob).fill('Yes, hello Alice!');
    await composer(bob).press('Enter');
    await messages(alice).getByText('Yes, hello Alice!').waitFor();
    await screenshot(alice, 'dm-conversation');
    expect(await unlabelledControls(alice)).toEqual([]);
  });

  it('creates a private channel, invites Bob, and both can talk in it', async () => {
    await alice.getByRole('button', { name: 'New private channel' }).click();
    await alice.getByLabel('Channel name').fill('planning');
    await alice.getByRole('button', { name: 'Create channel' }).click();
    await alice.getByRole('heading', { name: '# planning' }).waitFor();
    await alice.getByRole('link', { name: 'Members' }).click();
    await alice.getByLabel('Person to invite').selectOption({ label: `${XSS_NAME} (@bob)` });
    await alice.getByRole('button', { name: 'Invite' }).click();
    await alice.getByText('2 members').waitFor();
    // The notification sits at the bottom, clear of the top bar and the page's headings.
    const toast = await alice.locator('.toast').first().boundingBox();
    const heading = await alice.getByRole('heading', { name: 'Invite someone' }).boundingBox();
    const topbar = await alice.locator('.topbar').first().boundingBox();
    expect(toast && heading && topbar).toBeTruthy();
    if (toast && heading && topbar) {
      expect(toast.y).toBeGreaterThan(heading.y + heading.height);
      expect(toast.y).toBeGreaterThan(topbar.y + topbar.height);
    }
    await screenshot(alice, 'members');
    expect(await unlabelledControls(alice)).toEqual([]);
    await alice.getByRole('link', { name: 'Back to conversation' }).click();
    await messages(alice)
      .getByText(/Alice Liddell added Bob/)
      .waitFor();
    await messages(alice)
      .getByText(/^Alice Liddell created this channel/)
      .waitFor();
    expect(
      await messages(alice)
        .getByText(/Alice Liddell joined/)
        .count(),
    ).toBe(0);

    await openChannel(bob, /planning/);
    await messages(bob)
      .getByText(/Alice Liddell added Bob/)
      .waitFor();
    await send(bob, 'Thanks for the invite.');
    await messages(alice).getByText('Thanks for the invite.').waitFor();
    await send(alice, 'Welcome to #planning.');
    await messages(bob).getByText('Welcome to #planning.').waitFor();
    await screenshot(alice, 'private-channel');
  });

  it('shows the same 60-digit safety number on both sides and marks the contact verified', async () => {
    await alice.goto(`${relay.url}/${dmHash}`);
    await chat(alice).waitFor();
    await alice.getByRole('link', { name: 'Safety number' }).click();
    const aliceNumber = alice.getByRole('figure', { name: /^Safety number / });
    await aliceNumber.waitFor();
    await openChannel(bob, /Alice Liddell/);
    await bob.getByRole('link', { name: 'Safety number' }).click();
    const bobNumber = bob.getByRole('figure', { name: /^Safety number / });
    await bobNumber.waitFor();

    const groupsA = await aliceNumber.locator('.sn-group').allTextContents();
    const groupsB = await bobNumber.locator('.sn-group').allTextContents();
    expect(groupsA).toHaveLength(12);
    expect(groupsA.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(groupsA).toEqual(groupsB);
    await alice.getByRole('img', { name: /QR code of the safety number/ }).waitFor();
    // Beside the number, what the server's key log says of the key (DESIGN §7.5).
    await alice
      .getByTestId('key-log-status')
      .getByText(/^Key published in the server’s key log at version 1, checked at epoch \d+\.$/)
      .waitFor({ timeout: 15_000 });
    await screenshot(alice, 'verify');
    expect(await unlabelledControls(alice)).toEqual([]);
    await screenshot(bob, 'dark-verify');

    await alice.getByRole('button', { name: 'Mark as verified' }).click();
    await expect.poll(() => alice.getByTestId('verify-state').textContent()).toContain('Verified');
    await alice.getByRole('link', { name: 'Back' }).click();
    await alice.getByTestId('verified-badge').waitFor();
    await bob.getByRole('link', { name: 'Back' }).click();
    await chat(bob).waitFor();
  });

  it('deletes a message for the other side too', async () => {
    await send(alice, 'This one will be deleted.');
    await messages(bob).getByText('This one will be deleted.').waitFor();
    const row = messages(alice).getByRole('article').filter({ hasText: 'This one will be deleted.' });
    await row.hover();
    await row.getByRole('button', { name: 'Delete message' }).click();
    const confirm = alice.getByRole('dialog', { name: 'Delete message?' });
    await screenshot(alice, 'delete-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await messages(bob).getByText('This message was deleted.').waitFor();
    expect(await messages(bob).getByText('This one will be deleted.').count()).toBe(0);
    await messages(alice).getByText('This message was deleted.').waitFor();
  });

  it('uploads an avatar with a preview, and refuses wrong types and sizes', async () => {
    await alice.getByRole('link', { name: 'Profile', exact: true }).click();
    await alice.getByRole('heading', { name: 'Your profile' }).waitFor();
    const input = alice.getByLabel('Choose an image');
    await input.setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('just text'),
    });
    await alice.getByText('Use a PNG, JPEG, GIF or WebP image.').waitFor();
    await input.setInputFiles({
      name: 'huge.png',
      mimeType: 'image/png',
      buffer: Buffer.concat([await makePng(alice, 8, '#000'), Buffer.alloc(600 * 1024)]),
    });
    await alice.getByText(/the limit is 512 KB/).waitFor();
    await screenshot(alice, 'avatar-error');

    // A PNG the browser cannot name from its file name: the bytes decide the type sent.
    await input.setInputFiles({
      name: 'me.avatar',
      mimeType: 'application/octet-stream',
      buffer: await makePng(alice, 128, '#3451b2'),
    });
    await alice.getByTestId('avatar-preview').waitFor({ state: 'visible' });
    await screenshot(alice, 'avatar-preview');
    await alice.getByRole('button', { name: 'Upload avatar' }).click();
    await alice.locator('.toast').getByText('Avatar updated.').waitFor();
    const own = alice.locator('.sidebar-foot .avatar img');
    await own.waitFor();
    // decode() waits for the image to load: the element is attached before its bytes arrive.
    const width = await own.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
    expect(width).toBe(128);

    // Bob sees it next to Alice's messages once his directory refreshes.
    await bob.reload();
    await openChannel(bob, /Alice Liddell/);
    await messages(bob).locator('article .avatar img').first().waitFor({ timeout: 15_000 });
    await screenshot(alice, 'profile');
    expect(await unlabelledControls(alice)).toEqual([]);
  });

  it('stays unlocked across a reload (keys from IndexedDB, no password)', async () => {
    await alice.reload();
    await alice.getByRole('heading', { name: 'Your profile' }).waitFor({ timeout: 15_000 });
    expect(await alice.getByRole('button', { name: 'Log in' }).count()).toBe(0);
    await sidebar(alice).getByRole('button', { name: 'Log out' }).waitFor();
  });

  it('warns about a changed key of a verified contact and blocks sending', async () => {
    // The relay (as seen by Alice) now swaps in another identity key for Bob: the attack the
    // safety number exists for.
    const forged = bundleToWire(makeBundle(generateIdentity()));
    await aliceCtx.route('**/api/users', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as DirectoryResponse;
      const users = body.users.map((u) => (u.username === 'bob' ? { ...u, bundle: forged } : u));
      await route.fulfill({ response: res, json: { users } });
    });
    await alice.goto(`${relay.url}/${dmHash}`);
    await alice.reload();
    const banner = alice.getByTestId('key-change-banner');
    await banner.waitFor({ timeout: 15_000 });
    const warning = (await banner.textContent()) ?? '';
    expect(warning).toContain('security key has changed');
    // Bob was verified: the wording says so, and that only a new verification unblocks sending.
    expect(warning).toContain('You had verified');
    expect(warning).toContain('Sending is blocked until you compare safety numbers again');
    expect(await banner.getByRole('button', { name: 'Accept new key' }).count()).toBe(0);
    expect(await composer(alice).count()).toBe(0);
    await alice.getByText(/Sending is blocked until you review/).waitFor();
    expect(await alice.getByTestId('verified-badge').count()).toBe(0);
    await screenshot(alice, 'key-change-warning');

    await alice.getByRole('link', { name: 'Verify safety number' }).click();
    await alice.getByText('Accept the new key and show its safety number').waitFor();
    await screenshot(alice, 'key-change-verify');
    await alice.getByRole('link', { name: 'Back' }).click();
    await banner.waitFor();
  });

  it('keeps sending blocked on a re-verified key the key log does not publish, and sends on the real one', async () => {
    // Accepting alone is not enough for a verified contact: the composer stays blocked until the
    // new key is marked verified. And this key is the relay's forgery: its own key log publishes
    // Bob's real key, so sending stays blocked, with the reason.
    await reverify(alice, false);
    const banner = alice.getByTestId('key-change-banner');
    await banner.getByText(/security key is in doubt/).waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain('does not match the server’s key log');
    expect(await composer(alice).count()).toBe(0);
    expect(await banner.getByRole('button', { name: 'Accept new key' }).count()).toBe(0);
    await screenshot(alice, 'key-log-problem');

    // The relay stops swapping keys: Bob's real key is a change again, handled the same way, and
    // the key log backs it.
    await aliceCtx.unroute('**/api/users');
    await alice.reload();
    await alice.getByTestId('key-change-banner').waitFor({ timeout: 15_000 });
    expect(await composer(alice).count()).toBe(0);
    await reverify(alice);
    await screenshot(alice, 'key-change-reverified');
    await send(alice, 'Back on the real key.');
    await messages(bob).getByText('Back on the real key.').waitFor({ timeout: 15_000 });
    await messages(alice).getByText('Yes, hello Alice!').waitFor({ timeout: 15_000 });
  });

  it('shows a message whose ciphertext was tampered with as undecryptable, never drops it', async () => {
    await aliceCtx.route(/\/api\/channels\/[^/]+\/messages/, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const res = await route.fetch();
      const body = (await res.json()) as { messages: { ciphertext: string | null }[]; hasMore: boolean };
      const flip = (c: string) => `${c.slice(0, 60)}${c[60] === 'A' ? 'B' : 'A'}${c.slice(61)}`;
      const messages = body.messages.map((m) =>
        m.ciphertext ? { ...m, ciphertext: flip(m.ciphertext) } : m,
      );
      await route.fulfill({ response: res, json: { ...body, messages } });
    });
    await alice.goto(`${relay.url}/${dmHash}`);
    await alice.reload();
    const failed = messages(alice).getByText(/^⚠ Could not decrypt this message \(.+\)$/);
    await failed.first().waitFor({ timeout: 15_000 });
    // Every DM entry with a ciphertext is shown, each as a failure: Alice's first message, Bob's
    // reply, Alice's signed delete of her deleted message (whose own ciphertext is gone) and her
    // message after the key change.
    await expect.poll(() => failed.count()).toBe(4);
    expect(await messages(alice).getByText('Hi Bob, are you there?').count()).toBe(0);
    await screenshot(alice, 'decrypt-failure');
    await aliceCtx.unroute(/\/api\/channels\/[^/]+\/messages/);
    await alice.reload();
    await messages(alice).getByText('Hi Bob, are you there?').waitFor({ timeout: 15_000 });
  });

  it('works at phone width with the sidebar as a drawer', async () => {
    await bob.setViewportSize(PHONE);
    // The sidebar is off-screen until the drawer opens.
    expect(await bob.getByRole('navigation', { name: 'Channels and direct messages' }).isVisible()).toBe(
      false,
    );
    await bob.getByRole('button', { name: 'Open navigation' }).click();
    await openChannel(bob, /Alice Liddell/);
    await screenshot(bob, 'dark-phone-conversation');
    await bob.getByRole('button', { name: 'Open navigation' }).click();
    await bob.getByRole('navigation', { name: 'Channels and direct messages' }).waitFor({ state: 'visible' });
    await screenshot(bob, 'dark-phone-drawer');
    await bob.keyboard.press('Escape');
    await expect.poll(() => sidebar(bob).isVisible()).toBe(false);
    await bob.getByRole('button', { name: 'Open navigation' }).click();
    await sidebar(bob).getByRole('link', { name: 'Profile', exact: true }).click();
    await bob.getByRole('heading', { name: 'Your profile' }).waitFor();
    await screenshot(bob, 'dark-phone-profile');
    // Notifications take the full width at the bottom of a phone screen.
    await bob.getByLabel('Choose an image').setInputFiles({
      name: 'bob.png',
      mimeType: 'image/png',
      buffer: await makePng(bob, 96, '#2f8f5b'),
    });
    await bob.getByTestId('avatar-preview').waitFor({ state: 'visible' });
    await bob.getByRole('button', { name: 'Upload avatar' }).click();
    await bob.locator('.toast').getByText('Avatar updated.').waitFor();
    const toast = await bob.locator('.toast').first().boundingBox();
    expect(toast?.width).toBeGreaterThan(PHONE.width - 40);
    expect((toast?.y ?? 0) + (toast?.height ?? 0)).toBeGreaterThan(PHONE.height - 40);
    await screenshot(bob, 'dark-phone-toast');
    await bob.setViewportSize(DESKTOP);
  });

  it('lets the admin see users and statistics, and disabling Bob logs him out', async () => {
    await alice.goto(`${relay.url}/#/admin`);
    await alice.getByText('Admins cannot read messages.').waitFor();
    const bobRow = alice.locator('tr[data-username="bob"]');
    await bobRow.waitFor();
    await screenshot(alice, 'admin');
    expect(await unlabelledControls(alice)).toEqual([]);

    // Bob's refused socket and refused login are logged by his browser: expected, for this step only.
    watcher.tolerateNetworkErrors('bob');
    await bobRow.getByRole('button', { name: 'Disable bob' }).click();
    await bobRow.getByText('Disabled').waitFor();
    await bob.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 30_000 });
    // The relay closed his socket with 4003: the login page says why, not just "session ended".
    await bob.getByText('You were logged out: an administrator disabled this account.').waitFor();
    await screenshot(bob, 'dark-logged-out-disabled');
    await bob.getByLabel('Username').fill('bob');
    await bob.getByLabel('Password').fill(PASSWORD_B);
    await bob.getByRole('button', { name: 'Log in' }).click();
    await bob.getByText('This account has been disabled by an administrator.').waitFor({ timeout: 30_000 });
    watcher.tolerateNetworkErrors('bob', false);
    // The vault was wiped: a reload does not unlock.
    await bob.reload();
    await bob.getByRole('button', { name: 'Log in' }).waitFor();
  });

  it('changes the password (keys re-wrapped) and recovers with the recovery code', async () => {
    const newPassword = 'amber kettle orbit 93';
    await sidebar(alice).getByRole('link', { name: 'Profile', exact: true }).click();
    await alice.getByLabel('Current password').fill(PASSWORD_A);
    await alice.getByLabel('New password', { exact: true }).fill(newPassword);
    await alice.getByLabel('Repeat new password').fill(newPassword);
    await alice.getByRole('button', { name: 'Change password' }).click();
    await alice.getByText('Password changed.', { exact: true }).waitFor({ timeout: 30_000 });

    await sidebar(alice).getByRole('button', { name: 'Log out' }).click();
    await alice.getByLabel('Username').fill('alice');
    await alice.getByLabel('Password').fill(PASSWORD_A);
    // The relay's 401 for the old password is logged by the browser itself; that one is expected.
    watcher.tolerateNetworkErrors('alice');
    await alice.getByRole('button', { name: 'Log in' }).click();
    await alice.getByText('Wrong username or password.').waitFor({ timeout: 30_000 });
    watcher.tolerateNetworkErrors('alice', false);
    await alice.getByLabel('Password').fill(newPassword);
    await alice.getByRole('button', { name: 'Log in' }).click();
    await chat(alice).waitFor({ timeout: 30_000 });

    await sidebar(alice).getByRole('button', { name: 'Log out' }).click();
    await alice.getByRole('link', { name: 'Use your recovery code' }).click();
    await alice.getByLabel('Username').fill('alice');
    await alice.getByLabel('Recovery code').fill(aliceRecoveryCode);
    await alice.getByLabel('New password').fill('cobalt meadow signal 58');
    await screenshot(alice, 'recover');
    await alice.getByRole('button', { name: 'Recover and log in' }).click();
    await chat(alice).waitFor({ timeout: 30_000 });
    // Same keys: the old DM still decrypts.
    await alice.goto(`${relay.url}/${dmHash}`);
    await messages(alice).getByText('Hi Bob, are you there?').waitFor({ timeout: 15_000 });
  });

  it('can be used from the keyboard: the login form and the sidebar', async () => {
    await sidebar(alice).getByRole('button', { name: 'Log out' }).click();
    await alice.getByRole('button', { name: 'Log in' }).waitFor();
    await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // Tab goes to the username, then the password, then the (now enabled) submit button.
    const toUser = await tabUntil(alice, (f) => f.name === 'Username');
    expect(toUser.map((f) => f.tag)).toEqual(['input']);
    await alice.keyboard.type('alice');
    await alice.keyboard.press('Tab');
    expect(await focused(alice)).toMatchObject({ tag: 'input', name: 'Password' });
    await alice.keyboard.type('cobalt meadow signal 58');
    await alice.keyboard.press('Tab');
    expect(await focused(alice)).toMatchObject({ tag: 'button', name: 'Log in' });
    await alice.keyboard.press('Enter');
    await chat(alice).waitFor({ timeout: 30_000 });

    // Bob was disabled: the sidebar names him once his lookup (outside the directory) answers.
    await sidebar(alice).getByRole('link', { name: /Bob/ }).waitFor();
    // Every sidebar entry is reached by Tab, in order, and Enter opens it.
    await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const path = await tabUntil(alice, (f) => f.inSidebar && f.name.startsWith('planning'));
    const names = path.filter((f) => f.inSidebar).map((f) => f.name.replace(/, \d+ unread$/, ''));
    expect(names.slice(-3)).toEqual(['Broadcast', 'New private channel', 'planning']);
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { name: '# planning' }).waitFor();
    expect(await focused(alice)).toMatchObject({ inSidebar: true, name: 'planning' });
    await tabUntil(alice, (f) => f.inSidebar && f.name === 'New direct message', 5);
    // The DM with Bob (disabled by now, so no longer in the directory, but still named).
    const dm = (await tabUntil(alice, (f) => f.inSidebar, 1)).at(-1);
    expect(dm?.tag).toBe('a');
    expect(dm?.name).toContain('Bob');
    await alice.keyboard.press('Enter');
    await alice.waitForURL((url) => url.hash === dmHash);
    await chat(alice).waitFor();
    await tabUntil(alice, (f) => f.inSidebar && f.name === 'Profile', 10);
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { name: 'Your profile' }).waitFor();
    // A button in the sidebar opens its dialog with Enter as well.
    await sidebar(alice).getByRole('button', { name: 'New direct message' }).focus();
    await alice.keyboard.press('Enter');
    await alice.getByRole('dialog', { name: 'New direct message' }).waitFor();
    await alice.keyboard.press('Escape');
    await expect.poll(() => alice.getByRole('dialog', { name: 'New direct message' }).count()).toBe(0);
  });

  it('logs out from anywhere and wipes the keys from the browser', async () => {
    await sidebar(alice).getByRole('button', { name: 'Log out' }).click();
    await alice.getByRole('button', { name: 'Log in' }).waitFor();
    const left = await alice.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const req = indexedDB.open('parley');
          req.onsuccess = () => {
            const db = req.result;
            const tx = db.transaction('vault', 'readonly');
            const keys = tx.objectStore('vault').getAllKeys();
            keys.onsuccess = () =>
              // Kept on purpose (not secret): the pins version and the KDF salt and params last seen.
              resolve(keys.result.filter((k) => !/^(pins-version|kdf):/.test(String(k))).length);
            keys.onerror = () => reject(keys.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    expect(left).toBe(0);
    await alice.reload();
    await alice.getByRole('button', { name: 'Log in' }).waitFor();
    await screenshot(alice, 'login');
    await alice.setViewportSize(PHONE);
    await alice.getByRole('link', { name: 'Create an account' }).click();
    await alice.getByLabel('Password', { exact: true }).fill('abc');
    await screenshot(alice, 'phone-register');
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(watcher.problems).toEqual([]);
  });
});
