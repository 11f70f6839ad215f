// Liaison widget loader: the one file a customer's page includes.
//   <script type="module" src="https://HOST/widget/liaison.js" data-liaison-url="https://HOST"></script>
import init, { mount } from './liaison-core.js';

const self = new URL(import.meta.url);
const tag = [...document.querySelectorAll('script[data-liaison-url]')]
  .find((s) => s.src && new URL(s.src, location.href).href === self.href);
const base = (tag && tag.dataset.liaisonUrl) || self.origin;
await init({ module_or_path: new URL('liaison-core_bg.wasm', self) });
mount(base.replace(/\/+$/, ''));
