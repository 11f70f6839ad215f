//! Live updates for the dashboard: one EventSource on the dashboard stream. Pages read
//! `version` in their resources' keys, so every event refetches what is on screen; a
//! reconnect refetches too, so nothing missed while offline stays missing.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Live {
    /// Bumped on every event and on every (re)connection.
    pub version: RwSignal<u64>,
    pub connected: RwSignal<bool>,
    /// Bumped every 30 s, so "time since" texts move on between events.
    pub tick: RwSignal<u64>,
}

pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or(Live {
        version: RwSignal::new(0),
        connected: RwSignal::new(false),
        tick: RwSignal::new(0),
    })
}

pub fn provide_live() {
    let live = Live {
        version: RwSignal::new(0),
        connected: RwSignal::new(false),
        tick: RwSignal::new(0),
    };
    provide_context(live);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        connect(live);
    });
}

#[cfg(feature = "hydrate")]
fn connect(live: Live) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new("/api/dashboard/v1/stream") else {
        return;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
            live.version.update(|v| *v += 1);
        });
    let on_open = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
        live.connected.set(true);
        live.version.update(|v| *v += 1);
    });
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
        live.connected.set(false);
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The dashboard frame lives as long as the page; so do these handlers.
    on_message.forget();
    on_open.forget();
    on_error.forget();
    let on_tick = Closure::<dyn Fn()>::new(move || live.tick.update(|t| *t += 1));
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            on_tick.as_ref().unchecked_ref(),
            30_000,
        );
    }
    on_tick.forget();
}
