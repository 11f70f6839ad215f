//! The Liaison chat widget: launcher bubble and panel in a shadow root (so the host page's
//! styles neither reach in nor out), talking to the widget API and its SSE stream.
//! No framework: wasm-bindgen + web-sys + gloo-net keep it small, because it loads on every
//! page of a customer's site.

pub mod thread;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod json;

#[cfg(target_arch = "wasm32")]
mod texts;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(base_url: String, texts_json: String) {
    ui::mount(base_url, texts_json);
}
