// Connectors in a browser: an Owner adds a webhook endpoint (a small receiver in this test),
// sees its secret once, sends a test and reads it in the delivery log; a new conversation
// reaches the endpoint, signed with that secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { OWNER, WAIT, hydrated, newPage, signInTo, startConversation, until } from './helpers.mjs';

/** A receiver on 127.0.0.1 that keeps what it gets. */
async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, got, server };
}

test('an Owner adds a webhook, tests it, and receives signed events', async () => {
  const hook = await receiver();
  try {
    const owner = await newPage();
    await signInTo(owner, OWNER);
    await hydrated(owner);
    await owner.click('nav.sidebar a[href="/connectors"]');
    await owner.locator('.connectors-page h1', { hasText: 'Connectors' }).waitFor(WAIT);
    await owner.locator('.connectors-page form.webhook-form').waitFor(WAIT);

    // A bad address is refused with the reason.
    await owner.fill('.webhook-form input[name=url]', 'ftp://example.com/x');
    await owner.click('.webhook-form button[type=submit]');
    await owner.locator('.webhook-form .error', { hasText: 'https://' }).waitFor(WAIT);

    await owner.fill('.webhook-form input[name=url]', hook.url);
    // Only new conversations and resolutions.
    for (const name of ['conversation.needs_agent', 'lead.captured', 'rating.created']) {
      await owner.uncheck(`.webhook-form input[value="${name}"]`);
    }
    await owner.click('.webhook-form button[type=submit]');
    const secretField = owner.locator('.secret-once input.invite-url');
    await secretField.waitFor(WAIT);
    const secret = await secretField.inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{64}$/);
    const row = owner.locator('li.webhook', { hasText: hook.url });
    await row.waitFor(WAIT);
    assert.deepEqual(await row.locator('.events .chip').allTextContents(), ['Conversation created', 'Resolved']);
    assert.equal(await owner.locator('.webhooks').textContent().then((t) => t.includes(secret)), false,
      'the list shows only the end of the secret');

    await row.locator('button.send-test').click();
    await row.locator('.notice', { hasText: 'Test delivered (HTTP 200)' }).waitFor(WAIT);
    await row.locator('table.deliveries tr[data-status="delivered"]', { hasText: 'ping' }).waitFor(WAIT);

    await startConversation('Hello from the Connectors test');
    const created = await until(() => hook.got.find((g) => g.headers['x-liaison-event'] === 'conversation.created'));
    const expected = 'sha256=' + crypto.createHmac('sha256', secret)
      .update(`${created.headers['x-liaison-timestamp']}.${created.body}`).digest('hex');
    assert.equal(created.headers['x-liaison-signature'], expected);
    assert.equal(JSON.parse(created.body).event, 'conversation.created');

    // WhatsApp: the connection's settings are saved; the secrets are never shown again.
    const wa = owner.locator('form.whatsapp-form');
    await wa.locator('input[name="form[phone_number_id]"]').fill('106540352242922');
    await wa.locator('input[name="form[access_token]"]').fill('EAAG-browser-token');
    await wa.locator('input[name="form[app_secret]"]').fill('0123456789abcdef');
    await wa.locator('input[name="form[verify_token]"]').fill('liaison-verify');
    await wa.locator('button[type=submit]').click();
    await owner.locator('.connector .notice', { hasText: 'WhatsApp settings saved' }).waitFor(WAIT);
    await owner.waitForFunction(
      () => document.querySelector('form.whatsapp-form input[name="form[access_token]"]')
        ?.placeholder.startsWith('saved'),
      null, WAIT,
    );
    assert.equal((await owner.content()).includes('EAAG-browser-token'), false);
    assert.deepEqual(owner.errors, []);
  } finally {
    hook.server.close();
  }
});
