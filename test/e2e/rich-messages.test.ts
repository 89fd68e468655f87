// Replies, edits, reactions, mentions and links in a real browser: Alice and Bob in Chromium
// against a real relay serving the built app under its strict CSP, in a private channel that a
// protocol client seeded with older history. Screenshots go to test-artifacts/screenshots/rich-*.
import { ready } from '@parley/crypto-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { makeUser, type TestUser } from '../support/users';
import {
  buildWebApp,
  chromiumAvailable,
  launchChromium,
  ProblemWatcher,
  SCREENSHOT_DIR,
  screenshot,
  unlabelledControls,
} from './browser';

const ORIGINAL = 'The launch checklist is in the shared folder.';
const OLD_REPLY = 'Still current: follow the checklist.';
const FILLERS = 70;

describe.skipIf(!chromiumAvailable())('rich messages in Chromium', () => {
  let relay: Relay;
  let browser: Browser;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;
  let aliceUser: TestUser;
  let bobUser: TestUser;
  let carolUser: TestUser;
  const watcher = new ProblemWatcher();

  beforeAll(async () => {
    await ready();
    await buildWebApp();
    relay = await startRelay({
      name: 'e2e-rich',
      env: { LOG_LEVEL: 'warn', SEND_RATE_PER_SEC: '1000', SEND_BURST: '1000' },
    });
    aliceUser = await makeUser(relay, 'alice', { displayName: 'Alice' });
    bobUser = await makeUser(relay, 'bob', { displayName: 'Bob' });
    carolUser = await makeUser(relay, 'carol', { displayName: 'Carol' });
    // Older history: an original, many messages, then a reply to the original. Carol joins just
    // after the original, so she never sees it.
    const group = await aliceUser.client.createGroup('launch');
    await aliceUser.client.invite(group.id, bobUser.id);
    const original = await aliceUser.client.send(group.id, ORIGINAL);
    await aliceUser.client.invite(group.id, carolUser.id);
    for (let i = 1; i <= FILLERS; i++) await aliceUser.client.send(group.id, `status update ${i}`);
    await aliceUser.client.reply(group.id, original.clientMsgId, OLD_REPLY);
    for (const u of [aliceUser, bobUser, carolUser]) u.client.lock();

    browser = await launchChromium();
    aliceCtx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    bobCtx = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'dark' });
    await watcher.attach(aliceCtx, 'alice');
    await watcher.attach(bobCtx, 'bob');
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
    await logIn(alice, aliceUser);
    await logIn(bob, bobUser);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    for (const [label, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      await page?.screenshot({ path: `${SCREENSHOT_DIR}/failed-rich-${slug}-${label}.png` }).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  async function logIn(page: Page, user: TestUser) {
    await page.goto(`${relay.url}/#/login`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('region', { name: /^Conversation:/ }).waitFor({ timeout: 30_000 });
  }

  const messages = (page: Page) => page.getByLabel(/^Messages in /);
  const composer = (page: Page) => page.locator('#composer-input');
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Channels and direct messages' });
  /** The message whose own text (not a quote of another) contains `text`. */
  const row = (page: Page, text: string) =>
    messages(page)
      .getByRole('article')
      .filter({ has: page.locator('.msg-body', { hasText: text }) });

  async function openLaunch(page: Page) {
    await nav(page)
      .getByRole('link', { name: /^launch/ })
      .click();
    await page.getByRole('region', { name: 'Conversation: launch' }).waitFor();
  }

  async function send(page: Page, text: string) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
    await expect.poll(() => composer(page).inputValue()).toBe('');
  }

  /** Whether the element lies inside the visible part of the message list. */
  async function inView(page: Page, text: string) {
    const list = await page.locator('.vlist').boundingBox();
    const box = await row(page, text).first().boundingBox();
    return !!list && !!box && box.y >= list.y && box.y + box.height <= list.y + list.height;
  }

  it('jumps from a reply to its original, paging older history in', async () => {
    await openLaunch(bob);
    const reply = row(bob, OLD_REPLY);
    await reply.waitFor({ timeout: 20_000 });
    // The original is 70 messages back: not loaded yet, so the quote offers to show it.
    const quote = reply.getByRole('button', { name: /earlier message|original message from Alice/ });
    await quote.waitFor();
    await screenshot(bob, 'rich-reply-unloaded-quote');
    await quote.click();
    const original = row(bob, ORIGINAL);
    await original.waitFor({ timeout: 20_000 });
    await expect.poll(() => original.getAttribute('class')).toContain('highlight');
    await expect.poll(() => inView(bob, ORIGINAL)).toBe(true);
    await screenshot(bob, 'rich-reply-jumped');
    // Once loaded, the quote names the sender and how the original began.
    await messages(bob).evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await reply
      .getByRole('button', { name: `Show the original message from Alice: ${ORIGINAL}` })
      .waitFor({ timeout: 10_000 });
  });

  it('replies from the message menu; the other side sees the quote and jumps to the original', async () => {
    await openLaunch(alice);
    await messages(bob).evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const target = row(bob, OLD_REPLY);
    await target.hover();
    await target.getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.getByTestId('composer-context').getByText('Replying to Alice').waitFor();
    await composer(bob).fill('On it, checking now.');
    await screenshot(bob, 'rich-reply-composing');
    await composer(bob).press('Enter');
    expect(await bob.getByTestId('composer-context').count()).toBe(0);

    const received = row(alice, 'On it, checking now.');
    await received.waitFor({ timeout: 15_000 });
    const quote = received.getByRole('button', {
      name: `Show the original message from Alice: ${OLD_REPLY}`,
    });
    await quote.waitFor();
    await screenshot(alice, 'rich-reply-received');
    await quote.click();
    await expect.poll(() => row(alice, OLD_REPLY).first().getAttribute('class')).toContain('highlight');
  });

  it('edits a message: the other side sees the new text, marked edited, with its history', async () => {
    await send(alice, 'Deploy at 5pm');
    await row(bob, 'Deploy at 5pm').waitFor({ timeout: 15_000 });
    const mine = row(alice, 'Deploy at 5pm');
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    await alice.getByTestId('composer-context').getByText('Editing your message').waitFor();
    await expect.poll(() => composer(alice).inputValue()).toBe('Deploy at 5pm');
    await composer(alice).fill('Deploy at 6pm, after the review');
    await screenshot(alice, 'rich-edit-composing');
    await alice.getByRole('button', { name: 'Save' }).click();

    const edited = row(bob, 'Deploy at 6pm, after the review');
    await edited.waitFor({ timeout: 15_000 });
    expect(await row(bob, 'Deploy at 5pm').count()).toBe(0);
    await edited.getByRole('button', { name: 'Edited: show the edit history' }).click();
    const dialog = bob.getByRole('dialog', { name: 'Edit history' });
    await dialog.waitFor();
    const versions = await dialog.getByTestId('edit-history').locator('.edit-version-text').allTextContents();
    expect(versions).toEqual(['Deploy at 5pm', 'Deploy at 6pm, after the review']);
    await screenshot(bob, 'rich-edit-history');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('reacts and un-reacts, with counts and who reacted on hover', async () => {
    const text = 'Deploy at 6pm, after the review';
    const atBob = row(bob, text);
    await atBob.hover();
    await atBob.getByRole('button', { name: 'React' }).click();
    await atBob.getByRole('button', { name: 'React with 👍' }).waitFor();
    await screenshot(bob, 'rich-reaction-picker');
    await atBob.getByRole('button', { name: 'React with 👍' }).click();

    const atAlice = row(alice, text);
    await atAlice.getByRole('button', { name: /^👍 1: Bob\. Add yours$/ }).waitFor({ timeout: 15_000 });
    await atAlice.hover();
    await atAlice.getByRole('button', { name: 'React' }).click();
    await atAlice.getByRole('button', { name: 'React with 👍' }).click();
    const both = atAlice.getByRole('button', { name: /^👍 2: Bob, You\. Remove yours$/ });
    await both.waitFor({ timeout: 15_000 });
    expect(await both.getAttribute('aria-pressed')).toBe('true');
    await atAlice.getByRole('button', { name: 'React' }).click();
    await atAlice.getByRole('button', { name: 'React with 🎉' }).click();
    await atAlice.getByRole('button', { name: /^🎉 1: You/ }).waitFor({ timeout: 15_000 });
    await both.hover();
    await expect.poll(() => atAlice.locator('.reaction-who').first().isVisible()).toBe(true);
    expect(await atAlice.locator('.reaction-who').first().textContent()).toBe('Bob, You');
    await screenshot(alice, 'rich-reactions-who');

    // Bob takes his back: a click on his chip.
    await atBob.getByRole('button', { name: /^👍 2: You, Alice\. Remove yours$/ }).click();
    await atAlice.getByRole('button', { name: /^👍 1: You\. Remove yours$/ }).waitFor({ timeout: 15_000 });
    await atBob.getByRole('button', { name: /^👍 1: Alice\. Add yours$/ }).waitFor();
    await screenshot(bob, 'rich-unreacted');
    // Reactions are no rows: the conversation shows no entry for them.
    expect(await messages(alice).locator('.system-entry').filter({ hasText: '👍' }).count()).toBe(0);
  });

  it('completes @name, highlights the mention, and counts it in the sidebar', async () => {
    await nav(alice)
      .getByRole('link', { name: /^Broadcast/ })
      .click();
    await alice.getByRole('region', { name: 'Conversation: Broadcast' }).waitFor();

    await composer(bob).fill('');
    await composer(bob).pressSequentially('@al');
    const option = bob.getByRole('option', { name: /Alice/ });
    await option.waitFor();
    await screenshot(bob, 'rich-mention-autocomplete');
    await composer(bob).press('Enter');
    await expect.poll(() => composer(bob).inputValue()).toBe(`@${aliceUser.username} `);
    await composer(bob).pressSequentially('can you sign off the release?');
    await composer(bob).press('Enter');

    const link = nav(alice).getByRole('link', { name: 'launch, 1 unread, 1 mention of you' });
    await link.waitFor({ timeout: 15_000 });
    await nav(alice).getByTestId('mention-badge').waitFor();
    await screenshot(alice, 'rich-mention-badge');
    await link.click();
    const mention = row(alice, 'can you sign off the release?');
    await mention.waitFor();
    expect(await mention.getAttribute('class')).toContain('mentioned');
    expect(await mention.locator('.mention-me').textContent()).toBe(`@${aliceUser.username}`);
    await nav(alice).getByRole('link', { name: 'launch' }).waitFor();
    await screenshot(alice, 'rich-mention-highlight');
    // Bob sees his own message without the highlight.
    expect(await row(bob, 'can you sign off the release?').getAttribute('class')).not.toContain('mentioned');
  });

  it('makes links clickable, opened in a new page with no opener, and leaves javascript: as text', async () => {
    const url = `${relay.url}/favicon.svg?from=chat`;
    await send(bob, `Logo: ${url} (not javascript:alert(document.cookie))`);
    const msg = row(alice, 'Logo:');
    await msg.waitFor({ timeout: 15_000 });
    const anchors = msg.locator('.msg-body a');
    expect(await anchors.count()).toBe(1);
    const a = anchors.first();
    expect(await a.getAttribute('href')).toBe(url);
    expect(await a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await a.getAttribute('target')).toBe('_blank');
    expect(await msg.locator('.msg-body').textContent()).toContain('javascript:alert(document.cookie)');
    await screenshot(alice, 'rich-links');

    const [opened] = await Promise.all([aliceCtx.waitForEvent('page'), a.click()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(url);
    expect(await opened.evaluate(() => window.opener)).toBeNull();
    expect(await opened.evaluate(() => document.referrer)).toBe('');
    await screenshot(opened, 'rich-link-opened');
    await opened.close();
    expect(await unlabelledControls(alice)).toEqual([]);
  });

  it('says so when a reply’s original was deleted', async () => {
    const logo = row(alice, 'Logo:');
    await logo.hover();
    await logo.getByRole('button', { name: 'Reply', exact: true }).click();
    await send(alice, 'Nice logo');
    const atBob = row(bob, 'Nice logo');
    await atBob.getByRole('button', { name: /^Show the original message from Bob: Logo:/ }).waitFor({
      timeout: 15_000,
    });
    const original = row(bob, 'Logo:');
    await original.hover();
    await original.getByRole('button', { name: 'Delete message' }).click();
    await bob
      .getByRole('dialog', { name: 'Delete message?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row(alice, 'Nice logo').getByText('Reply to a message Bob deleted.').waitFor({ timeout: 15_000 });
    await screenshot(alice, 'rich-reply-to-deleted');
  });

  it('on a touch phone: a tap opens the menu, a long press shows who reacted, an unseen original says so', async () => {
    const phoneCtx = await browser.newContext({
      viewport: { width: 375, height: 760 },
      hasTouch: true,
      isMobile: true,
    });
    try {
      await watcher.attach(phoneCtx, 'carol-phone');
      const phone = await phoneCtx.newPage();
      // Carol, who joined after the original of the old reply.
      await logIn(phone, carolUser);
      await phone.getByRole('button', { name: 'Open navigation' }).click();
      await openLaunch(phone);
      const text = 'Deploy at 6pm, after the review';
      const msg = row(phone, text);
      await msg.waitFor({ timeout: 20_000 });
      const menu = msg.getByRole('toolbar', { name: 'Message actions' });
      expect(await menu.evaluate((el) => getComputedStyle(el).opacity)).toBe('0');
      await msg.locator('.msg-body').tap();
      await expect.poll(() => menu.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
      await screenshot(phone, 'rich-phone-menu');

      // A long press on a reaction shows who, and does not toggle it.
      const chip = msg.getByRole('button', { name: /^👍 1: Alice\. Add yours$/ });
      await chip.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
      await phone.waitForTimeout(700);
      await chip.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true });
      await chip.dispatchEvent('click');
      const who = msg.locator('.reaction.show-who .reaction-who');
      await who.waitFor();
      expect(await who.textContent()).toBe('Alice');
      await screenshot(phone, 'rich-phone-long-press');
      await phone.waitForTimeout(500);
      expect(await chip.getAttribute('aria-pressed')).toBe('false');
      expect(
        await row(alice, text)
          .getByRole('button', { name: /^👍 1: You/ })
          .count(),
      ).toBe(1);

      // The old reply's original is from before Carol joined: once all she can see is paged in,
      // the quote says she cannot see it.
      const old = row(phone, OLD_REPLY);
      await old.scrollIntoViewIfNeeded();
      await old.getByRole('button', { name: /earlier message/ }).click();
      await old
        .getByText('Reply to a message you cannot see: it was deleted, or sent before you joined.')
        .waitFor({ timeout: 20_000 });
      await screenshot(phone, 'rich-phone-reply-unseen');
    } finally {
      await phoneCtx.close();
    }
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(watcher.problems).toEqual([]);
  });
});
