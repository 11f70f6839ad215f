// The widget's pre-chat form in a browser: an Admin turns it on in Settings, a visitor fills it
// in before the first message, and the operator sees the name on the row and in Capture Lead.
// The form is turned off again at the end (the server is shared with the other browser tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, OWNER, WAIT, clickUntil, fillUntil, hydrated, newPage, signIn, waitLive, sendFromWidget } from './helpers.mjs';

async function setPrechat(page, name, email, phone) {
  await page.goto(`${BASE}/settings`);
  await hydrated(page);
  const form = page.locator('form.prechat-settings');
  await form.locator('select[name=name]').selectOption(name);
  await form.locator('select[name=email]').selectOption(email);
  await form.locator('select[name=phone]').selectOption(phone);
  await form.locator('button[type=submit]').click();
  await page.locator('.notice', { hasText: 'Pre-chat form saved.' }).waitFor(WAIT);
}

test('the pre-chat form: asked first, then the name on the row and in Capture Lead', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await setPrechat(owner, 'required', 'optional', 'off');
  try {
    const visitor = await newPage();
    await visitor.goto(`${BASE}/demo`);
    await visitor.click('#liaison-widget .launcher', WAIT);
    const prechat = visitor.locator('#liaison-widget form.prechat');
    await prechat.waitFor({ state: 'visible', ...WAIT });
    assert.equal(await visitor.locator('#liaison-widget input[aria-label=Message]').isVisible(), false,
      'no message box before the form');
    assert.equal(await prechat.locator('input[name=phone]').count(), 0, 'the phone is not asked');
    await prechat.locator('input[name=name]').fill('Zoë Tester');
    await prechat.locator('input[name=email]').fill('zoe.tester@example.com');
    await prechat.locator('button[type=submit]').click();
    await visitor.locator('#liaison-widget .hint', { hasText: 'Thanks! How can we help?' }).waitFor(WAIT);
    await prechat.waitFor({ state: 'hidden', ...WAIT });
    const input = visitor.locator('#liaison-widget input[aria-label=Message]');
    await input.fill('I need a human agent');
    await input.press('Enter');
    await visitor.locator('#liaison-widget .msg.system, #liaison-widget .msg.ai').first().waitFor(WAIT);

    const token = await visitor.evaluate(() => localStorage.getItem('liaison.visitor'));
    const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
      headers: { authorization: `Bearer ${token}` },
    })).json();
    const id = view.conversation.id;
    await owner.goto(`${BASE}/conversations?c=${id}`);
    await hydrated(owner);
    await waitLive(owner);
    await owner.locator(`.conversation-row[data-conversation="${id}"]`, { hasText: 'Zoë Tester' }).waitFor(WAIT);
    await owner.locator(`article.detail[data-conversation="${id}"]`).waitFor(WAIT);
    await clickUntil(owner, 'button.capture-lead:has-text("Capture Lead")', '.lead-form');
    await owner.waitForFunction(
      () => document.querySelector('.lead-form input[name=email]')?.value === 'zoe.tester@example.com',
      null, WAIT);
    assert.equal(await owner.locator('.lead-form input[name=name]').inputValue(), 'Zoë Tester');
    assert.deepEqual(visitor.errors, []);
  } finally {
    await setPrechat(owner, 'off', 'off', 'off');
  }
  assert.deepEqual(owner.errors, []);
});

test('a French browser gets the widget in French, and the AI hands over in French', async () => {
  const visitor = await newPage({ locale: 'fr-FR' });
  await visitor.goto(`${BASE}/demo`);
  await visitor.click('#liaison-widget .launcher', WAIT);
  await visitor.locator('#liaison-widget button.human', { hasText: 'Parler à un humain' }).waitFor(WAIT);
  const input = visitor.locator('#liaison-widget input[aria-label=Message]');
  assert.equal(await input.getAttribute('placeholder'), 'Écrivez votre message…');
  assert.equal(await visitor.locator('#liaison-widget form.compose button[type=submit]').textContent(), 'Envoyer');
  // Every control of the panel says what it is, by its text or its label: none is left blank.
  const unnamed = await visitor.evaluate(() => [
    ...document.getElementById('liaison-widget').shadowRoot.querySelectorAll('button, input:not([type=file])'),
  ].filter((e) => !(e.textContent.trim() || e.getAttribute('aria-label'))).map((e) => e.outerHTML));
  assert.deepEqual(unnamed, []);
  // "agent" says nothing of its language: the widget's decides.
  await input.fill('agent');
  await input.press('Enter');
  await visitor.locator('#liaison-widget .msg', { hasText: 'Bien sûr' }).waitFor(WAIT);
  await visitor.locator('#liaison-widget .msg .who', { hasText: 'Assistant IA' }).first().waitFor(WAIT);
  assert.deepEqual(visitor.errors, []);
});

