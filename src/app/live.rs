//! Live updates for the dashboard: one EventSource per tab on the dashboard stream, started at
//! the event cursor the page was rendered with (so no history is replayed) and closed when the
//! signed-in frame goes away (sign-out, navigation to the sign-in page).
//!
//! Received events go into a short numbered feed; each view that follows it (`follow`) handles
//! every event newer than the last one it saw, and patches its own state by conversation id.
//! Nothing is refetched on an event. When the server cannot replay a gap (the cursor is older
//! than event retention) it says `refetch`, and views reload once (`refetch` below).

use leptos::prelude::*;
use liaison_protocol::Event;
use std::collections::VecDeque;

/// How many received events are kept for views that have not handled them yet. Views handle
/// them in the same tick, so this only has to cover a burst.
const FEED: usize = 512;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feed {
    /// The number the next event gets.
    next: u64,
    /// (number, stored event id, event), oldest first.
    items: VecDeque<(u64, i64, Event)>,
}

impl Feed {
    pub fn push(&mut self, id: i64, event: Event) {
        self.items.push_back((self.next, id, event));
        self.next += 1;
        while self.items.len() > FEED {
            self.items.pop_front();
        }
    }

    /// The events numbered `from` and later.
    pub fn since(&self, from: u64) -> impl Iterator<Item = (u64, i64, &Event)> {
        self.items
            .iter()
            .filter(move |(n, ..)| *n >= from)
            .map(|(n, id, e)| (*n, *id, e))
    }

    pub fn next(&self) -> u64 {
        self.next
    }

    /// The number of the first stored event after `cursor` still here, else the next one.
    pub fn first_after(&self, cursor: i64) -> u64 {
        self.items
            .iter()
            .find(|(_, id, _)| *id > cursor)
            .map_or(self.next, |(n, ..)| *n)
    }
}

#[derive(Clone, Copy)]
pub struct Live {
    pub connected: RwSignal<bool>,
    /// Bumped every 30 s, so "time since" texts move on between events.
    pub tick: RwSignal<u64>,
    /// Bumped when the server could not replay what this tab missed: views reload once.
    pub refetch: RwSignal<u64>,
    feed: RwSignal<Feed>,
}

impl Live {
    fn new() -> Live {
        Live {
            connected: RwSignal::new(false),
            tick: RwSignal::new(0),
            refetch: RwSignal::new(0),
            feed: RwSignal::new(Feed::default()),
        }
    }

    /// Calls `handle(event id, event)` for every event after `cursor` (the point the view's
    /// data was read at), in order, including those received while it loaded, until the
    /// calling view is disposed.
    pub fn follow(self, cursor: i64, handle: impl Fn(i64, &Event) + 'static) {
        let start = self.feed.with_untracked(|f| f.first_after(cursor));
        self.follow_from(start, handle);
    }

    /// Calls `handle` for every event received from now on (alerts: nothing from before the
    /// page loaded).
    pub fn follow_new(self, handle: impl Fn(i64, &Event) + 'static) {
        let start = self.feed.with_untracked(Feed::next);
        self.follow_from(start, handle);
    }

    /// Calls `handle` for every event numbered `start` or later in the feed.
    fn follow_from(self, start: u64, handle: impl Fn(i64, &Event) + 'static) {
        Effect::new(move |seen: Option<u64>| {
            let from = seen.unwrap_or(start);
            self.feed.with(|feed| {
                for (_, id, event) in feed.since(from) {
                    handle(id, event);
                }
                feed.next()
            })
        });
    }
}

impl Live {
    /// A counter bumped by every event `matters` accepts (and by a `refetch`), for small views
    /// that reload when something they show changed, e.g. the Documents page on
    /// `document_changed`. Other events leave them alone.
    pub fn changes(self, matters: impl Fn(&Event) -> bool + 'static) -> Signal<u64> {
        let n = RwSignal::new(0u64);
        // From the next event on: what the feed already holds is in the view's first load.
        self.follow_new(move |_, e| {
            if matters(e) {
                n.update(|n| *n += 1);
            }
        });
        let refetch = self.refetch;
        Signal::derive(move || n.get() + refetch.get())
    }
}

