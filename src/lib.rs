//! Liaison: AI-first customer-support chat. The dashboard (Leptos, SSR + hydrate) lives in
//! `app`; everything that runs only on the server lives in `server`. See ARCHITECTURE.md.

// Release builds of the hydrate bundle (no `erase_components`) nest view types deeply; the
// conversation panel passes the default limit of 128.
#![recursion_limit = "256"]

pub mod app;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazily loaded chunks: hydration waits for the current page's chunk.
    leptos::mount::hydrate_lazy(app::App);
    // A marker for people and browser tests: event handlers are attached from here on.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
