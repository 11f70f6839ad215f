//! A value to copy (a one-time link, a secret shown once): read-only, selectable, and a button
//! that puts it on the clipboard.

use leptos::prelude::*;

#[component]
pub fn CopyField(
    /// What the value is, above it.
    text: String,
    value: Signal<String>,
    /// The button's label ("Copy link").
    button: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window()
                .navigator()
                .clipboard()
                .write_text(&value.get_untracked());
            copied.set(true);
        }
    };
    view! {
        <div class="invite-link" role="status">
            <p>{text}</p>
            <input readonly class="invite-url" prop:value=move || value.get()/>
            <button type="button" class="secondary" on:click=copy>
                {move || if copied.get() { "Copied" } else { button }}
            </button>
        </div>
    }
}
