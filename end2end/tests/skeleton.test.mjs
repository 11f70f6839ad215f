// One conversation end to end: a visitor on /demo, two operators in the dashboard.
// Run by `cargo xtask test`, which starts the server and sets the environment below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { AGENT, BASE, OWNER, WAIT, clickUntil, hydrated, newPage, signIn, startConversation, waitLive, sendFromWidget } from './helpers.mjs';

test('visitor, AI answer, handover, join, lock, reply, resolve', async () => {
  // The operator opens the Needs agent queue first: the conversation must arrive live.
  const alice = await newPage();
  await signIn(alice, OWNER);
  await alice.goto(`${BASE}/conversations?status=needs_agent`);
  await waitLive(alice);
  const before = Number(await alice.textContent('[data-testid=needs-agent-count]'));

  // The visitor, on a page that embeds the widget with one tag.
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  const input = await sendFromWidget(visitor, 'How do I reset my password?');
  const answer = visitor.locator('#liaison-widget .msg.ai', { hasText: 'Forgot password' });
  await answer.waitFor(WAIT);
  assert.match(await answer.locator('.sources').textContent(), /Account and password help/);
  assert.equal(await answer.locator('.who').textContent(), 'AI Assistant');

  // Asking for a human hands over.
  await input.fill('Can I talk to a human?');
  await input.press('Enter');
  await visitor.locator('#liaison-widget .msg.ai', { hasText: 'human will reply' }).waitFor(WAIT);
  await visitor.locator('#liaison-widget button.human:disabled', { hasText: 'A human is on the way' })
    .waitFor(WAIT);

  // Which conversation is the visitor's? Ask the widget API with the widget's own token.
  const token = await visitor.evaluate(() => localStorage.getItem('liaison.visitor'));
  const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
    headers: { authorization: `Bearer ${token}` },
  })).json();
  assert.equal(view.conversation.status, 'needs_agent');

  // Alice sees it under Needs agent without reloading, with the badge counting it.
  const row = alice.locator(`.conversation-row[data-conversation="${view.conversation.id}"]`);
  await row.waitFor(WAIT);
  await alice.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=needs-agent-count]')?.textContent) === n + 1,
    before, WAIT);
  await row.locator('a').click();
  await alice.locator('.metadata', { hasText: 'Chrome' }).waitFor(WAIT);
  await clickUntil(alice, 'button:has-text("Join session")', 'text=Live — you are in this session');

  // Sam, a second operator, sees it locked and cannot type.
  const sam = await newPage();
  await signIn(sam, AGENT);
  const conversationUrl = alice.url();
  await sam.goto(conversationUrl);
  await hydrated(sam);
  await sam.locator('text=Locked by another agent').waitFor(WAIT);
  assert.equal(await sam.locator('button:has-text("Join session")').count(), 0);
  assert.equal(await sam.locator('.composer textarea').isDisabled(), true);

  // The visitor closes the panel; Alice replies with Enter; a count on the launcher tells the
  // visitor, who opens the panel and sees the reply labelled "Support Agent".
  await visitor.click('#liaison-widget button.close');
  const composer = alice.locator('.composer textarea');
  await alice.waitForFunction(() => !document.querySelector('.composer textarea').disabled, null, WAIT);
  await composer.fill('Hi, I am Alice from support. How can I help?');
  await composer.press('Enter');
  await visitor.locator('#liaison-widget .launcher.unread').waitFor(WAIT);
  // The launcher counts the replies not seen yet.
  assert.equal(await visitor.locator('#liaison-widget .launcher').getAttribute('data-unread'), '1');
  await visitor.click('#liaison-widget .launcher');
  assert.equal(await visitor.locator('#liaison-widget .launcher.unread').count(), 0);
  const reply = visitor.locator('#liaison-widget .msg.agent', { hasText: 'Alice from support' });
  await reply.waitFor(WAIT);
  assert.equal(await reply.locator('.who').textContent(), 'Support Agent');

  // Alice resolves; the visitor is told and offered a new conversation.
  await alice.click('button:has-text("Resolve")');
  await visitor.locator('#liaison-widget .resolved', { hasText: 'This conversation has been resolved.' }).waitFor(WAIT);
  const restart = visitor.locator('#liaison-widget button:has-text("Start a new conversation")');
  await restart.waitFor({ state: 'visible', ...WAIT });
  await restart.click();
  await input.fill('One more question: do you ship to Canada?');
  await input.press('Enter');
  await visitor.locator('#liaison-widget .msg.ai', { hasText: 'Canada' }).waitFor(WAIT);

  // Sam signs out: back to the sign-in page, told so, and the dashboard is closed to him.
  await sam.click('button:has-text("Sign out")');
  await sam.locator('text=You have been signed out.').waitFor(WAIT);
  await sam.goto(`${BASE}/conversations`);
  await sam.waitForURL(/\/login/, WAIT);

  for (const page of [alice, sam, visitor]) {
    assert.deepEqual(page.errors, [], `uncaught errors on ${page.url()}`);
  }
});

