// The conversation panel in a browser: emoji, an image (thumbnail and viewer), a file and a voice
// recording (Chromium's fake microphone) that the visitor can read back; Transfer and Delegate
// (reject, then accept) between two operators; Needs-agent toasts (five at most, gone after
// twelve seconds on a fake clock, a click opens the conversation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT, BASE, OWNER, WAIT, clickUntil, hydrated, newPage, signIn, waitLive,
} from './helpers.mjs';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64');
const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'latin1');

/** A visitor who asked for a human: their token and conversation id. */
async function waitingVisitor() {
  const session = await (await fetch(`${BASE}/api/widget/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  })).json();
  const r = await (await fetch(`${BASE}/api/widget/v1/escalate`, {
    method: 'POST', headers: { authorization: `Bearer ${session.token}` },
  })).json();
  return { token: session.token, id: r.conversation_id };
}

async function visitorView(token) {
  return (await fetch(`${BASE}/api/widget/v1/conversation`, {
    headers: { authorization: `Bearer ${token}` },
  })).json();
}

async function openConversation(email, id, setup) {
  const page = await newPage();
  if (setup) await setup(page);
  await signIn(page, email);
  await page.goto(`${BASE}/conversations?c=${id}`);
  await hydrated(page);
  await waitLive(page);
  await page.locator(`article.detail[data-conversation="${id}"]`).waitFor(WAIT);
  return page;
}

test('an operator sends emoji, an image, a file and a voice message; the visitor receives them', async () => {
  const { token, id } = await waitingVisitor();
  const page = await openConversation(OWNER, id);
  await clickUntil(page, 'button:has-text("Join session")', 'text=Live — you are in this session');
  await page.waitForFunction(() => !document.querySelector('.composer textarea').disabled, null, WAIT);

  // Emoji: the picker inserts into the reply.
  await page.fill('.composer textarea', 'Thanks ');
  await page.click('button[aria-label=Emoji]');
  await page.click('.emoji-picker button:has-text("👍")');
  assert.equal(await page.inputValue('.composer textarea'), 'Thanks 👍');
  await page.press('.composer textarea', 'Enter');
  await page.locator('.thread .msg-agent', { hasText: 'Thanks 👍' }).waitFor(WAIT);

  // An image: a thumbnail that opens the viewer; Esc closes it.
  await page.setInputFiles('.composer input[type=file]', { name: 'shot.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('.thread .thumb img').waitFor(WAIT);
  await page.click('.thread .thumb');
  await page.locator('.viewer img').waitFor(WAIT);
  await page.keyboard.press('Escape');
  await page.locator('.viewer').waitFor({ state: 'detached', ...WAIT });

  // A file: a download link with its name.
  await page.setInputFiles('.composer input[type=file]', { name: 'terms.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.locator('.thread a.file', { hasText: 'terms.pdf' }).waitFor(WAIT);

  // A refused file says why and sends nothing.
  await page.setInputFiles('.composer input[type=file]', {
    name: 'page.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>x</script></html>'),
  });
  await page.locator('.composer .error', { hasText: 'Only images, audio, PDF and office documents' }).waitFor(WAIT);

  // A voice message from the (fake) microphone: a running timer, Stop sends it.
  await page.click('button[aria-label="Record a voice message"]');
  await page.locator('.recording', { hasText: '0:01' }).waitFor(WAIT);
  await page.click('.composer button:has-text("Stop")');
  await page.locator('.thread audio.voice').waitFor(WAIT);

  // The visitor's side has all three, and may play the recording.
  const view = await visitorView(token);
  const kinds = view.conversation.messages.filter((m) => m.sender === 'agent').map((m) => m.kind ?? 'text');
  assert.deepEqual(kinds, ['text', 'image', 'file', 'voice']);
  const voice = view.conversation.messages.find((m) => m.kind === 'voice');
  const audio = await fetch(`${BASE}/api/widget/v1/attachments/${voice.attachment.id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(audio.status, 200);
  assert.match(audio.headers.get('content-type'), /^audio\//);
  assert.ok((await audio.arrayBuffer()).byteLength > 100);
  assert.deepEqual(page.errors, []);
});

test('Transfer, then Delegate rejected and accepted, between two operators', async () => {
  const { id } = await waitingVisitor();
  const owner = await openConversation(OWNER, id);
  const agent = await openConversation(AGENT, id);
  await clickUntil(owner, 'button:has-text("Join session")', 'text=Live — you are in this session');
  await agent.locator('text=Locked by another agent').waitFor(WAIT);

  // Transfer to Sam with a reason: Sam holds it at once and reads the reason in the thread.
  await owner.click('.controls button:has-text("Transfer")');
  await owner.selectOption('.handoff-form select', { label: 'Sam (demo agent) — online' });
  await owner.fill('.handoff-form textarea', 'Knows the billing system');
  await owner.click('.handoff-form button[type=submit]');
  await agent.locator('text=Live — you are in this session').waitFor(WAIT);
  await agent.locator('.thread .msg-note', { hasText: 'Knows the billing system' }).waitFor(WAIT);
  await owner.locator('text=Locked by another agent').waitFor(WAIT);

  // Sam delegates back; the owner is asked (toast and alert) and rejects.
  await agent.click('.controls button:has-text("Delegate")');
  await agent.selectOption('.handoff-form select', { label: 'Owner — online' });
  await agent.click('.handoff-form button[type=submit]');
  await agent.locator('.delegation-alert.pending', { hasText: 'Waiting for Owner' }).waitFor(WAIT);
  await owner.locator('.toast', { hasText: 'Delegation request' }).waitFor(WAIT);
  await owner.locator('.detail .status', { hasText: 'Delegated' }).waitFor(WAIT);
  await owner.click('.delegation-alert button:has-text("Reject")');
  await agent.locator('.thread .msg-note', { hasText: "declined" }).waitFor(WAIT);
  await agent.locator('.detail .status', { hasText: 'Open' }).waitFor(WAIT);
  assert.equal(await agent.locator('.delegation-alert').count(), 0);

  // Asked again, the owner accepts: the lock moves.
  await agent.click('.controls button:has-text("Delegate")');
  await agent.selectOption('.handoff-form select', { label: 'Owner — online' });
  await agent.click('.handoff-form button[type=submit]');
  await owner.click('.delegation-alert button:has-text("Accept")');
  await owner.locator('text=Live — you are in this session').waitFor(WAIT);
  await agent.locator('text=Locked by another agent').waitFor(WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(agent.errors, []);
});

test('six escalations show five toasts that leave after twelve seconds; a click opens the conversation', async () => {
  const { id: first } = await waitingVisitor();
  const page = await openConversation(OWNER, first, (p) => p.clock.install());
  const ids = [];
  for (let i = 0; i < 6; i += 1) ids.push((await waitingVisitor()).id);
  await page.locator('.toast', { hasText: 'Needs agent' }).nth(4).waitFor(WAIT);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('.toast').count(), 5);
  // The five newest are shown.
  const shown = await page.locator('.toast').evaluateAll((ts) => ts.map((t) => Number(t.dataset.conversation)));
  assert.deepEqual(shown, ids.slice(1));
  await page.clock.fastForward(12_500);
  await page.locator('.toast').first().waitFor({ state: 'detached', ...WAIT });
  assert.equal(await page.locator('.toast').count(), 0);

  const { id } = await waitingVisitor();
  await page.click(`.toast[data-conversation="${id}"]`);
  await page.locator(`article.detail[data-conversation="${id}"]`).waitFor(WAIT);
  assert.deepEqual(page.errors, []);
});

test('quick replies, Capture Lead, the widget paperclip and a rating reach the panel, Leads and Reviews', async () => {
  // An Admin adds a quick reply in Settings.
  const owner = await newPage();
  await signIn(owner, OWNER);
  await owner.goto(`${BASE}/settings`);
  await hydrated(owner);
  const shortcut = `ship${Date.now() % 100000}`;
  await owner.fill('.quick-reply-form.new input[name=shortcut]', shortcut);
  await owner.fill('.quick-reply-form.new input[name=title]', 'Shipping times');
  await owner.fill('.quick-reply-form.new textarea[name=body]', 'Orders ship within two working days.');
  await owner.click('.quick-reply-form.new button[type=submit]');
  await owner.locator(`.quick-reply[data-shortcut="${shortcut}"]`).waitFor(WAIT);

  // A visitor on the demo page asks for a human and sends a picture with the paperclip.
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  await visitor.click('#liaison-widget .launcher', WAIT);
  await visitor.click('#liaison-widget button.human', WAIT);
  await visitor.locator('#liaison-widget button.human', { hasText: /on the way|Message left/ }).waitFor(WAIT);
  await visitor.setInputFiles('#liaison-widget input[type=file]', { name: 'broken.png', mimeType: 'image/png', buffer: PNG });
  await visitor.locator('#liaison-widget .msg.customer a.image img').waitFor(WAIT);
  const token = await visitor.evaluate(() => localStorage.getItem('liaison.visitor'));
  const id = (await visitorView(token)).conversation.id;

  // The operator sees the picture, inserts the quick reply with / and Enter, and sends it.
  await owner.goto(`${BASE}/conversations?c=${id}`);
  await hydrated(owner);
  await waitLive(owner);
  await owner.locator('.thread .msg-customer .thumb img').waitFor(WAIT);
  await clickUntil(owner, 'button:has-text("Join session")', 'text=Live — you are in this session');
  await owner.waitForFunction(() => !document.querySelector('.composer textarea').disabled, null, WAIT);
  const composer = owner.locator('.composer textarea');
  await composer.fill('');
  await composer.pressSequentially(`/${shortcut.slice(0, 5)}`);
  await owner.locator('.quick-menu li', { hasText: 'Shipping times' }).waitFor(WAIT);
  await composer.press('Enter');
  assert.equal(await composer.inputValue(), 'Orders ship within two working days.');
  await composer.press('Enter');
  await visitor.locator('#liaison-widget .msg.agent', { hasText: 'two working days' }).waitFor(WAIT);

  // Capture Lead: email checked, saved, listed on Leads with its conversation.
  await owner.click('button.capture-lead:has-text("Capture Lead")');
  await owner.fill('.lead-form input[name=email]', 'not-an-email');
  assert.equal(await owner.locator('.lead-form button[type=submit]').isDisabled(), true);
  const email = `lead${Date.now() % 100000}@example.com`;
  await owner.fill('.lead-form input[name=email]', email);
  await owner.fill('.lead-form input[name=company]', 'Kettle Co');
  await owner.click('.lead-form button[type=submit]');
  await owner.locator('.lead-form .notice', { hasText: 'Lead saved' }).waitFor(WAIT);

  // Resolve: the widget asks for a rating; the operator sees it in the header, the list and Reviews.
  await owner.click('.controls button.resolve');
  await visitor.locator('#liaison-widget .rating .star').nth(3).click(WAIT);
  await visitor.locator('#liaison-widget .rating .chip', { hasText: 'Helpful' }).click(WAIT);
  await visitor.fill('#liaison-widget .rating input.comment', 'Fast and friendly');
  await visitor.click('#liaison-widget .rating button.rate');
  await visitor.locator('#liaison-widget .rating .thanks').waitFor(WAIT);
  await owner.locator('.rating-detail', { hasText: 'Fast and friendly' }).waitFor(WAIT);
  assert.match(await owner.locator('.rating-detail .rating').textContent(), /★★★★☆/);
  await owner.locator(`.conversation-row[data-conversation="${id}"] .rating`).waitFor(WAIT);

  await owner.goto(`${BASE}/leads`);
  await hydrated(owner);
  const lead = owner.locator('tr.lead', { hasText: email });
  await lead.waitFor(WAIT);
  assert.match(await lead.textContent(), /Kettle Co/);
  assert.equal(await lead.locator(`a[href="/conversations?c=${id}"]`).count(), 1);

  await owner.goto(`${BASE}/reviews?stars=4`);
  await hydrated(owner);
  await owner.locator(`.review[data-conversation="${id}"]`, { hasText: 'Fast and friendly' }).waitFor(WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(visitor.errors, []);
});
