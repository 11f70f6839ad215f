//! A WhatsApp conversation in the panel: the customer's number, the 24-hour customer service
//! window (time left, then the guide's warning and the approved template instead of free text),
//! and the ticks beside each reply.

use super::api::SendWhatsappTemplate;
use crate::app::format::{clock_ms, duration};
use crate::app::live::use_live;
use leptos::prelude::*;
use liaison_protocol::Delivery;

/// The bar above the thread.
#[component]
pub fn WindowBar(
    id: i64,
    phone: String,
    template: String,
    /// When the window closes (moved on by each customer message).
    closes_at: RwSignal<Option<i64>>,
    /// Whether the operator looking holds the conversation (only the holder sends).
    holder: Signal<bool>,
) -> impl IntoView {
    let tick = use_live().tick;
    let left = move || {
        tick.track();
        closes_at.get().map_or(0, |at| (at - clock_ms()).max(0))
    };
    let send = ServerAction::<SendWhatsappTemplate>::new();
    let refused = move || {
        send.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let has_template = !template.is_empty();
    let button = format!("Send template “{template}”");
    view! {
        <div class="whatsapp-window" class:closed=move || left() == 0 role="status">
            <span class="channel-icon channel-whatsapp" title="WhatsApp"></span>
            <span class="phone">{phone}</span>
            <Show
                when=move || left() == 0
                fallback=move || view! {
                    <span class="window-left">"24-hour window: "{move || duration(left())}" left"</span>
                }
            >
                <span class="window-closed">
                    "The 24-hour window has expired: a message may not be delivered. WhatsApp only delivers an approved template now."
                </span>
                {if has_template {
                    let button = button.clone();
                    view! {
                        <button type="button" class="template" disabled=move || !holder.get() || send.pending().get()
                            title=move || if holder.get() { "" } else { "Join the session to send it" }
                            on:click=move |_| { send.dispatch(SendWhatsappTemplate { id }); }>
                            {button}
                        </button>
                    }.into_any()
                } else {
                    view! { <span class="muted small">"No template is set: an Admin sets one in Connectors → WhatsApp."</span> }.into_any()
                }}
            </Show>
            {move || refused().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}

/// The ticks beside a reply sent on WhatsApp, and why it failed.
pub fn ticks(delivery: Delivery, error: Option<String>) -> impl IntoView {
    let title = match &error {
        Some(e) => format!("{}: {e}", delivery.label()),
        None => delivery.label().to_string(),
    };
    let failed = (delivery == Delivery::Failed).then(|| {
        view! { <div class="delivery-error" role="alert">"Not delivered: "{error.unwrap_or_default()}</div> }
    });
    view! {
        <span class=format!("ticks ticks-{}", delivery.as_str()) title=title aria-label=delivery.label()>
            {delivery.ticks()}
        </span>
        {failed}
    }
}