test('the widget menu: a new conversation after a resolution, and a past one read again', async () => {
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  await visitor.click('#liaison-widget .launcher', WAIT);
  const w = (sel, options) => visitor.locator(`#liaison-widget ${sel}`, options);
  const input = w('input[aria-label=Message]');
  await input.fill('Do you ship to Canada?');
  await input.press('Enter');
  await w('.msg.ai').first().waitFor(WAIT);
  await input.fill('Thanks, that helps!');
  await input.press('Enter');
  await w('.resolved').waitFor({ state: 'visible', ...WAIT });

  await w('.menu-button').click();
  assert.equal(await w('.menu .new-chat').isDisabled(), false, 'a resolved conversation is closed');
  await w('.menu .new-chat').click();
  await w('.hint', { hasText: 'New conversation. How can we help?' }).waitFor(WAIT);
  await input.fill('How do I reset my password?');
  await input.press('Enter');
  await w('.msg.ai', { hasText: 'Forgot password' }).waitFor(WAIT);

  await w('.menu-button').click();
  assert.equal(await w('.menu .new-chat').isDisabled(), true, 'one open conversation at a time');
  await w('.menu .past-item').click();
  const rows = w('.past-row');
  await rows.nth(1).waitFor(WAIT);
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /Open/);
  assert.match(await rows.nth(1).innerText(), /Resolved/);
  await rows.nth(1).click();
  await w('.past-thread .msg', { hasText: 'Do you ship to Canada?' }).waitFor(WAIT);
  await w('.past-thread .closed-note').waitFor(WAIT);
  assert.equal(await input.isVisible(), false, 'a resolved conversation is read-only');
  await w('.past .back').click();
  await input.waitFor({ state: 'visible', ...WAIT });
  await w('.msg', { hasText: 'How do I reset my password?' }).waitFor(WAIT);
  assert.deepEqual(visitor.errors, []);
});

async function saveLook(page, colour, title, position) {
  await page.goto(`${BASE}/settings`);
  await hydrated(page);
  const form = page.locator('form.widget-settings');
  await form.locator('input[name=colour]').fill(colour);
  await form.locator('input[name=title]').fill(title);
  await form.locator('select[name=position]').selectOption(position);
  await form.locator('button[type=submit]').click();
  await page.locator('.notice', { hasText: 'Widget saved.' }).waitFor(WAIT);
}

test('Settings → Widget: a live preview, the embed snippet, and the look on the site', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await owner.goto(`${BASE}/settings`);
  await hydrated(owner);
  // The preview follows the form as it is edited, before anything is saved.
  await fillUntil(owner, 'form.widget-settings input[name=title]', 'Acme help',
    '.widget-preview .preview-header:has-text("Acme help")');
  await owner.locator('form.widget-settings select[name=position]').selectOption('left');
  await owner.locator('.widget-preview.left').waitFor(WAIT);
  const snippet = await owner.locator('.embed-snippet textarea').inputValue();
  assert.match(snippet, /<script type="module" src="http:\/\/[^"]+\/widget\/liaison\.js" data-liaison-url="http:\/\/[^"]+"><\/script>/);
  try {
    await saveLook(owner, '#0f766e', 'Acme help', 'left');
    const visitor = await newPage();
    await visitor.goto(`${BASE}/demo`);
    const launcher = visitor.locator('#liaison-widget .launcher');
    await launcher.waitFor(WAIT);
    // The look is cached by browsers for a minute; this is a fresh browser.
    const style = await launcher.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, left: s.left };
    });
    assert.equal(style.background, 'rgb(15, 118, 110)');
    assert.equal(style.left, '20px');
    await launcher.click();
    await visitor.locator('#liaison-widget header .title', { hasText: 'Acme help' }).waitFor(WAIT);
    assert.deepEqual(visitor.errors, []);
  } finally {
    await saveLook(owner, '#4f46e5', '', 'right');
  }
  assert.deepEqual(owner.errors, []);
});

async function setBusinessHours(page, enabled, hours) {
  await page.goto(`${BASE}/settings`);
  await hydrated(page);
  const form = page.locator('form.business-hours');
  const box = form.locator('input[name="form[enabled]"]');
  if ((await box.isChecked()) !== enabled) await box.click();
  await form.locator('input[name="form[time_zone]"]').fill('UTC');
  for (const day of ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']) {
    await form.locator(`input[name="form[week][${day}]"]`).fill(hours);
  }
  await form.locator('button[type=submit]').click();
  await page.locator('.notice', { hasText: 'Business hours saved.' }).waitFor(WAIT);
}

