//! Who else is looking at a conversation, and whether the visitor is typing: live-only events,
//! kept for a few seconds each. This panel announces itself every ten seconds while it is open.

use super::api::signal_presence;
use crate::app::format::clock_ms;
use crate::app::live::use_live;
use leptos::prelude::*;
use liaison_protocol::{Event, Sender};

/// A viewer not heard from for this long has left.
const VIEWER_MS: i64 = 25_000;
/// "Typing…" shows this long after the last keystroke event.
const TYPING_MS: i64 = 5_000;
/// How often an open panel says it is open.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const HEARTBEAT_MS: u64 = 10_000;

/// Operators (other than `me`) seen looking at the conversation: (id, name, last seen).
pub fn viewers_now(seen: &[(i64, String, i64)], me: i64, now: i64) -> Vec<String> {
    seen.iter()
        .filter(|(id, _, at)| *id != me && now - at < VIEWER_MS)
        .map(|(_, name, _)| name.clone())
        .collect()
}

/// "AB" for "Ana Baker", "S" for "Sam".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[component]
pub fn Presence(id: i64, me: i64) -> impl IntoView {
    let live = use_live();
    let seen = RwSignal::new(Vec::<(i64, String, i64)>::new());
    let typing_until = RwSignal::new(0i64);
    // Re-evaluated every second so both fade out on time.
    let now = RwSignal::new(clock_ms());
    live.follow_new(move |_, event| match event {
        Event::Viewing {
            conversation_id,
            operator_id,
            name,
        } if *conversation_id == id => seen.update(|s| {
            s.retain(|(o, ..)| o != operator_id);
            s.push((*operator_id, name.clone(), clock_ms()));
        }),
        Event::Typing {
            conversation_id,
            sender: Sender::Customer,
        } if *conversation_id == id => typing_until.set(clock_ms() + TYPING_MS),
        Event::MessageCreated { message }
            if message.conversation_id == id && message.sender == Sender::Customer =>
        {
            typing_until.set(0)
        }
        _ => {}
    });
    #[cfg(feature = "hydrate")]
    {
        let announce = move || {
            leptos::task::spawn_local(async move {
                let _ = signal_presence(id, false).await;
            })
        };
        announce();
        let beat =
            set_interval_with_handle(announce, std::time::Duration::from_millis(HEARTBEAT_MS)).ok();
        let tick = set_interval_with_handle(
            move || now.set(clock_ms()),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            for h in [beat, tick].into_iter().flatten() {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = signal_presence;
    let viewers = move || seen.with(|s| viewers_now(s, me, now.get()));
    view! {
        <div class="presence">
            <Show when=move || !viewers().is_empty()>
                <span class="viewers" aria-label="Also viewing">
                    {move || viewers().into_iter().map(|n| view! {
                        <span class="avatar" title=format!("{n} is viewing")>{initials(&n)}</span>
                    }).collect_view()}
                    <span class="muted small">" also viewing"</span>
                </span>
            </Show>
            <Show when=move || now.get() < typing_until.get()>
                <span class="typing muted small" role="status">"Visitor is typing…"</span>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_fade_and_exclude_me() {
        let seen = vec![
            (1, "Me".to_string(), 0),
            (2, "Ana Baker".into(), 0),
            (3, "Sam".into(), -30_000),
        ];
        assert_eq!(viewers_now(&seen, 1, 1_000), ["Ana Baker"]);
        assert_eq!(initials("Ana Baker"), "AB");
        assert_eq!(initials("sam (demo agent)"), "SD");
        assert_eq!(initials(""), "");
    }
}
