//! A week of opening hours as Settings asks for it (Bookings, Business hours): one field per
//! weekday, "09:00-17:00", empty for closed. Posted as `form[week][monday]`… (`WeekForm`).

use leptos::prelude::*;
use liaison_protocol::booking::{WEEKDAYS, WeekForm};

#[component]
pub fn WeeklyHours(week: WeekForm, legend: &'static str) -> impl IntoView {
    let days: Vec<String> = week.days().iter().map(|d| d.to_string()).collect();
    view! {
        <fieldset class="weekly-hours">
            <legend>{legend}</legend>
            {WEEKDAYS.iter().zip(days).map(|(day, hours)| view! {
                <label>{*day}
                    <input type="text" name=format!("form[week][{}]", day.to_lowercase()) value=hours placeholder="closed"/>
                </label>
            }).collect_view()}
        </fieldset>
    }
}