test('outside business hours the widget says the team is away and takes a message with an email address', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await setBusinessHours(owner, true, '');
  try {
    const visitor = await newPage();
    await visitor.goto(`${BASE}/demo`);
    await visitor.click('#liaison-widget .launcher', WAIT);
    await visitor.locator('#liaison-widget .hint', { hasText: 'Our team is away right now' }).waitFor(WAIT);
    const human = visitor.locator('#liaison-widget header button.human');
    await human.filter({ hasText: 'Leave a message' }).waitFor(WAIT);
    await human.click();
    // The team replies later, so the widget asks where: a wrong address is refused by the
    // browser's own check, a good one leaves the message.
    const form = visitor.locator('#liaison-widget form.prechat');
    await form.locator('p', { hasText: 'Leave your email address' }).waitFor(WAIT);
    const email = form.locator('input[name=email]');
    await email.fill('not an address');
    await form.locator('button[type=submit]', { hasText: 'Leave a message' }).click();
    assert.equal(await email.evaluate((i) => i.validity.valid), false);
    await email.fill('visitor@example.com');
    await form.locator('button[type=submit]').click();
    await human.filter({ hasText: 'Message left for the team' }).waitFor(WAIT);
    await visitor.locator('#liaison-widget .msg', { hasText: 'reply by email' }).waitFor(WAIT);
    assert.equal(await form.isHidden(), true);
    const input = visitor.locator('#liaison-widget input[aria-label=Message]');
    await input.fill('My order never arrived');
    await input.press('Enter');
    await visitor.locator('#liaison-widget .msg', { hasText: 'My order never arrived' }).waitFor(WAIT);
    assert.deepEqual(visitor.errors, []);
  } finally {
    await setBusinessHours(owner, false, '09:00-17:00');
  }
  assert.deepEqual(owner.errors, []);
});

test('a new visitor gets the launcher at once and the chat only when they reach for it', async () => {
  const visitor = await newPage();
  const core = [];
  visitor.on('request', (r) => { if (r.url().includes('/widget/liaison-core')) core.push(r.url()); });
  await visitor.goto(`${BASE}/demo`);
  const launcher = visitor.locator('#liaison-widget .launcher');
  await launcher.waitFor(WAIT);
  assert.equal(await launcher.getAttribute('aria-label'), 'Open chat');
  await visitor.waitForLoadState('networkidle');
  assert.deepEqual(core, [], 'a page view alone does not download the chat');
  // The pointer over the launcher starts the download; the click opens the chat.
  const wasm = visitor.waitForRequest((r) => r.url().includes('/widget/liaison-core_bg'), WAIT);
  await launcher.hover();
  await wasm;
  await launcher.click();
  await visitor.locator('#liaison-widget .panel:not([hidden])').waitFor(WAIT);
  const input = visitor.locator('#liaison-widget input[aria-label=Message]');
  await input.fill('Hello there');
  await input.press('Enter');
  await visitor.locator('#liaison-widget .msg.customer', { hasText: 'Hello there' }).waitFor(WAIT);
  // The bubble shows at once; the chat remembers the visitor has one when the server's copy
  // comes back (on a busy server, after the bubble): wait for that, as a visitor's next page
  // view would come after it.
  await visitor.waitForFunction(() => localStorage.getItem('liaison.seen'), null, WAIT);
  // Having chatted, the next page loads it at once (replies and the unread count arrive): the
  // panel, which only the core builds, is there without reaching for the launcher. (The wasm
  // may come from the browser's cache, so no request is awaited.) The pointer is moved away
  // first, so nothing reaches for the launcher.
  await visitor.mouse.move(1, 1);
  await visitor.reload();
  await visitor.locator('#liaison-widget .panel').waitFor({ state: 'attached', ...WAIT });
  await visitor.locator('#liaison-widget .msg.customer', { hasText: 'Hello there' })
    .waitFor({ state: 'attached', ...WAIT });
  assert.deepEqual(visitor.errors, []);
});

test('a message the widget could not send is kept, marked, and sent once with a click', async () => {
  const visitor = await newPage();
  // The browser's clock is the test's: the widget's six tries (0.4 s, doubling) pass at once.
  await visitor.clock.install();
  let offline = true;
  let tries = 0;
  await visitor.route('**/api/widget/v1/messages', (route) => {
    if (!offline) return route.continue();
    tries += 1;
    return route.abort();
  });
  await visitor.goto(`${BASE}/demo`);
  await sendFromWidget(visitor, 'Do you ship to Iceland?');
  const failed = visitor.locator('#liaison-widget .msg.customer.failed', { hasText: 'Do you ship to Iceland?' });
  for (let i = 0; i < 40 && !(await failed.count()); i += 1) {
    await visitor.clock.fastForward(2_000);
    await visitor.waitForTimeout(50);
  }
  await failed.waitFor(WAIT);
  // Six attempts at most; one made before the visitor's session is ready sends no request.
  assert.ok(tries >= 1 && tries <= 6, `${tries} requests before the widget gives up`);
  assert.equal(await failed.getAttribute('title'), 'Not sent — click to retry.');
  offline = false;
  await failed.click();
  await visitor.locator('#liaison-widget .msg.customer:not(.failed):not(.pending)', { hasText: 'Do you ship to Iceland?' })
    .waitFor(WAIT);
  const token = await visitor.evaluate(() => localStorage.getItem('liaison.visitor'));
  const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
    headers: { authorization: `Bearer ${token}` },
  })).json();
  const sent = view.conversation.messages.filter((m) => m.body === 'Do you ship to Iceland?');
  assert.equal(sent.length, 1, 'stored once');
  assert.deepEqual(visitor.errors, []);
});