test('the visitor keeps the conversation across a reload', async () => {
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  await sendFromWidget(visitor, 'What are your opening hours?');
  await visitor.locator('#liaison-widget .msg.ai', { hasText: 'Monday to Friday' }).waitFor(WAIT);
  await visitor.reload();
  await visitor.click('#liaison-widget .launcher', WAIT);
  await visitor.locator('#liaison-widget .msg.ai', { hasText: 'Monday to Friday' }).waitFor(WAIT);
  assert.equal(await visitor.locator('#liaison-widget .msg.customer').count(), 1);
  assert.deepEqual(visitor.errors, []);
});

test('the widget works embedded on another origin, untouched by its styles', async () => {
  // A customer's site: its own server and origin, with CSS that would wreck an unisolated widget.
  const html = `<!DOCTYPE html><html><head><style>
      * { color: red !important; font-size: 40px !important; font-family: serif !important; }
      button { display: none !important; }
    </style></head><body><h1>Shop</h1>
    <script type="module" src="${BASE}/widget/liaison.js" data-liaison-url="${BASE}"></script>
    </body></html>`;
  const shop = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise((resolve) => shop.listen(0, '127.0.0.1', resolve));
  try {
    const page = await newPage();
    // localhost, not 127.0.0.1: another origin than the Liaison server's.
    await page.goto(`http://localhost:${shop.address().port}/products`);
    await sendFromWidget(page, 'How long does express delivery take?');
    const answer = page.locator('#liaison-widget .msg.ai', { hasText: 'working days' });
    await answer.waitFor(WAIT);
    const style = await answer.evaluate((el) => {
      const s = getComputedStyle(el);
      return { size: s.fontSize, color: s.color };
    });
    assert.equal(style.size, '14px');
    assert.notEqual(style.color, 'rgb(255, 0, 0)');
    assert.deepEqual(page.errors, []);
  } finally {
    shop.close();
  }
});

test('time since last activity moves on without events', async () => {
  const sent = await startConversation('What are your opening hours?');
  const page = await newPage();
  await page.clock.install();
  await signIn(page, OWNER);
  await waitLive(page);
  const ago = page.locator(`.conversation-row[data-conversation="${sent.message.conversation_id}"] .ago`);
  await ago.waitFor(WAIT);
  assert.equal(await ago.textContent(), 'just now');
  await page.clock.fastForward('05:00');
  await page.waitForFunction(
    (id) => document.querySelector(`.conversation-row[data-conversation="${id}"] .ago`)?.textContent === '5m',
    sent.message.conversation_id, WAIT);
  assert.deepEqual(page.errors, []);
});

test("an operator's refused reply keeps its text", async () => {
  const sent = await startConversation('I need a human');
  const url = `${BASE}/conversations?c=${sent.message.conversation_id}`;

  // Alice's page gets no live updates, so it cannot know what happens next.
  const alice = await newPage();
  await alice.route('**/api/dashboard/v1/stream**', (route) => route.abort());
  await signIn(alice, OWNER);
  await alice.goto(url);
  await hydrated(alice);
  await clickUntil(alice, 'button:has-text("Join session")', 'text=Live — you are in this session');

  // Sam resolves it meanwhile.
  const sam = await newPage();
  await signIn(sam, AGENT);
  await sam.goto(url);
  await hydrated(sam);
  await clickUntil(sam, 'button:has-text("Resolve")', '.detail .status-resolved');

  const composer = alice.locator('.composer textarea');
  await alice.waitForFunction(() => !document.querySelector('.composer textarea').disabled, null, WAIT);
  await composer.fill('Are you still there?');
  await composer.press('Enter');
  await alice.locator('.error', { hasText: 'resolved' }).waitFor(WAIT);
  assert.equal(await composer.inputValue(), 'Are you still there?');
  assert.deepEqual([...alice.errors, ...sam.errors], []);
});
