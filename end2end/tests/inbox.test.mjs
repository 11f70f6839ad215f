// The live inbox in a browser: two operators see conversations arrive and change without a
// reload and without any list request; pages, the pill, tabs, channel, search and the live
// visitors panel work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT, BASE, OWNER, WAIT, hydrated, newPage, signIn, waitLive,
} from './helpers.mjs';

/** A new visitor's session token. */
async function newVisitor() {
  const session = await (await fetch(`${BASE}/api/widget/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  })).json();
  return session.token;
}

async function say(token, id, body) {
  const r = await fetch(`${BASE}/api/widget/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_msg_id: id, body }),
  });
  return (await r.json()).message;
}

/** Counts the requests a page makes for the list and the detail (server functions). */
function countDataRequests(page) {
  const counter = { list: 0, detail: 0 };
  page.on('request', (r) => {
    if (r.url().includes('list_conversations')) counter.list += 1;
    if (r.url().includes('get_conversation')) counter.detail += 1;
  });
  return counter;
}

async function openInbox(email, path = '/conversations') {
  const page = await newPage();
  await signIn(page, email);
  await page.goto(`${BASE}${path}`);
  await hydrated(page);
  await waitLive(page);
  return page;
}

test('two operators see a new conversation, a message and a status change live, with no list request', async () => {
  const owner = await openInbox(OWNER);
  const agent = await openInbox(AGENT);
  const ownerRequests = countDataRequests(owner);
  const agentRequests = countDataRequests(agent);
  const needsBefore = Number(await owner.textContent('[data-testid=needs-agent-count]'));

  const token = await newVisitor();
  // Questions the demo knowledge base answers, so the AI keeps the conversation open.
  const first = await say(token, 'l-1', 'What are your opening hours?');
  const id = first.conversation_id;
  for (const page of [owner, agent]) {
    const row = page.locator(`.conversation-row[data-conversation="${id}"]`);
    await row.waitFor(WAIT);
    await row.locator('.new', { hasText: 'NEW' }).waitFor(WAIT);
    await row.locator('.status', { hasText: 'Open' }).waitFor(WAIT);
    assert.match(await row.locator('.started').textContent(), /started/);
    assert.match(await row.locator('.duration').textContent(), /\d+s|\d+m/);
  }
  // The new row is on top.
  assert.equal(await owner.locator('.conversation-row').first().getAttribute('data-conversation'), String(id));

  // A new message updates that row's preview and count.
  await say(token, 'l-2', 'Do you ship to Canada?');
  for (const page of [owner, agent]) {
    const row = page.locator(`.conversation-row[data-conversation="${id}"]`);
    await row.locator('.preview', { hasText: /.+/ }).waitFor(WAIT);
    await page.waitForFunction(
      (cid) => Number(document.querySelector(`.conversation-row[data-conversation="${cid}"] .count`)?.textContent.split(' ')[0]) >= 3,
      id, WAIT);
  }

  // A status change: the row and the badge.
  await fetch(`${BASE}/api/widget/v1/escalate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  for (const page of [owner, agent]) {
    const row = page.locator(`.conversation-row[data-conversation="${id}"]`);
    await row.locator('.status', { hasText: 'Needs agent' }).waitFor(WAIT);
    await row.locator('.dot').waitFor(WAIT);
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=needs-agent-count]')?.textContent) === n + 1,
      needsBefore, WAIT);
  }
  assert.deepEqual(ownerRequests, { list: 0, detail: 0 }, 'the owner refetched');
  assert.deepEqual(agentRequests, { list: 0, detail: 0 }, 'the agent refetched');

  // Joined shows on the other operator's row.
  await owner.locator(`.conversation-row[data-conversation="${id}"] a`).click();
  await owner.locator('button:has-text("Join session")').waitFor(WAIT);
  const deadline = Date.now() + WAIT.timeout;
  while (await agent.locator(`.conversation-row[data-conversation="${id}"] .joined`).count() === 0) {
    if (Date.now() > deadline) throw new Error('Joined never showed');
    if (await owner.locator('text=Live — you are in this session').count() === 0) {
      await owner.click('button:has-text("Join session")').catch(() => {});
    }
    await agent.waitForTimeout(200);
  }
  assert.equal(agentRequests.list, 0);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(agent.errors, []);
});

test('page 2 shows a pill when new conversations arrive; it leads to page 1', async () => {
  // Enough conversations for a second page (50 a page).
  const tokens = await Promise.all(Array.from({ length: 55 }, () => newVisitor()));
  await Promise.all(tokens.map((t, i) => say(t, `p-${i}`, `Question number ${i}`)));
  const page = await openInbox(OWNER);
  const requests = countDataRequests(page);
  await page.click('a.page-link:has-text("Older")');
  await page.waitForURL(/before=/, WAIT);
  await page.locator('a.page-link:has-text("Newer")').waitFor(WAIT);
  const listed = requests.list;

  const token = await newVisitor();
  const message = await say(token, 'pill-1', 'A brand new conversation');
  const pill = page.locator('.pill');
  await pill.waitFor(WAIT);
  assert.equal(await pill.textContent(), '1 new conversation');
  assert.equal(requests.list, listed, 'the arrival caused no list request');
  await pill.click();
  await page.waitForURL((url) => !url.search.includes('before='), WAIT);
  await page.locator(`.conversation-row[data-conversation="${message.conversation_id}"]`).waitFor(WAIT);
  assert.equal(await page.locator('.pill').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('tabs, the channel dropdown and search; the URL keeps the view', async () => {
  const token = await newVisitor();
  const unique = `zebracorn${Date.now()}`;
  const message = await say(token, 's-1', `My ${unique} order is broken`);
  const page = await openInbox(OWNER);

  await page.click('a.tab:has-text("Resolved")');
  await page.waitForURL(/tab=resolved/, WAIT);
  await page.locator('a.tab.active:has-text("Resolved")').waitFor(WAIT);
  assert.equal(await page.locator(`.conversation-row[data-conversation="${message.conversation_id}"]`).count(), 0);

  await page.click('a.tab:has-text("All")');
  await page.waitForURL((url) => !url.search.includes('tab='), WAIT);
  await page.selectOption('select.channel', 'whatsapp');
  await page.waitForURL(/channel=whatsapp/, WAIT);
  await page.locator('.empty', { hasText: 'No conversations here yet.' }).waitFor(WAIT);
  await page.selectOption('select.channel', '');
  await page.waitForURL((url) => !url.search.includes('channel='), WAIT);

  await page.fill('input[type=search]', unique);
  await page.press('input[type=search]', 'Enter');
  await page.waitForURL(new RegExp(`q=${unique}`), WAIT);
  await page.locator(`.conversation-row[data-conversation="${message.conversation_id}"]`).waitFor(WAIT);
  await page.waitForFunction(() => document.querySelectorAll('.conversation-row').length === 1, null, WAIT);

  // A reload shows the same view; so does the link, with the conversation open.
  await page.locator(`.conversation-row[data-conversation="${message.conversation_id}"] a`).click();
  await page.waitForURL(/c=\d+/, WAIT);
  await page.reload();
  await hydrated(page);
  assert.equal(await page.inputValue('input[type=search]'), unique);
  await page.locator(`.detail[data-conversation="${message.conversation_id}"]`).waitFor(WAIT);
  await page.waitForFunction(() => document.querySelectorAll('.conversation-row').length === 1, null, WAIT);

  // Keyboard: the tabs are links in the tab order.
  await page.focus('a.tab:has-text("Open")');
  await page.keyboard.press('Enter');
  await page.waitForURL(/tab=open/, WAIT);
  assert.deepEqual(page.errors, []);
});

test('the live visitors panel shows who is on the site now', async () => {
  const page = await openInbox(AGENT);
  const count = () => page.textContent('[data-testid=live-visitors-count]').then(Number);
  const before = await count();
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  await visitor.locator('#liaison-widget').waitFor({ state: 'attached', ...WAIT });
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=live-visitors-count]')?.textContent) === n + 1,
    before, WAIT);
  await page.locator('.live-visitor .page', { hasText: '/demo' }).first().waitFor(WAIT);
  assert.deepEqual(page.errors, []);
  await visitor.close();
});
