// Booking a meeting end to end: an Admin opens bookings in Settings, two visitors open the card
// of slots in the widget, one books a slot (the confirmation, the Booked tab, the card in the
// operator's thread) and the other, choosing the same slot a moment later, is told to pick
// another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, OWNER, WAIT, hydrated, newPage, signIn, waitLive } from './helpers.mjs';

async function openCard(page) {
  await page.goto(`${BASE}/demo`);
  await page.click('#liaison-widget .launcher', WAIT);
  const book = page.locator('#liaison-widget button.book');
  await book.waitFor({ state: 'visible', ...WAIT });
  await book.click();
  await page.locator('#liaison-widget .slots button.slot').first().waitFor(WAIT);
}

test('a slot is booked once: the card, the confirmation, the Booked tab and the thread', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await owner.goto(`${BASE}/settings`);
  await hydrated(owner);
  const form = owner.locator('form.booking-settings');
  await form.locator('input[name="form[enabled]"]').check();
  await form.locator('input[name="form[time_zone]"]').fill('Europe/Paris');
  await form.locator('input[name="form[slot_minutes]"]').fill('30');
  await form.locator('input[name="form[days_ahead]"]').fill('7');
  for (const day of ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']) {
    await form.locator(`input[name="form[week][${day}]"]`).fill('00:00-24:00');
  }
  await form.locator('button[type=submit]').click();
  await owner.locator('.notice', { hasText: 'Booking settings saved.' }).waitFor(WAIT);

  const ana = await newPage();
  const ben = await newPage();
  await openCard(ana);
  await openCard(ben);
  const slot = await ana.locator('#liaison-widget .slots button.slot').nth(2).getAttribute('data-slot');
  assert.ok(slot, 'slots carry their start');
  await ana.click(`#liaison-widget button.slot[data-slot="${slot}"]`);
  const confirmation = ana.locator('#liaison-widget .msg', { hasText: 'Meeting booked:' });
  await confirmation.waitFor(WAIT);
  await confirmation.locator('.slots.booked').waitFor(WAIT);
  assert.equal(await ana.locator('#liaison-widget button.slot:not([disabled])').count(), 0,
    'once booked, the card is closed');

  await ben.click(`#liaison-widget button.slot[data-slot="${slot}"]`);
  await ben.locator('#liaison-widget .hint', { hasText: 'booked by someone else' }).waitFor(WAIT);
  assert.equal(await ben.locator('#liaison-widget .msg', { hasText: 'Meeting booked:' }).count(), 0);

  // The operator: the Booked tab lists Ana's conversation; its thread shows both cards.
  const token = await ana.evaluate(() => localStorage.getItem('liaison.visitor'));
  const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
    headers: { authorization: `Bearer ${token}` },
  })).json();
  const id = view.conversation.id;
  await owner.goto(`${BASE}/conversations?tab=booked`);
  await hydrated(owner);
  await waitLive(owner);
  await owner.locator(`.conversation-row[data-conversation="${id}"]`).waitFor(WAIT);
  await owner.goto(`${BASE}/conversations?tab=booked&c=${id}`);
  await owner.locator('.thread .booking-card .slot-grid .slot').first().waitFor(WAIT);
  await owner.locator('.thread .booking-card.booked .slot.chosen').waitFor(WAIT);

  for (const page of [owner, ana, ben]) {
    assert.deepEqual(page.errors, [], `uncaught errors on ${page.url()}`);
  }
});
