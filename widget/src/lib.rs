//! The Liaison chat widget: launcher bubble and panel in a shadow root (so the host page's
//! styles neither reach in nor out), talking to the widget API and its SSE stream.
//! No framework: wasm-bindgen + web-sys + gloo-net keep it small, because it loads on every
//! page of a customer's site.

pub mod digits;
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
pub fn mount(base_url: String, config_json: String, open: bool) {
    ui::mount(base_url, config_json, open);
}

/// A small free-list allocator instead of the default dlmalloc: about 2.5 KB less on the wire
/// (brotli), for a widget whose allocations are few and short (the page is single-threaded).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
