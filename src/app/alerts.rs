//! Toasts: "Needs agent" when a customer asks for a human, and handoffs sent to me, with a short
//! tone (Web Audio, no file). At most five at once, each gone after twelve seconds; a click
//! opens the conversation. Which events alert whom is [`Toasts::on_event`], pure and
//! unit-tested; the component only shows them, starts the timers and plays the tone.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_protocol::handoff::HandoffStep;
use liaison_protocol::{ConversationStatus, Event};

/// At most this many toasts at once; a new one pushes the oldest out.
pub const MAX_TOASTS: usize = 5;
/// Each toast leaves after this long.
pub const TOAST_MS: u32 = 12_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// Numbered in arrival order (the key for the list and the timer).
    pub key: u64,
    pub conversation_id: i64,
    /// A customer waits for a human (its detail names them once the row event says who).
    pub needs_agent: bool,
    pub title: &'static str,
    /// Who (the visitor's name once known) and why.
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toasts {
    pub shown: Vec<Toast>,
    next: u64,
}

impl Toasts {
    /// Adds the toast `event` calls for, seen by operator `me`; returns it (for the tone and
    /// the timer). Later events about a toast's conversation fill in the visitor's name.
    pub fn on_event(&mut self, me: i64, event: &Event) -> Option<Toast> {
        let (conversation_id, title, detail) =
            match event {
                Event::StatusChanged {
                    conversation_id,
                    status: ConversationStatus::NeedsAgent,
                } => (
                    *conversation_id,
                    "Needs agent",
                    "A customer asked for a human.".to_string(),
                ),
                Event::Handoff {
                    conversation_id,
                    step,
                    to_id,
                    reason,
                    ..
                } if *to_id == me
                    && matches!(step, HandoffStep::Requested | HandoffStep::Transferred) =>
                {
                    let title = match step {
                        HandoffStep::Requested => "Delegation request",
                        _ => "Transferred to you",
                    };
                    let detail = reason.clone().unwrap_or_else(|| "No reason given.".into());
                    (*conversation_id, title, detail)
                }
                Event::ConversationUpdated { conversation, .. } => {
                    for t in self.shown.iter_mut().filter(|t| {
                        t.conversation_id == conversation.id && t.title == "Needs agent"
                    }) {
                        t.detail = format!("{} asked for a human.", conversation.visitor);
                    }
                    return None;
                }
                _ => return None,
            };
        let toast = Toast {
            key: self.next,
            conversation_id,
            needs_agent: matches!(event, Event::StatusChanged { .. }),
            title,
            detail,
        };
        self.next += 1;
        self.shown.push(toast.clone());
        if self.shown.len() > MAX_TOASTS {
            self.shown.remove(0);
        }
        Some(toast)
    }

    pub fn dismiss(&mut self, key: u64) {
        self.shown.retain(|t| t.key != key);
    }
}

/// The toasts of the signed-in frame, for operator `me`.
#[component]
pub fn Alerts(me: Signal<Option<i64>>) -> impl IntoView {
    let live = crate::app::live::use_live();
    let toasts = RwSignal::new(Toasts::default());
    // From the next event on: nothing that happened before the page loaded alerts.
    live.follow_new(move |_, event| {
        let Some(me) = me.get_untracked() else {
            return;
        };
        if let Some(toast) = toasts.try_update(|t| t.on_event(me, event)).flatten() {
            tone();
            let key = toast.key;
            set_timeout(
                move || toasts.update(|t| t.dismiss(key)),
                std::time::Duration::from_millis(TOAST_MS.into()),
            );
        }
    });
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || toasts.get().shown key=|t| t.key children=move |t| {
                let key = t.key;
                view! {
                    <A href=format!("/conversations?c={}", t.conversation_id)
                        attr:class="toast" attr:data-conversation=t.conversation_id
                        on:click=move |_| toasts.update(|ts| ts.dismiss(key))>
                        <strong>{t.title}</strong>
                        <span>{t.detail}</span>
                    </A>
                }
            }/>
        </div>
    }
}

/// A short two-note chime from an oscillator: no audio file to download.
fn tone() {
    #[cfg(feature = "hydrate")]
    {
        let play = || -> Result<(), wasm_bindgen::JsValue> {
            let ctx = web_sys::AudioContext::new()?;
            let osc = ctx.create_oscillator()?;
            let gain = ctx.create_gain()?;
            let t = ctx.current_time();
            osc.frequency().set_value_at_time(880.0, t)?;
            osc.frequency().set_value_at_time(1320.0, t + 0.12)?;
            gain.gain().set_value_at_time(0.15, t)?;
            gain.gain()
                .exponential_ramp_to_value_at_time(0.001, t + 0.3)?;
            osc.connect_with_audio_node(&gain)?;
            gain.connect_with_audio_node(&ctx.destination())?;
            osc.start()?;
            osc.stop_with_when(t + 0.3)?;
            Ok(())
        };
        // Browsers refuse sound before the first click on the page; the toast still shows.
        let _ = play();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::ConversationStatus::*;

    fn needs(id: i64) -> Event {
        Event::StatusChanged {
            conversation_id: id,
            status: NeedsAgent,
        }
    }

    #[test]
    fn six_escalations_show_the_five_newest() {
        let mut t = Toasts::default();
        for id in 1..=6 {
            assert!(t.on_event(1, &needs(id)).is_some());
        }
        let ids: Vec<i64> = t.shown.iter().map(|t| t.conversation_id).collect();
        assert_eq!(ids, [2, 3, 4, 5, 6]);
        t.dismiss(t.shown[0].key);
        assert_eq!(t.shown.len(), 4);
    }

    #[test]
    fn only_requests_for_me_and_needs_agent_alert() {
        let mut t = Toasts::default();
        let handoff = |step, to_id| Event::Handoff {
            conversation_id: 9,
            step,
            from_id: 2,
            to_id,
            reason: Some("VIP".into()),
        };
        assert!(t.on_event(1, &handoff(HandoffStep::Requested, 3)).is_none());
        assert!(t.on_event(1, &handoff(HandoffStep::Rejected, 1)).is_none());
        let toast = t.on_event(1, &handoff(HandoffStep::Requested, 1)).unwrap();
        assert_eq!(
            (toast.title, toast.detail.as_str()),
            ("Delegation request", "VIP")
        );
        assert!(
            t.on_event(
                1,
                &Event::StatusChanged {
                    conversation_id: 4,
                    status: Open
                }
            )
            .is_none()
        );
        assert!(
            t.on_event(1, &handoff(HandoffStep::Transferred, 1))
                .is_some()
        );
    }
}
