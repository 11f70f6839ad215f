// Shared by the browser tests: the server's address and logins (set by `cargo xtask test`),
// one Chromium, and the steps every test takes.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const BASE = process.env.LIAISON_BASE_URL ?? 'http://127.0.0.1:3000';
export const OWNER = process.env.LIAISON_OWNER_EMAIL ?? 'owner@liaison.local';
export const AGENT = process.env.LIAISON_AGENT_EMAIL ?? 'agent@liaison.local';
export const PASSWORD = process.env.LIAISON_PASSWORD ?? 'liaison-demo';
export const WAIT = { timeout: 15_000 };

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      // A fake microphone that needs no prompt, for voice recordings.
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
});

after(async () => {
  await browser?.close();
});
/** A page that fails the test on any uncaught error in the browser. */
export async function newPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export async function signIn(page, email) {
  await signInTo(page, email, '/conversations');
  await page.waitForSelector('.conversations', WAIT);
}

/** Signs in from the sign-in page reached with `?next=path` (none: lands on the Overview). */
export async function signInTo(page, email, path) {
  await page.goto(path ? `${BASE}/login?next=${encodeURIComponent(path)}` : `${BASE}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

/** A new visitor's first message, sent through the widget API as a customer's own client would;
 * the answer, with the visitor's token. */
export async function startConversation(body) {
  const session = await (await fetch(`${BASE}/api/widget/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  })).json();
  const sent = await (await fetch(`${BASE}/api/widget/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ client_msg_id: 'first', body }),
  })).json();
  return { ...sent, token: session.token };
}

/**
 * Opens the widget on `page` (already on a page that embeds it) and sends `text` as the visitor
 * would, with Enter. Returns the message box.
 */
export async function sendFromWidget(page, text) {
  await page.click('#liaison-widget .launcher', WAIT);
  const input = page.locator('#liaison-widget input[aria-label=Message]');
  await input.fill(text);
  await input.press('Enter');
  return input;
}

/** Waits until the dashboard is hydrated (its buttons work). */
export async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated]', { state: 'attached', ...WAIT });
}

/**
 * Clicks an idempotent control until `expected` shows: content inside Suspense hydrates a moment
 * after the page, and a click before that does nothing.
 */
export async function clickUntil(page, control, expected) {
  const deadline = Date.now() + WAIT.timeout;
  while (Date.now() < deadline) {
    await page.click(control, WAIT);
    try {
      await page.locator(expected).first().waitFor({ timeout: 1000 });
      return;
    } catch {
      // not yet: click again
    }
  }
  throw new Error(`clicking ${control} never showed ${expected}`);
}

/**
 * Fills a field until `expected` shows: like `clickUntil`, for a form inside Suspense whose
 * input handlers attach a moment after the page hydrates (typed too early, nothing reacts).
 */
export async function fillUntil(page, field, value, expected) {
  const deadline = Date.now() + WAIT.timeout;
  while (Date.now() < deadline) {
    await page.fill(field, '', WAIT);
    await page.fill(field, value, WAIT);
    try {
      await page.locator(expected).first().waitFor({ timeout: 1000 });
      return;
    } catch {
      // not yet: type it again
    }
  }
  throw new Error(`filling ${field} never showed ${expected}`);
}

/** Waits until hydration has attached the live stream (the header says so). */
export async function waitLive(page) {
  await page.waitForSelector('.live-indicator:has-text("Live")', WAIT);
}


/** Polls `check` until it returns something truthy (within WAIT), and returns it. */
export async function until(check) {
  const deadline = Date.now() + WAIT.timeout;
  while (Date.now() < deadline) {
    const found = check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}