/// `source`, followed at most once every `ms`: a change starts a timer and the value at its end
/// is passed on, so a burst of events costs one reload. On the server nothing changes.
pub fn throttled(source: Signal<u64>, ms: u64) -> Signal<u64> {
    let out = RwSignal::new(source.get_untracked());
    let waiting = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        source.track();
        if first.is_none() || waiting.get_value() {
            return;
        }
        waiting.set_value(true);
        set_timeout(
            move || {
                waiting.set_value(false);
                out.set(source.get_untracked());
            },
            std::time::Duration::from_millis(ms),
        );
    });
    out.into()
}

pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(Live::new)
}

/// Starts the tab's stream from `cursor` (the newest event id when the frame was rendered).
pub fn provide_live(cursor: Signal<Option<i64>>) {
    let live = Live::new();
    provide_context(live);
    #[cfg(feature = "hydrate")]
    {
        let connection = StoredValue::new_local(None::<browser::Connection>);
        Effect::new(move |started: Option<bool>| {
            if started == Some(true) {
                return true;
            }
            let Some(cursor) = cursor.get() else {
                return false;
            };
            connection.set_value(browser::Connection::open(live, cursor));
            true
        });
        on_cleanup(move || {
            connection.update_value(|c| {
                if let Some(c) = c.take() {
                    c.close();
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = cursor;
}

/// Where an expired or signed-out session lands.
pub const SIGNED_OUT_PAGE: &str = "/login?expired";

/// Sends the browser to the sign-in page (the session is gone).
pub fn session_ended() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(SIGNED_OUT_PAGE);
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Live, session_ended};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// An open EventSource and the handlers it calls; closing drops them all.
    pub struct Connection {
        source: web_sys::EventSource,
        interval: i32,
        _handlers: Vec<Closure<dyn Fn(web_sys::MessageEvent)>>,
        _tick: Closure<dyn Fn()>,
    }

    impl Connection {
        pub fn open(live: Live, cursor: i64) -> Option<Connection> {
            let url = format!("/api/dashboard/v1/stream?after={cursor}");
            let source = web_sys::EventSource::new(&url).ok()?;
            let on_message =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
                    let id = m.last_event_id().parse::<i64>().unwrap_or(0);
                    let Some(data) = m.data().as_string() else {
                        return;
                    };
                    match crate::app::codec::read(&data) {
                        Ok(event) => live.feed.update(|f| f.push(id, event)),
                        Err(e) => leptos::logging::warn!("unreadable event {id}: {e}"),
                    }
                });
            let on_open = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
                live.connected.set(true);
            });
            let on_refetch = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
                live.refetch.update(|n| *n += 1);
            });
            // Live-only events come named and without an id.
            let on_live =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
                    if let Some(event) = m
                        .data()
                        .as_string()
                        .and_then(|d| crate::app::codec::read(&d).ok())
                    {
                        live.feed.update(|f| f.push(0, event));
                    }
                });
            for name in ["visitor_online", "visitor_offline", "typing", "viewing"] {
                let _ =
                    source.add_event_listener_with_callback(name, on_live.as_ref().unchecked_ref());
            }
            let closed = source.clone();
            let on_error = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
                live.connected.set(false);
                // The browser retries network errors by itself; it gives up (CLOSED) only when
                // the server refused the stream, which means the session is gone.
                if closed.ready_state() == web_sys::EventSource::CLOSED {
                    session_ended();
                }
            });
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let _ = source
                .add_event_listener_with_callback("refetch", on_refetch.as_ref().unchecked_ref());
            let tick = Closure::<dyn Fn()>::new(move || live.tick.update(|t| *t += 1));
            let interval = web_sys::window()
                .and_then(|w| {
                    w.set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        30_000,
                    )
                    .ok()
                })
                .unwrap_or(0);
            Some(Connection {
                source,
                interval,
                _handlers: vec![on_message, on_open, on_refetch, on_live, on_error],
                _tick: tick,
            })
        }

        pub fn close(self) {
            self.source.close();
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(self.interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::Event;

    #[test]
    fn the_feed_keeps_order_and_forgets_the_oldest() {
        let mut f = Feed::default();
        for i in 0..(FEED as i64 + 3) {
            f.push(i, Event::ConversationCreated { conversation_id: i });
        }
        assert_eq!(f.next(), FEED as u64 + 3);
        let ids: Vec<i64> = f.since(FEED as u64 + 1).map(|(_, id, _)| id).collect();
        assert_eq!(ids, vec![FEED as i64 + 1, FEED as i64 + 2]);
        assert_eq!(f.since(0).count(), FEED);
        assert_eq!(f.first_after(FEED as i64), FEED as u64 + 1);
        assert_eq!(f.first_after(10_000), f.next());
    }
}
