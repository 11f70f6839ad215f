// Liaison widget loader: the one file a customer's page includes.
//   <script type="module" src="https://HOST/widget/liaison.js" data-liaison-url="https://HOST"></script>
// Optional: data-lang="fr" (en, fr, de, es, it, pt) instead of the browser's language;
// data-user-id="42" data-user-hash="…" (HMAC-SHA256 of the id with the identity secret, made by
// the site's server: Settings → Widget security) to say which of the site's users this is.
//
// It shows the launcher and starts the visit (a session and its stream: the dashboard's live
// visitors) at once. The chat itself (liaison-core: wasm) loads when a visitor reaches for the
// launcher (pointer over it, focus, click), so a page view by someone who never chats costs
// this file and a few small requests, not the widget; a visitor who has chatted gets it at once.
const self = new URL(import.meta.url);
const tag = [...document.querySelectorAll('script[data-liaison-url]')]
  .find((s) => s.src && new URL(s.src, location.href).href === self.href);
const base = ((tag && tag.dataset.liaisonUrl) || self.origin).replace(/\/+$/, '');
// The look (Settings → Widget) and, for a language other than English, the widget's words in
// it. Without them the widget still works, in English.
const lang = (tag && tag.dataset.lang) || navigator.language || 'en';
const text = await fetch(`${base}/api/widget/v1/config?lang=${encodeURIComponent(lang)}`)
  .then((r) => (r.ok ? r.text() : ''), () => '');
let config = {};
try { config = JSON.parse(text) || {}; } catch { /* English, default look */ }
const look = config.look || {};

const host = document.createElement('div');
host.id = 'liaison-widget';
// The signed-in user, for the chat's own session calls too.
const user = tag && tag.dataset.userId
  ? { id: tag.dataset.userId, hash: tag.dataset.userHash || null } : null;
if (user) {
  host.dataset.userId = user.id;
  if (user.hash) host.dataset.userHash = user.hash;
}
if (/^#[0-9a-fA-F]{6}$/.test(look.colour || '')) host.style.setProperty('--c', look.colour);
if (look.position === 'left') host.className = 'left';
const root = host.attachShadow({ mode: 'open' });
root.innerHTML = '<style>:host{all:initial}.launcher{position:fixed;right:20px;bottom:20px;'
  + 'width:56px;height:56px;border-radius:50%;border:0;background:var(--c,#4f46e5);color:#fff;'
  + 'cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 20px rgba(0,0,0,.25);'
  + 'z-index:2147483646}:host(.left) .launcher{left:20px;right:auto}</style>'
  + '<button class="launcher" type="button"><svg width="26" height="26" viewBox="0 0 24 24" '
  + 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
  + 'stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 '
  + '2-2h14a2 2 0 0 1 2 2z"/></svg></button>';
const launcher = root.querySelector('button');
// "Open chat" is the widget's first text.
launcher.setAttribute('aria-label', (config.texts && config.texts[0]) || 'Open chat');
document.body.append(host);

let core;
let started = false;
let presence;
const load = () => (core ||= import('./liaison-core.js').then(async (m) => {
  await m.default({ module_or_path: new URL('liaison-core_bg.wasm', self) });
  return m;
}));
const start = async (open) => {
  started = true;
  const m = await load();
  presence?.close();
  m.mount(base, text, open);
};
const stored = (key) => { try { return localStorage.getItem(key); } catch { return null; } };
// Someone who has had a conversation in front of them gets the chat at once: replies and the
// unread count arrive while they browse.
if (stored('liaison.seen')) {
  start(false);
} else {
  launcher.addEventListener('pointerenter', load, { once: true });
  launcher.addEventListener('focus', load, { once: true });
  // This click opens the chat it loads; stopped here, so it does not also reach the chat's own
  // listener (on the shadow root, added while the click is still on its way) and close it.
  launcher.addEventListener('click', (e) => { e.stopPropagation(); start(true); }, { once: true });
}

// Until then, the visit: a session, and the stream that lists this visitor in the dashboard's
// live visitors while the page is open (the chat opens its own, and this one closes).
const KEY = 'liaison.visitor';
try {
  const answer = await fetch(`${base}/api/widget/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      token: stored(KEY),
      user,
      metadata: {
        browser: navigator.userAgent,
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        referrer: document.referrer || null,
        page: location.href,
        language: config.lang || 'en',
      },
    }),
  });
  const { token } = await answer.json();
  if (!started) {
    try { localStorage.setItem(KEY, token); } catch { /* storage blocked */ }
    presence = new EventSource(`${base}/api/widget/v1/stream?token=${encodeURIComponent(token)}`);
  }
} catch { /* offline: the chat retries when it loads */ }
