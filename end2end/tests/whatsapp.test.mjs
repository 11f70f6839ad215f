// WhatsApp in a browser: with the connection pointed at a fake Graph API (a small server in this
// test), a customer's WhatsApp message arrives through the signed webhook and shows live in the
// inbox with the WhatsApp icon and the number; the channel dropdown shows it alone; an operator
// joins and replies, and the fake Graph API receives the reply with the access token; a day
// later (the browser's clock moved on) the panel warns that the window has closed and offers the
// template instead of free text, and the template goes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { BASE, OWNER, WAIT, clickUntil, hydrated, newPage, signIn, waitLive, until } from './helpers.mjs';

const APP_SECRET = 'e2e-app-secret-0123';

/** A fake Graph API on 127.0.0.1: keeps what is sent to the messages endpoint. */
async function fakeGraph() {
  const sent = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.method === 'POST' && req.url.endsWith('/messages')) {
        sent.push({ auth: req.headers.authorization, json: JSON.parse(body) });
        n += 1;
        res.writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.e2e.${n}` }] }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}/v21.0`, sent, server };
}

/** Posts a notification as Meta does, signed with the app secret. */
async function notify(from, name, id, text) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      contacts: [{ profile: { name }, wa_id: from }],
      messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
    } }] }],
  });
  const signature = 'sha256=' + crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex');
  const r = await fetch(`${BASE}/webhooks/whatsapp`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body,
  });
  assert.equal(r.status, 200);
}

test('a WhatsApp conversation: live in the inbox, a reply out through the Graph API, the template after 24 hours', async () => {
  const graph = await fakeGraph();
  try {
    const page = await newPage();
    await page.clock.install();
    await signIn(page, OWNER);
    await page.goto(`${BASE}/connectors`);
    await hydrated(page);
    const wa = page.locator('form.whatsapp-form');
    await wa.waitFor(WAIT);
    assert.equal(await page.locator('code.webhook-url').textContent(), `${BASE}/webhooks/whatsapp`);
    await wa.locator('input[name="form[phone_number_id]"]').fill('106540352242922');
    await wa.locator('input[name="form[access_token]"]').fill('EAAG-e2e-token');
    await wa.locator('input[name="form[app_secret]"]').fill(APP_SECRET);
    await wa.locator('input[name="form[verify_token]"]').fill('liaison-verify');
    await wa.locator('input[name="form[graph_url]"]').fill(graph.base);
    await wa.locator('input[name="form[template_name]"]').fill('follow_up');
    await wa.locator('input[name="form[template_language]"]').fill('en_US');
    await wa.locator('button[type=submit]').click();
    await page.locator('.connector .notice', { hasText: 'WhatsApp settings saved' }).waitFor(WAIT);

    await page.goto(`${BASE}/conversations`);
    await hydrated(page);
    await waitLive(page);
    // The customer writes on WhatsApp: the row appears live, with the icon and the number.
    const wamid = `wamid.e2e.in.${Date.now()}`;
    await notify('447700900123', 'Priya Shah', wamid, 'I want to talk to a human about my order');
    const row = page.locator('.conversation-row', { hasText: '+447700900123' });
    await row.waitFor(WAIT);
    await row.locator('.channel-icon.channel-whatsapp').waitFor(WAIT);
    assert.match(await row.locator('.name').textContent(), /Priya Shah · \+447700900123/);
    // The AI answered first (here: it hands over), through the Graph API.
    await until(() => graph.sent.length >= 1);

    // The channel dropdown: WhatsApp alone.
    await page.selectOption('select.channel', 'whatsapp');
    await page.waitForURL(/channel=whatsapp/, WAIT);
    await row.waitFor(WAIT);
    await page.waitForFunction(
      () => [...document.querySelectorAll('.conversation-row .channel-icon')]
        .every((i) => i.classList.contains('channel-whatsapp')),
      null, WAIT);

    // Join and reply: the reply goes to the customer's number, with the access token, and
    // its ticks show it was sent.
    await row.locator('a').click();
    const id = await row.getAttribute('data-conversation');
    await page.locator(`article.detail[data-conversation="${id}"]`).waitFor(WAIT);
    await page.locator('.whatsapp-window .window-left').waitFor(WAIT);
    await clickUntil(page, 'button:has-text("Join session")', 'text=Live — you are in this session');
    await page.waitForFunction(() => !document.querySelector('.composer textarea').disabled, null, WAIT);
    await page.fill('.composer textarea', 'Hello Priya, this is the support team.');
    await page.press('.composer textarea', 'Enter');
    const reply = await until(() => graph.sent.find((s) => s.json.text?.body === 'Hello Priya, this is the support team.'));
    assert.equal(reply.json.to, '447700900123');
    assert.equal(reply.auth, 'Bearer EAAG-e2e-token');
    await page.locator('.thread .msg-agent', { hasText: 'Hello Priya' }).locator('.ticks-sent').waitFor(WAIT);

    // A day later: the warning, the composer closed, the template offered; it goes out.
    await page.clock.fastForward('25:00:00');
    await page.locator('.whatsapp-window.closed .window-closed', { hasText: 'may not be delivered' }).waitFor(WAIT);
    await page.waitForFunction(() => document.querySelector('.composer textarea').disabled, null, WAIT);
    await page.click('.whatsapp-window button.template');
    const template = await until(() => graph.sent.find((s) => s.json.type === 'template'));
    assert.equal(template.json.template.name, 'follow_up');
    await page.locator('.thread .msg-agent', { hasText: 'Template “follow_up”' }).waitFor(WAIT);
    assert.deepEqual(page.errors, []);
  } finally {
    graph.server.close();
  }
});
