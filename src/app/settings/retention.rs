//! Settings → Data retention: how long visitors' metadata is kept after their last visit and
//! attachments after they were sent (an hourly job clears them, `server::retention`), beside the
//! events' retention, which is set in the environment.

use crate::app::error::AppError;
use leptos::prelude::*;

/// The days set for metadata and attachments (empty: kept), the events' hours (empty: the
/// server's default), and that default.
#[server(prefix = "/api/admin")]
pub async fn data_retention() -> Result<(String, String, String, u64), AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    operator_with(liaison_protocol::Role::Admin).await?;
    let state = state()?;
    let r: liaison_protocol::retention::Retention =
        crate::server::db::settings::get(&state.db.read, crate::server::retention::SETTINGS_KEY)
            .await?
            .unwrap_or_default();
    let text = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok((
        text(r.visitor_metadata_days),
        text(r.attachment_days),
        text(r.event_hours),
        state.config.event_retention.as_secs() / 3600,
    ))
}

#[server(prefix = "/api/admin")]
pub async fn save_data_retention(
    days: String,
    #[server(default)] attachment_days: String,
    #[server(default)] event_hours: String,
) -> Result<(), AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    let me = operator_with(liaison_protocol::Role::Admin).await?;
    let r = liaison_protocol::retention::Retention::parse(&days, &attachment_days, &event_hours)
        .map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::settings::put(
        tx.conn(),
        crate::server::retention::SETTINGS_KEY,
        &r,
        Some(me.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[component]
pub fn RetentionSettings() -> impl IntoView {
    let save = ServerAction::<SaveDataRetention>::new();
    let current = crate::app::codec::resource(move || save.version().get(), |_| data_retention());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Retention saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card">
            <h2>"Data retention"</h2>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (days, attachment_days, event_hours, default_hours) =
                        current.await.unwrap_or_default();
                    view! {
                        <p class="muted small">
                            "Visitors' browser, time zone, referrer, page and language are cleared this many days after their last visit, and files sent in conversations this many days after they were sent (checked hourly; the message stays, its file is no longer available). Conversations, names and emails stay. Live-update events let a dashboard or widget that lost its connection catch up; older ones are deleted."
                        </p>
                        <ActionForm action=save attr:class="settings-form retention-form">
                            <label>"Keep visitor metadata (days; empty: keep)"
                                <input type="text" inputmode="numeric" name="days" value=days/>
                            </label>
                            <label>"Keep attachments (days; empty: keep)"
                                <input type="text" inputmode="numeric" name="attachment_days" value=attachment_days/>
                            </label>
                            <label>{format!("Keep live-update events (hours; empty: the server's {default_hours}, LIAISON_EVENT_RETENTION_HOURS)")}
                                <input type="text" inputmode="numeric" name="event_hours" value=event_hours/>
                            </label>
                            <button type="submit" class="secondary">"Save retention"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
