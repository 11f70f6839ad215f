//! Settings → Bookings: when visitors can book a meeting from the widget (weekly hours in a
//! time zone, slot length, how far ahead, days off).

use super::weekly_hours::WeeklyHours;
use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::booking::BookingForm;

#[server(prefix = "/api/admin")]
pub async fn current_booking_form() -> Result<BookingForm, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    operator_with(liaison_protocol::Role::Admin).await?;
    let settings = crate::server::bookings::settings(&state()?.db.read).await?;
    Ok(BookingForm::from_settings(&settings))
}

#[server(prefix = "/api/admin")]
pub async fn save_booking_settings(form: BookingForm) -> Result<(), AppError> {
    super::api::admin_write(crate::server::bookings::SETTINGS_KEY, || {
        form.settings()
            .and_then(|s| crate::server::bookings::validate(&s).map(|()| s))
    })
    .await
}

#[component]
pub fn BookingSettings() -> impl IntoView {
    let save = ServerAction::<SaveBookingSettings>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| current_booking_form());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => {
                view! { <p class="notice" role="status">"Booking settings saved."</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card">
            <h2>"Bookings"</h2>
            <p class="muted small">"Visitors choose a meeting time in the widget (\"Book a meeting\"). Slots follow these hours in this time zone, daylight saving included; a booked slot is never offered again."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let f = current.await.unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="settings-form booking-settings">
                            <label class="check">
                                <input type="checkbox" name="form[enabled]" checked=f.enabled.is_some()/>
                                " Visitors can book meetings"
                            </label>
                            <label>"Time zone" <input type="text" name="form[time_zone]" value=f.time_zone placeholder="Europe/Paris"/></label>
                            <label>"Slot length (minutes)" <input type="number" name="form[slot_minutes]" min="10" max="240" value=f.slot_minutes/></label>
                            <label>"Days ahead" <input type="number" name="form[days_ahead]" min="1" max="90" value=f.days_ahead/></label>
                            <WeeklyHours week=f.week legend="Weekly hours (e.g. 09:00-17:00; empty is closed)"/>
                            <label>"Days off (one date per line, YYYY-MM-DD)"
                                <textarea name="form[blackout]" rows="3">{f.blackout}</textarea>
                            </label>
                            <button type="submit" class="secondary">"Save bookings"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
