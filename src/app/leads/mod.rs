//! The Leads page (`/leads`, every operator): leads newest first, search by the start of an
//! email, name or company, the conversation each came from, CSV export of what is listed.
//! And the panel's "Capture Lead" form.

pub mod api;
mod capture;

pub use capture::CaptureLead;

use crate::app::format;
use api::list_leads;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Where the CSV export is served (`?q=` as on the page).
pub const EXPORT_PATH: &str = "/api/leads/export.csv";

#[component]
pub fn LeadsPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let before = Memo::new(move |_| query.read().get("before").and_then(|b| b.parse().ok()));
    let page = crate::app::codec::resource(
        move || (q.get(), before.get()),
        |(q, before)| list_leads((!q.is_empty()).then_some(q), before),
    );
    let export = move || {
        let q = q.get();
        if q.is_empty() {
            EXPORT_PATH.to_string()
        } else {
            format!(
                "{EXPORT_PATH}?q={}",
                percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC)
            )
        }
    };
    view! {
        <div class="page leads-page">
            <header class="page-header">
                <h1>"Leads"</h1>
                <a class="button secondary" href=export download="leads.csv">"Export CSV"</a>
            </header>
            <form class="search" method="get" action="/leads">
                <input type="search" name="q" placeholder="Search by email, name or company (start of)"
                    aria-label="Search leads" prop:value=move || q.get()/>
                <button type="submit" class="secondary">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(p) if p.rows.is_empty() => view! {
                            <p class="muted empty">"No leads yet. Capture one from a conversation (the blue Capture Lead button)."</p>
                        }.into_any(),
                        Ok(p) => {
                            let older = p.older.map(|b| {
                                let q = q.get_untracked();
                                let q = percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC);
                                view! { <A href=format!("/leads?q={q}&before={b}") attr:class="page-link">"Older →"</A> }
                            });
                            view! {
                                <table class="leads">
                                    <thead><tr>
                                        <th>"Email"</th><th>"Name"</th><th>"Phone"</th><th>"Company"</th>
                                        <th>"Message"</th><th>"Conversation"</th><th>"Captured"</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|l| view! {
                                            <tr class="lead" data-lead=l.id>
                                                <td><a href=format!("mailto:{}", l.email)>{l.email.clone()}</a></td>
                                                <td>{l.name.unwrap_or_default()}</td>
                                                <td>{l.phone.unwrap_or_default()}</td>
                                                <td>{l.company.unwrap_or_default()}</td>
                                                <td class="message">{l.message.unwrap_or_default()}</td>
                                                <td>{l.conversation_id.map(|c| view! {
                                                    <A href=format!("/conversations?c={c}")>{format!("#{c}")}</A>
                                                })}</td>
                                                <td class="muted small">
                                                    {format::date_time(l.created_at)}
                                                    {l.captured_by.map(|b| format!(" by {b}"))}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {older}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
