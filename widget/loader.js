// Liaison widget loader: the one file a customer's page includes.
//   <script type="module" src="https://HOST/widget/liaison.js" data-liaison-url="https://HOST"></script>
// Optional: data-lang="fr" (en, fr, de, es, it, pt) instead of the browser's language.
import init, { mount } from './liaison-core.js';

const self = new URL(import.meta.url);
const tag = [...document.querySelectorAll('script[data-liaison-url]')]
  .find((s) => s.src && new URL(s.src, location.href).href === self.href);
const base = ((tag && tag.dataset.liaisonUrl) || self.origin).replace(/\/+$/, '');
// The look (Settings → Widget) and, for a language other than English, the widget's words in
// it: loaded while the wasm is. Without them the widget still works, in English.
const lang = (tag && tag.dataset.lang) || navigator.language || 'en';
const config = fetch(`${base}/api/widget/v1/config?lang=${encodeURIComponent(lang)}`)
  .then((r) => (r.ok ? r.text() : ''), () => '');
await init({ module_or_path: new URL('liaison-core_bg.wasm', self) });
mount(base, await config);
