//! Settings → Business hours: when a person can answer. Outside them the widget says the team is
//! away and "Talk to a human" becomes "Leave a message".

use super::weekly_hours::WeeklyHours;
use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::business_hours::BusinessHoursForm;

#[server(prefix = "/api/admin")]
pub async fn current_business_hours() -> Result<BusinessHoursForm, AppError> {
    let key = crate::server::business_hours::SETTINGS_KEY;
    let hours: liaison_protocol::business_hours::BusinessHours =
        super::api::admin_read(key).await?;
    Ok(BusinessHoursForm::from_hours(&hours))
}

#[server(prefix = "/api/admin")]
pub async fn save_business_hours(form: BusinessHoursForm) -> Result<(), AppError> {
    super::api::admin_write(crate::server::business_hours::SETTINGS_KEY, || {
        form.hours()
            .and_then(crate::server::business_hours::validate)
    })
    .await
}

#[component]
pub fn BusinessHoursSection() -> impl IntoView {
    let save = ServerAction::<SaveBusinessHours>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| current_business_hours());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => {
                view! { <p class="notice" role="status">"Business hours saved."</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card">
            <h2>"Business hours"</h2>
            <p class="muted small">"When a person can answer. Outside these hours, or when no operator is available, the widget says your team is away and offers to leave a message; the AI still answers. Empty is closed."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let f = current.await.unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="settings-form business-hours">
                            <label class="inline">
                                <input type="checkbox" name="form[enabled]" value="on" checked=f.enabled.is_some()/>
                                " Use business hours"
                            </label>
                            <label>"Time zone"
                                <input name="form[time_zone]" value=f.time_zone placeholder="Europe/Paris"/>
                            </label>
                            <WeeklyHours week=f.week legend="Opening hours (e.g. 09:00-17:00; empty is closed)"/>
                            <button type="submit" class="secondary">"Save business hours"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
