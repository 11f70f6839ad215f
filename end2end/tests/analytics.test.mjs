// The Analytics page in a browser: an Owner opens it from the sidebar, reads the cards, charts,
// heatmap and tables, changes the range and channel (the address follows, so the view can be
// shared), gets a clear message for a backwards custom range, downloads a table as CSV, and
// sees a new conversation counted without reloading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER, WAIT, hydrated, newPage, signInTo, startConversation, waitLive } from './helpers.mjs';

const stat = (page, name) =>
  page.locator(`.stat[data-stat="${name}"] .stat-value`).textContent();

const number = (text) => Number(text.replaceAll(',', ''));

test('an Owner reads Analytics for a range and channel, and downloads a table', async () => {
  const owner = await newPage();
  await signInTo(owner, OWNER);
  await hydrated(owner);
  await owner.click('nav.sidebar a[href="/analytics"]');
  await owner.locator('.analytics-page h1', { hasText: 'Analytics' }).waitFor(WAIT);
  // The heading shows at once; the figures once their request answers.
  await owner.locator('.stats .stat .stat-label').first().waitFor(WAIT);
  await owner.locator('figure.heatmap rect.cell').first().waitFor(WAIT);
  const cards = await owner.locator('.stats .stat .stat-label').allTextContents();
  assert.deepEqual(cards, [
    'Conversations', 'Resolution Rate', 'AI Resolution Rate', 'First Response',
    'First Human Response', 'Time to Resolution',
  ]);
  const charts = owner.locator('figure.chart:not(.heatmap)');
  assert.deepEqual(await charts.locator('figcaption').allTextContents(), ['Conversations', 'Resolved']);
  assert.equal(await charts.first().locator('g.bar').count(), 30, 'thirty days by default');
  assert.equal(await owner.locator('figure.heatmap rect.cell').count(), 7 * 24);
  const reasons = await owner.locator('table.handovers tbody th').allTextContents();
  assert.deepEqual(reasons, ['Asked for a human', 'Out of scope', 'Frustrated', 'Manual', 'AI unavailable']);

  // The range and channel are in the address.
  await owner.selectOption('select[name=range]', '7');
  await owner.waitForURL(/\/analytics\?range=7$/, WAIT);
  await owner.waitForFunction(
    () => document.querySelectorAll('figure.chart:not(.heatmap)')[0]?.querySelectorAll('g.bar').length === 7,
    null, WAIT,
  );
  await owner.selectOption('select[name=channel]', 'whatsapp');
  await owner.waitForURL(/range=7&channel=whatsapp/, WAIT);
  await owner.waitForFunction(
    () => document.querySelector('.stat[data-stat="sessions"] .stat-value')?.textContent === '0',
    null, WAIT,
  );
  await owner.selectOption('select[name=channel]', '');
  await owner.waitForURL(/\/analytics\?range=7$/, WAIT);

  // A backwards custom range is refused with the reason.
  await owner.selectOption('select[name=range]', 'custom');
  await owner.waitForURL(/range=custom&from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d/, WAIT);
  await owner.fill('input[name=from]', '2026-11-20');
  await owner.fill('input[name=to]', '2026-11-10');
  await owner.click('.analytics-filters button[type=submit]');
  await owner.locator('.analytics-page .error', { hasText: 'ends before it starts' }).waitFor(WAIT);
  await owner.selectOption('select[name=range]', '7');
  await owner.waitForURL(/\/analytics\?range=7$/, WAIT);

  // Each table downloads as CSV for the same query.
  const href = await owner.locator('a.csv-link[data-table="handovers"]').getAttribute('href');
  assert.equal(href, '/api/admin/analytics/handovers.csv?range=7');
  const csv = await owner.evaluate(async (url) => (await fetch(url)).text(), href);
  assert.equal(csv.split('\n')[0], 'reason,conversations');
  assert.equal(csv.trim().split('\n').length, 6, csv);

  // A new conversation is counted without reloading the page.
  await waitLive(owner);
  await owner.locator('.stat[data-stat="sessions"]').waitFor(WAIT);
  const before = number(await stat(owner, 'sessions'));
  await startConversation('Hello from the Analytics test');
  await owner.waitForFunction(
    (n) => Number(document.querySelector('.stat[data-stat="sessions"] .stat-value')
      ?.textContent.replaceAll(',', '')) > n,
    before, WAIT,
  );
  assert.deepEqual(owner.errors, []);
});
