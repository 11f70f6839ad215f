// Tickets in a browser: an Agent makes one from a conversation in the panel, it appears live
// on another operator's Tickets page, is changed there, and the customer reads in the widget's
// thread that it was solved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT, BASE, OWNER, WAIT, clickUntil, hydrated, newPage, signIn, startConversation, waitLive } from './helpers.mjs';

test('a ticket made from a conversation shows live on the Tickets page, and solving it tells the customer', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await owner.goto(`${BASE}/tickets`);
  await owner.locator('.tickets-page h1', { hasText: 'Tickets' }).waitFor(WAIT);
  await hydrated(owner);
  await waitLive(owner);

  const sent = await startConversation('The lid of my kettle is cracked');
  const agent = await newPage();
  await signIn(agent, AGENT);
  await agent.goto(`${BASE}/conversations?c=${sent.message.conversation_id}`);
  await hydrated(agent);
  await clickUntil(agent, 'button.create-ticket', '.panel-tickets form');
  const form = agent.locator('.panel-tickets form');
  assert.match(await form.locator('input[name="form[subject]"]').inputValue(), /kettle is cracked/);
  await form.locator('input[name="form[subject]"]').fill('Cracked kettle lid');
  await form.locator('select[name="form[priority]"]').selectOption('high');
  await form.locator('button[type=submit]').click();
  await agent.locator('.panel-tickets .notice', { hasText: 'created' }).waitFor(WAIT);

  // Live on the Owner's page, no reload.
  const row = owner.locator('table.tickets tr', { hasText: 'Cracked kettle lid' });
  await row.waitFor(WAIT);
  assert.equal((await row.locator('.priority').textContent()).trim(), 'High');
  await row.locator('td.subject a').click();
  const edit = owner.locator('.ticket-form', { hasText: 'Ticket #' });
  await edit.waitFor(WAIT);
  await edit.locator('select[name="form[status]"]').selectOption('solved');
  await edit.locator('button[type=submit]').click();
  await row.locator('td.status', { hasText: 'Solved' }).waitFor(WAIT);

  // The customer's thread says so.
  const token = sent.token;
  const deadline = Date.now() + WAIT.timeout;
  let told = false;
  while (!told && Date.now() < deadline) {
    const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
      headers: { authorization: `Bearer ${token}` },
    })).json();
    told = view.conversation.messages.some((m) => /Cracked kettle lid.*has been solved/.test(m.body));
    if (!told) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(told, 'the customer is told');
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(agent.errors, []);
});
