//! Settings → Pre-chat form: which of name, email and phone the widget asks before the first
//! message, and which are required.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::prechat::{Ask, PrechatSettings};

#[server(prefix = "/api/admin")]
pub async fn current_prechat_settings() -> Result<PrechatSettings, AppError> {
    super::api::admin_read(crate::server::widget_api::PRECHAT_KEY).await
}

#[server(prefix = "/api/admin")]
pub async fn save_prechat_settings(
    name: String,
    email: String,
    phone: String,
) -> Result<(), AppError> {
    super::api::admin_write(crate::server::widget_api::PRECHAT_KEY, || {
        let ask = |v: &str| {
            Ask::parse(v).ok_or_else(|| format!("{v:?} is not off, optional or required."))
        };
        Ok(PrechatSettings {
            name: ask(&name)?,
            email: ask(&email)?,
            phone: ask(&phone)?,
        })
    })
    .await
}

#[component]
pub fn PrechatSection() -> impl IntoView {
    let save = ServerAction::<SavePrechatSettings>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| current_prechat_settings());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => {
                view! { <p class="notice" role="status">"Pre-chat form saved."</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let select = |name: &'static str, label: &'static str, now: Ask| {
        view! {
            <label>{label}
                <select name=name>
                    {Ask::ALL.map(|a| view! {
                        <option value=a.as_str() selected=a == now>{a.as_str()}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <section class="card">
            <h2>"Pre-chat form"</h2>
            <p class="muted small">"Asked in the widget before the first message. What visitors give shows on their conversation and pre-fills Capture Lead."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = current.await.unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="settings-form prechat-settings">
                            {select("name", "Name", s.name)}
                            {select("email", "Email", s.email)}
                            {select("phone", "Phone", s.phone)}
                            <button type="submit" class="secondary">"Save pre-chat form"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
