// The AI agent and the knowledge base in the browser: upload a document, configure an
// OpenAI-compatible endpoint in Settings (a local fake that streams slowly), watch the widget
// stream a cited answer, see an out-of-scope question land under Knowledge Gaps, and insert a
// Copilot draft into the composer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, OWNER, WAIT, hydrated, newPage, signIn, sendFromWidget } from './helpers.mjs';

const ANSWER = ['Every kettle ', 'comes with ', 'a two year ', 'warranty ', '[1].'];
const DRAFTS = 'Our kettles have a two year warranty.\n---\nYes, two years on every kettle.\n---\nThe warranty lasts two years.';
let llm;
let llmUrl;
const requests = [];

/** A local OpenAI-compatible server: streams ANSWER a piece every 250 ms; drafts for Copilot. */
function startFakeLlm() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', async () => {
        const request = JSON.parse(body || '{}');
        requests.push(request);
        const base = { id: 'chatcmpl-e2e', created: 1, model: 'fake' };
        if (!request.stream) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ...base, object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: DRAFTS }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta, finish = null) => `data: ${JSON.stringify({ ...base,
          object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: '' }));
        for (const piece of ANSWER) {
          await new Promise((r) => setTimeout(r, 250));
          res.write(chunk({ content: piece }));
        }
        res.write(chunk({}, 'stop'));
        res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [],
          usage: { prompt_tokens: 100, completion_tokens: 12, total_tokens: 112 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Saves the agent settings through the Settings page. */
async function saveSettings(page, baseUrl) {
  await page.goto(`${BASE}/settings`);
  await hydrated(page);
  await page.fill('input[name="form[base_url]"]', baseUrl);
  await page.fill('input[name="form[model]"]', baseUrl ? 'fake-model' : '');
  // The fake endpoint is on this machine: the Owner allows a private address.
  if (baseUrl) await page.check('input[name="form[allow_private]"]');
  await page.click('button:has-text("Save settings")');
  await page.waitForSelector('text=Settings saved.', WAIT);
}

before(async () => {
  llm = await startFakeLlm();
  llmUrl = `http://127.0.0.1:${llm.address().port}/v1`;
});

after(() => llm?.close());

test('upload, streamed cited answer, knowledge gap, copilot', async () => {
  const owner = await newPage();
  await signIn(owner, OWNER);
  await saveSettings(owner, llmUrl);
  try {
    await scenario(owner);
  } finally {
    // Leave the shared server as the other tests expect it: the built-in answerer.
    await saveSettings(owner, '');
  }
});

async function scenario(owner) {
  // Upload a document; it is processed in the background and turns ready live.
  await owner.goto(`${BASE}/documents`);
  await hydrated(owner);
  await owner.setInputFiles('input[type=file]', {
    name: 'kettle-warranty.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# Kettle warranty\n\nEvery kettle we sell has a two year warranty covering defects.'),
  });
  await owner.click('form[enctype="multipart/form-data"] button[type=submit]');
  const row = owner.locator('tr[data-status=ready]', { hasText: 'kettle warranty' });
  await row.waitFor(WAIT);
  const documentId = await row.getAttribute('data-document');
  // Documents are private until published; published, the AI's citations link to its page.
  await row.locator('[data-testid=publish-document]').click();
  await owner.locator(`tr[data-document="${documentId}"] td.published a`).waitFor(WAIT);
  assert.ok(parseInt(await owner.textContent('[data-testid=documents-ready]'), 10) >= 1);

  // The visitor asks; the answer streams in, then stays with its source as a link.
  const visitor = await newPage();
  await visitor.goto(`${BASE}/demo`);
  const input = await sendFromWidget(visitor, 'How long is the kettle warranty?');
  const streaming = visitor.locator('#liaison-widget .msg.ai.streaming');
  await streaming.waitFor(WAIT);
  const partial = await streaming.locator('.body').textContent();
  assert.ok(partial.length < ANSWER.join('').length, `seen while streaming: ${partial}`);
  const answer = visitor.locator('#liaison-widget .msg.ai:not(.streaming)', { hasText: 'two year warranty' });
  await answer.waitFor(WAIT);
  assert.equal(await answer.locator('.body').textContent(), 'Every kettle comes with a two year warranty.');
  const link = answer.locator('.sources a');
  assert.equal(await link.textContent(), 'kettle warranty');
  assert.ok((await link.getAttribute('href')).endsWith(`/help/documents/${documentId}`));
  assert.equal(await streaming.count(), 0, 'the draft gave way to the stored answer');
  const prompt = requests.find((r) => r.stream).messages[0].content;
  assert.match(prompt, /two year warranty covering defects/);

  // Outside the knowledge base: a handover, and a knowledge gap.
  await input.fill('Do you repair bicycles?');
  await input.press('Enter');
  await visitor.locator('#liaison-widget .msg.ai', { hasText: "couldn't find" }).waitFor(WAIT);
  await owner.goto(`${BASE}/knowledge-gaps`);
  await owner.locator('.gap-group', { hasText: 'Do you repair bicycles?' }).waitFor(WAIT);

  // Copilot drafts a reply; Insert puts it in the composer.
  const token = await visitor.evaluate(() => localStorage.getItem('liaison.visitor'));
  const view = await (await fetch(`${BASE}/api/widget/v1/conversation`, {
    headers: { authorization: `Bearer ${token}` },
  })).json();
  await owner.goto(`${BASE}/conversations?c=${view.conversation.id}`);
  await hydrated(owner);
  await owner.click('button.copilot-toggle');
  await owner.locator('.copilot-draft').first().waitFor(WAIT);
  const first = owner.locator('.copilot-draft').first();
  assert.equal(await first.locator('p').textContent(), 'Our kettles have a two year warranty.');
  await first.locator('button:has-text("Insert")').click();
  await owner.waitForFunction(
    () => document.querySelector('.composer textarea').value === 'Our kettles have a two year warranty.',
    null, WAIT,
  );
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(visitor.errors, []);
}
