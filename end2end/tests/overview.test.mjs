// The Overview in a browser, per role: the sidebar holds exactly the role's pages, the Owner's
// eight cards and four charts update live as a conversation arrives, and an Agent's four cards
// lead to the matching filtered list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT, BASE, OWNER, WAIT, hydrated, newPage, signInTo, startConversation, waitLive } from './helpers.mjs';

const sidebar = (page) => page.locator('nav.sidebar a').allTextContents();

const stat = (page, name) =>
  page.locator(`.stat[data-stat="${name}"] .stat-value`).textContent();

const number = (text) => Number(text.replaceAll(',', ''));

test('the Owner lands on the Overview: eight cards, four charts, live figures', async () => {
  const owner = await newPage();
  await signInTo(owner, OWNER);
  await owner.locator('.overview-page h1', { hasText: 'Overview' }).waitFor(WAIT);
  assert.equal(new URL(owner.url()).pathname, '/');
  assert.deepEqual(await sidebar(owner), [
    'Overview', 'Conversations', 'Tickets', 'Leads', 'Analytics', 'Reviews', 'Knowledge Gaps', 'Help Center', 'Documents', 'Connectors',
    'Team', 'Settings', 'Billing', 'AI usage',
  ]);
  const cards = await owner.locator('.stats .stat .stat-label').allTextContents();
  assert.deepEqual(cards, [
    'Total Sessions', 'Messages Sent', 'Bookings Made', 'Resolved', 'Documents Ready',
    'Resolution Rate', 'Average Rating', 'Agent Requests',
  ]);
  const charts = await owner.locator('figure.chart figcaption').allTextContents();
  assert.deepEqual(charts, ['Sessions', 'Resolved', 'Messages', 'Bookings']);
  assert.equal(await owner.locator('figure.chart').first().locator('g.bar').count(), 14);
  // Every bar names its day and value for hover and for screen readers.
  const label = await owner.locator('figure.chart').first().locator('g.bar').last().getAttribute('aria-label');
  assert.match(label, /^[A-Z][a-z]{2} \d{1,2}: \d[\d,]* sessions$/);

  await hydrated(owner);
  await waitLive(owner);
  const before = number(await stat(owner, 'total_sessions'));
  await startConversation('Hello from the Overview test');
  await owner.waitForFunction(
    (n) => Number(document.querySelector('.stat[data-stat="total_sessions"] .stat-value')
      ?.textContent.replaceAll(',', '')) > n,
    before, WAIT,
  );
  // Billing: this month's usage against limits the Owner sets; a warning from 80%.
  await owner.click('nav.sidebar a[href="/billing"]');
  await owner.locator('.billing-page h1', { hasText: 'Billing' }).waitFor(WAIT);
  // The heading renders before the figures arrive: wait for the fourth meter, then count.
  await owner.locator('.billing-page .meter').nth(3).waitFor(WAIT);
  assert.equal(await owner.locator('.billing-page .meter').count(), 4);
  await hydrated(owner);
  const seats = number(await owner.locator('.meter[data-meter="seats"] .stat-value').evaluate((e) => e.firstChild.textContent));
  await owner.fill('input[name="form[seats]"]', String(seats));
  await owner.click('form.limits-form button[type=submit]');
  await owner.locator('.meter[data-meter="seats"] .error', { hasText: 'Over the limit' }).waitFor(WAIT);
  await owner.fill('input[name="form[seats]"]', '');
  await owner.click('form.limits-form button[type=submit]');
  await owner.locator('.meter[data-meter="seats"]', { hasText: 'no limit' }).waitFor(WAIT);
  assert.deepEqual(owner.errors, []);
});

test('an Agent sees their own four cards and the quick actions open the filtered list', async () => {
  const agent = await newPage();
  await signInTo(agent, AGENT);
  await agent.locator('.overview-page h1', { hasText: 'Overview' }).waitFor(WAIT);
  assert.deepEqual(await sidebar(agent), ['Overview', 'Conversations', 'Tickets', 'Leads']);
  const cards = await agent.locator('.stats .stat .stat-label').allTextContents();
  assert.deepEqual(cards, ['My Open Sessions', 'Resolved By Me', 'Open Queue', 'Needs Agent']);
  assert.equal(await agent.locator('figure.chart').count(), 0, 'charts are the team view\'s');
  for (const name of ['my_open', 'resolved_by_me', 'open_queue', 'needs_agent']) {
    assert.ok(Number.isInteger(number(await stat(agent, name))), name);
  }
  await hydrated(agent);
  await agent.click('a.quick-action[href*="who=unassigned"]');
  await agent.waitForURL(/\/conversations\?tab=open&who=unassigned/, WAIT);
  await agent.locator('.conversations').waitFor(WAIT);
  assert.equal(await agent.locator('select.holder').inputValue(), 'unassigned');
  assert.equal(await agent.locator('.tab.active').first().textContent().then((t) => t.trim().startsWith('Open')), true);
  // A page asked for while signed out comes back after signing in.
  const fresh = await newPage();
  await fresh.goto(`${BASE}/conversations?tab=needs_agent`);
  await fresh.waitForURL(/\/login\?next=/, WAIT);
  await fresh.fill('input[name=email]', AGENT);
  await fresh.fill('input[name=password]', process.env.LIAISON_PASSWORD ?? 'liaison-demo');
  await fresh.click('button[type=submit]');
  await fresh.waitForURL(/\/conversations\?tab=needs_agent$/, WAIT);
  assert.deepEqual(agent.errors, []);
});
