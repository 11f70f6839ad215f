//! The Overview page (`/`, the landing page after sign-in): the team's figures and 14-day
//! charts for Owners and Admins, the operator's own queue for Agents. Read from maintained
//! rollups (`db::overview`), so it costs the same at a million conversations; it reloads when
//! events say something it shows changed, at most once every two seconds.

use crate::app::chart::{Bar, BarChart};
use crate::app::error::AppError;
use crate::app::format;
use crate::app::live::{throttled, use_live};
use leptos::prelude::*;
use leptos_router::components::A;
use liaison_protocol::Event;
use liaison_protocol::overview::{AgentOverview, Overview, Series, TeamOverview};

/// How long the page waits after an event before reloading, so a burst of events costs one
/// reload.
const RELOAD_AFTER_MS: u64 = 2_000;

#[server]
pub async fn current_overview() -> Result<Overview, AppError> {
    use crate::app::auth::ssr::{operator, state};
    use crate::server::db::overview;
    let op = operator().await?;
    let db = &state()?.db.read;
    Ok(if op.role.at_least(liaison_protocol::Role::Admin) {
        Overview::Team(overview::team(db, crate::server::now_ms()).await?)
    } else {
        Overview::Agent(overview::agent(db, op.id).await?)
    })
}

/// Events after which a figure may have moved: conversations (created, status, lock, booking,
/// rating all come with `conversation_updated`), messages, documents.
fn moves_figures(e: &Event) -> bool {
    matches!(
        e,
        Event::ConversationUpdated { .. }
            | Event::MessageCreated { .. }
            | Event::Rated { .. }
            | Event::DocumentChanged { .. }
    )
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let changed = throttled(use_live().changes(moves_figures), RELOAD_AFTER_MS);
    let figures = crate::app::codec::resource(move || changed.get(), |_| current_overview());
    view! {
        <div class="page overview-page">
            <header class="page-header"><h1>"Overview"</h1></header>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(Overview::Team(t)) => view! { <TeamView t/> }.into_any(),
                        Ok(Overview::Agent(a)) => view! { <AgentView a/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// One stat card; `id` names it for tests and styles.
fn card(id: &'static str, label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="stat card" data-stat=id>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{value}</span>
        </div>
    }
}

#[component]
fn TeamView(t: TeamOverview) -> impl IntoView {
    let rate = t
        .resolution_rate()
        .map_or("—".to_string(), |r| format!("{r}%"));
    let rating = t
        .average_rating()
        .map_or("—".to_string(), |r| format!("{r:.1} ★"));
    let last = t.days.len().saturating_sub(1);
    let charts = Series::ALL
        .into_iter()
        .map(|s| {
            let bars = t
                .days
                .iter()
                .enumerate()
                .map(|(i, d)| Bar {
                    label: format::short_date(d.day),
                    // First, middle and last day under the axis.
                    tick: (i == 0 || i == last || i == last / 2).then(|| format::short_date(d.day)),
                    value: s.of(d),
                })
                .collect();
            view! { <BarChart title=s.label() unit=s.unit() bars/> }
        })
        .collect_view();
    view! {
        <section class="stats" aria-label="Figures">
            {card("total_sessions", "Total Sessions", format::count(t.total_sessions))}
            {card("messages_sent", "Messages Sent", format::count(t.messages_sent))}
            {card("bookings_made", "Bookings Made", format::count(t.bookings_made))}
            {card("resolved", "Resolved", format::count(t.resolved))}
            {card("documents_ready", "Documents Ready", format::count(t.documents_ready))}
            {card("resolution_rate", "Resolution Rate", rate)}
            {card("average_rating", "Average Rating", rating)}
            {card("agent_requests", "Agent Requests", format::count(t.agent_requests))}
        </section>
        <h2 class="section-title">"Last 14 days " <span class="muted small">"(UTC)"</span></h2>
        <section class="charts">{charts}</section>
    }
}

#[component]
fn AgentView(a: AgentOverview) -> impl IntoView {
    let action = |href: &'static str, label: &'static str| {
        view! { <A href=href attr:class="quick-action">{label}" →"</A> }
    };
    view! {
        <section class="stats agent-stats" aria-label="Your queue">
            <div class="stat-with-action">
                {card("my_open", "My Open Sessions", format::count(a.my_open))}
                {action("/conversations?tab=open&who=mine", "My conversations")}
            </div>
            <div class="stat-with-action">
                {card("resolved_by_me", "Resolved By Me", format::count(a.resolved_by_me))}
            </div>
            <div class="stat-with-action">
                {card("open_queue", "Open Queue", format::count(a.open_queue))}
                {action("/conversations?tab=open&who=unassigned", "Open queue")}
            </div>
            <div class="stat-with-action">
                {card("needs_agent", "Needs Agent", format::count(a.needs_agent))}
                {action("/conversations?tab=needs_agent", "Needs agent")}
            </div>
        </section>
    }
}
