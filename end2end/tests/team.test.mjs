// The Team page in a browser: the Owner invites an Admin, the invitee opens the link, chooses a
// name and password, and lands in the dashboard signed in as an Admin; the link works once.
// Deactivation, reset links and signed-in sessions end the sessions they should, live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, OWNER, WAIT, clickUntil, hydrated, newPage, signIn, startConversation } from './helpers.mjs';

test('the Owner invites an Admin, who joins with the link and signs in', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await owner.click('nav.sidebar a[href="/team"]');
  await owner.locator('.team-page h1', { hasText: 'Team' }).waitFor(WAIT);
  await hydrated(owner);
  const email = `ada.${Date.now()}@example.com`;
  const form = owner.locator('form.invite-form');
  await form.locator('input[name="form[email]"]').fill(email);
  await form.locator('select[name="form[role]"]').selectOption('admin');
  await form.locator('button[type=submit]').click();
  const link = owner.locator('.invite-link input.invite-url');
  await link.waitFor(WAIT);
  await owner.waitForFunction(() => document.querySelector('.invite-link input')?.value.startsWith('http'), null, WAIT);
  const url = await link.inputValue();
  assert.ok(url.startsWith(`${BASE}/invite/`), url);
  await owner.locator('.pending-invites li', { hasText: email }).waitFor(WAIT);

  const ada = await newPage();
  await ada.goto(url);
  await ada.locator('.login-card', { hasText: 'as an Admin' }).waitFor(WAIT);
  await hydrated(ada);
  await ada.fill('input[name="form[name]"]', 'Ada Lovelace');
  await ada.fill('input[name="form[password]"]', 'analytical engine');
  await ada.click('button[type=submit]');
  await ada.locator('.topbar .me', { hasText: 'Ada Lovelace · Admin' }).waitFor(WAIT);
  await ada.locator('nav.sidebar a[href="/team"]').waitFor(WAIT);
  assert.equal(await ada.locator('nav.sidebar a[href="/usage"]').count(), 0, 'AI usage is the Owner\'s');
  // An Admin lands on the team's Overview.
  assert.equal(new URL(ada.url()).pathname, '/');
  assert.equal(await ada.locator('.overview-page .stats .stat').count(), 8);
  assert.equal(await ada.locator('.overview-page figure.chart').count(), 4);

  // Her profile: the top bar links to it; a new name and colour show there.
  await ada.click('.topbar a.me');
  await ada.locator('.profile-page h1', { hasText: 'Profile' }).waitFor(WAIT);
  await hydrated(ada);
  await ada.fill('input[name="form[name]"]', 'Ada King');
  await ada.check('input[name="form[colour]"][value="#059669"]');
  await ada.click('form.profile-form button[type=submit]');
  await ada.locator('.notice', { hasText: 'Profile saved.' }).waitFor(WAIT);
  await ada.locator('.topbar .me', { hasText: 'Ada King · Admin' }).waitFor(WAIT);
  assert.equal(await ada.locator('.topbar .me .avatar').textContent(), 'AK');

  // The link is spent.
  const again = await newPage();
  await again.goto(url);
  await again.locator('.login-card .error', { hasText: 'not valid' }).waitFor(WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(ada.errors, []);
});

/** The Owner invites an operator through the Team page; they join with the link. */
async function invited(owner, name, role) {
  await owner.goto(`${BASE}/team`);
  await hydrated(owner);
  const email = `${name.toLowerCase()}.${Date.now()}@example.com`;
  const form = owner.locator('form.invite-form');
  await form.locator('input[name="form[email]"]').fill(email);
  await form.locator('select[name="form[role]"]').selectOption(role);
  await form.locator('button[type=submit]').click();
  await owner.waitForFunction(() => document.querySelector('.invite-link input')?.value.startsWith('http'), null, WAIT);
  const url = await owner.locator('.invite-link input.invite-url').inputValue();
  const page = await newPage();
  await page.goto(url);
  await hydrated(page);
  await page.fill('input[name="form[name]"]', name);
  await page.fill('input[name="form[password]"]', 'a long password');
  await page.click('button[type=submit]');
  await page.locator('.topbar .me', { hasText: name }).waitFor(WAIT);
  page.email = email;
  return page;
}

