//! Rich content in the thread: images as thumbnails that open a full-size viewer (Esc closes,
//! arrows move), voice messages as an inline player, files as download links, booking slots as
//! a card with the slots in a grid.

use crate::app::format::date_time;
use leptos::prelude::*;
use liaison_protocol::{Attachment, Message, MessageKind};

/// Where the dashboard reads an attachment.
pub fn attachment_url(id: i64, thumb: bool) -> String {
    if thumb {
        format!("/api/dashboard/v1/attachments/{id}?thumb")
    } else {
        format!("/api/dashboard/v1/attachments/{id}")
    }
}

/// "1.2 MB", "340 KB", "12 B".
pub fn size_label(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The attachment part of a message bubble. `open` shows an image in the viewer.
pub fn attachment_view(m: &Message, open: impl Fn(i64) + 'static) -> Option<AnyView> {
    let a = m.attachment.clone()?;
    Some(match m.kind {
        MessageKind::Image => {
            let src = if a.thumbnail {
                attachment_url(a.id, true)
            } else {
                attachment_url(a.id, false)
            };
            let id = a.id;
            view! {
                <button type="button" class="thumb" title=format!("Open {}", a.name) on:click=move |_| open(id)>
                    <img src=src alt=a.name.clone() loading="lazy"/>
                </button>
            }
            .into_any()
        }
        MessageKind::Voice => view! {
            <audio class="voice" controls preload="metadata" src=attachment_url(a.id, false)
                aria-label="Voice message"></audio>
        }
        .into_any(),
        _ => file_link(&a),
    })
}

/// A booking message's card: the slots offered in a grid, or the one booked.
pub fn booking_view(m: &Message) -> Option<AnyView> {
    let card = m.booking.clone()?;
    let zone = format!("Business time zone: {}", card.time_zone);
    Some(match card.booked {
        Some(slot) => view! {
            <div class="booking-card booked">
                <span class="slot chosen">"✓ "{date_time(slot.start)}</span>
                <span class="muted small">{zone}</span>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="booking-card">
                <div class="slot-grid">
                    {card.slots.iter().map(|s| view! { <span class="slot">{date_time(s.start)}</span> }).collect_view()}
                </div>
                <span class="muted small">{zone}</span>
            </div>
        }
        .into_any(),
    })
}

fn file_link(a: &Attachment) -> AnyView {
    view! {
        <a class="file" href=attachment_url(a.id, false) target="_blank" rel="noopener" download=a.name.clone()>
            <span class="file-icon" aria-hidden="true">"📄"</span>
            <span class="file-name">{a.name.clone()}</span>
            <span class="muted small">{size_label(a.size)}</span>
        </a>
    }
    .into_any()
}

/// The full-size viewer over the thread's images: `open` holds the attachment shown.
#[component]
pub fn Viewer(images: Signal<Vec<Attachment>>, open: RwSignal<Option<i64>>) -> impl IntoView {
    let step = move |by: isize| {
        let list = images.get_untracked();
        let Some(current) = open.get_untracked() else {
            return;
        };
        if let Some(i) = list.iter().position(|a| a.id == current) {
            let next = (i as isize + by).rem_euclid(list.len() as isize) as usize;
            open.set(Some(list[next].id));
        }
    };
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if open.get_untracked().is_none() {
                return;
            }
            match ev.key().as_str() {
                "Escape" => open.set(None),
                "ArrowRight" => step(1),
                "ArrowLeft" => step(-1),
                _ => return,
            }
            ev.prevent_default();
        });
        on_cleanup(move || handle.remove());
    }
    move || {
        let id = open.get()?;
        let a = images.with(|l| l.iter().find(|a| a.id == id).cloned())?;
        Some(view! {
            <div class="viewer" role="dialog" aria-label=a.name.clone() on:click=move |_| open.set(None)>
                <img src=attachment_url(a.id, false) alt=a.name.clone() on:click=|ev| ev.stop_propagation()/>
                <div class="viewer-bar" on:click=|ev| ev.stop_propagation()>
                    <button type="button" aria-label="Previous" on:click=move |_| step(-1)>"←"</button>
                    <span>{a.name.clone()}</span>
                    <button type="button" aria-label="Next" on:click=move |_| step(1)>"→"</button>
                    <button type="button" aria-label="Close" on:click=move |_| open.set(None)>"✕"</button>
                </div>
            </div>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_say_them() {
        assert_eq!(size_label(12), "12 B");
        assert_eq!(size_label(340 * 1024 + 5), "340 KB");
        assert_eq!(size_label(1_258_291), "1.2 MB");
    }
}
