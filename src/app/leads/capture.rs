//! "Capture Lead" in the conversation panel: a form pre-filled with what the visitor gave
//! (name, email, phone), email required; saved to the Leads page.

use super::api::{CaptureLead as Save, lead_prefill};
use leptos::prelude::*;
use liaison_protocol::lead::{LeadForm, valid_email};

#[component]
pub fn CaptureLead(conversation_id: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    let save = ServerAction::<Save>::new();
    view! {
        <button type="button" class="capture-lead" on:click=move |_| open.update(|o| *o = !*o)>"Capture Lead"</button>
        {move || open.get().then(|| view! { <LeadFormView conversation_id save open/> })}
    }
}

#[component]
fn LeadFormView(
    conversation_id: i64,
    save: ServerAction<Save>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let prefill = LocalResource::new(move || lead_prefill(conversation_id));
    let fields = RwSignal::new(LeadForm::default());
    Effect::new(move |_| {
        if let Some(Ok(p)) = prefill.get() {
            fields.set(p);
        }
    });
    let email_ok = move || fields.with(|f| valid_email(f.email.trim()));
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(_) => view! {
                <p class="notice" role="status">"Lead saved. "<a href="/leads">"See Leads"</a></p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let input = move |label: &'static str, name: &'static str, kind: &'static str| {
        let get = move |f: &LeadForm| match name {
            "email" => f.email.clone(),
            "name" => f.name.clone(),
            "phone" => f.phone.clone(),
            "company" => f.company.clone(),
            _ => f.message.clone(),
        };
        let set = move |v: String| {
            fields.update(|f| match name {
                "email" => f.email = v,
                "name" => f.name = v,
                "phone" => f.phone = v,
                "company" => f.company = v,
                _ => f.message = v,
            })
        };
        view! {
            <label>{label}
                <input type=kind name=name prop:value=move || fields.with(get)
                    on:input=move |ev| set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <form class="lead-form card" aria-label="Capture lead" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(Save { conversation_id, form: fields.get_untracked() });
        }>
            <strong>"Capture lead"</strong>
            {input("Email (required)", "email", "email")}
            <Show when=move || fields.with(|f| !f.email.trim().is_empty()) && !email_ok()>
                <span class="error small">"This is not a valid email address."</span>
            </Show>
            {input("Name", "name", "text")}
            {input("Phone", "phone", "tel")}
            {input("Company", "company", "text")}
            <label>"Message"
                <textarea name="message" rows="2" prop:value=move || fields.with(|f| f.message.clone())
                    on:input=move |ev| fields.update(|f| f.message = event_target_value(&ev))></textarea>
            </label>
            {outcome}
            <div class="row">
                <button type="submit" class="capture-lead" disabled=move || !email_ok()>"Save lead"</button>
                <button type="button" class="link" on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </form>
    }
}