test('deactivating an operator who holds a conversation signs them out and releases it live', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  const zed = await invited(owner, 'Zed', 'agent');
  const sent = await startConversation('I need a human agent');
  const url = `${BASE}/conversations?c=${sent.message.conversation_id}`;
  await zed.goto(url);
  await hydrated(zed);
  await clickUntil(zed, 'button:has-text("Join session")', 'text=Live — you are in this session');

  // The Owner watches the conversation, locked by Zed, in a second tab.
  const watcher = await newPage();
  await signIn(watcher, OWNER);
  await watcher.goto(url);
  await hydrated(watcher);
  await watcher.locator('text=Locked by another agent').waitFor(WAIT);

  await owner.goto(`${BASE}/team`);
  await hydrated(owner);
  const row = owner.locator('table.team tr', { hasText: 'Zed' });
  await row.locator('button.deactivate').click();
  await row.locator('td', { hasText: 'Deactivated' }).waitFor(WAIT);
  // Released, live, for everyone; Zed's tab is sent to the sign-in page.
  await watcher.locator('button:has-text("Join session")').waitFor(WAIT);
  await zed.waitForURL(/\/login/, WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(watcher.errors, []);
});

test('a password reset link signs the operator in with a new password and ends their old session', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  const rita = await invited(owner, 'Rita', 'agent');
  await owner.goto(`${BASE}/team`);
  await hydrated(owner);
  const row = owner.locator('table.team tr', { hasText: 'Rita' });
  await row.locator('button.reset-password').click();
  await owner.waitForFunction(() => document.querySelector('.invite-link input')?.value.includes('/reset/'), null, WAIT);
  await owner.locator('.invite-link', { hasText: 'Password reset link for Rita' }).waitFor(WAIT);
  const url = await owner.locator('.invite-link input.invite-url').inputValue();
  assert.ok(url.startsWith(`${BASE}/reset/`), url);

  const device = await newPage();
  await device.goto(url);
  await device.locator('.login-card', { hasText: 'Choose a new password for Rita' }).waitFor(WAIT);
  await hydrated(device);
  await device.fill('input[name="form[new]"]', 'a brand new password');
  await device.fill('input[name="form[again]"]', 'a brand new password');
  await device.click('form.reset-form button[type=submit]');
  await device.locator('.topbar .me', { hasText: 'Rita · Agent' }).waitFor(WAIT);
  await device.locator('.overview-page').waitFor(WAIT);
  // The session signed in with the old password is over.
  await rita.waitForURL(/\/login/, WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(device.errors, []);
});

test('an operator signs another session out from their Profile, and the Owner signs them out everywhere', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  const sam = await invited(owner, 'Sam', 'agent');
  // Sam signs in on a second device too.
  const phone = await newPage({
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  });
  await phone.goto(`${BASE}/login`);
  await phone.fill('input[name=email]', sam.email);
  await phone.fill('input[name=password]', 'a long password');
  await phone.click('button[type=submit]');
  await phone.locator('.topbar .me', { hasText: 'Sam' }).waitFor(WAIT);

  await sam.goto(`${BASE}/profile`);
  await hydrated(sam);
  const sessions = sam.locator('.sessions table.sessions-table tr.session');
  await sessions.nth(1).waitFor(WAIT);
  assert.equal(await sessions.count(), 2);
  await sam.locator('tr.session.current .badge', { hasText: 'This browser' }).waitFor(WAIT);
  await sam.locator('tr.session', { hasText: 'Chrome on Android' }).locator('button.end-session').click();
  await sam.locator('.notice', { hasText: 'Signed out of that session.' }).waitFor(WAIT);
  // The phone's tab is sent to the sign-in page at once; Sam's list is down to this browser.
  await phone.waitForURL(/\/login/, WAIT);
  await sam.waitForFunction(() => document.querySelectorAll('.sessions tr.session').length === 1, null, WAIT);

  await owner.goto(`${BASE}/team`);
  await hydrated(owner);
  await owner.locator('table.team tr', { hasText: sam.email }).locator('button.show-sessions').click();
  const theirs = owner.locator('.member-sessions', { hasText: "Sam's sessions" });
  await theirs.locator('tr.session').first().waitFor(WAIT);
  await theirs.locator('button.end-all-sessions').click();
  await sam.waitForURL(/\/login/, WAIT);
  await theirs.locator('text=No session is signed in.').waitFor(WAIT);
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(sam.errors, []);
});
