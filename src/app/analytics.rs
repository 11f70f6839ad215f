//! The Analytics page (`/analytics`, Admins and Owners): for a date range (7/14/30/90 days or
//! custom) and channel, in the address so it can be shared: resolution and AI resolution rates,
//! first response and resolution times (median and 90th percentile), handover reasons, the
//! busiest hours, one row per operator and the top knowledge gaps, with a CSV of each table.
//! Read from maintained rollups (`server::analytics`); reloads when events move a figure.

use crate::app::chart::{Bar, BarChart, Heatmap};
use crate::app::error::AppError;
use crate::app::format;
use crate::app::live::{throttled, use_live};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use liaison_protocol::analytics::{
    Analytics, AnalyticsQuery, Durations, Period, QUICK_DAYS, Table, duration_text,
};
use liaison_protocol::calendar::iso_date;
use liaison_protocol::{Channel, Event};

/// A burst of events costs one reload.
const RELOAD_AFTER_MS: u64 = 5_000;

#[server(prefix = "/api/admin")]
pub async fn analytics_figures(
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
) -> Result<Analytics, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    use crate::server::analytics::{AnalyticsError, figures};
    operator_with(liaison_protocol::Role::Admin).await?;
    let query = AnalyticsQuery::from_query(
        range.as_deref(),
        from.as_deref(),
        to.as_deref(),
        channel.as_deref(),
    )
    .map_err(|e| AppError::Invalid(e).respond())?;
    figures(&state()?.db.read, query, crate::server::now_ms())
        .await
        .map_err(|e| match e {
            AnalyticsError::Invalid(m) => AppError::Invalid(m).respond(),
            AnalyticsError::Db(e) => e.into(),
        })
}

fn moves_figures(e: &Event) -> bool {
    matches!(
        e,
        Event::ConversationUpdated { .. } | Event::MessageCreated { .. } | Event::Rated { .. }
    )
}

/// The address parameters, as the server function takes them.
type Params = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        (q.get("range"), q.get("from"), q.get("to"), q.get("channel"))
    });
    let changed = throttled(use_live().changes(moves_figures), RELOAD_AFTER_MS);
    let figures = crate::app::codec::resource(
        move || (params.get(), changed.get()),
        |((range, from, to, channel), _): (Params, _)| analytics_figures(range, from, to, channel),
    );
    view! {
        <div class="page analytics-page">
            <header class="page-header"><h1>"Analytics"</h1></header>
            <Filters params/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(a) => view! { <Figures a/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Range and channel: a choice applies at once (custom dates with Apply), through the address.
#[component]
fn Filters(params: Memo<Params>) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |range: String, from: Option<String>, to: Option<String>, channel: String| {
        let mut q = format!("range={range}");
        if let (Some(f), Some(t)) = (from, to) {
            q.push_str(&format!("&from={f}&to={t}"));
        }
        if !channel.is_empty() {
            q.push_str(&format!("&channel={channel}"));
        }
        navigate(&format!("/analytics?{q}"), Default::default());
    };
    let range = move || params.get().0.unwrap_or_else(|| "30".into());
    let channel = move || params.get().3.unwrap_or_default();
    let today = iso_date(liaison_protocol::calendar::day_of(format::clock_ms()));
    let (from, set_from) = signal(String::new());
    let (to, set_to) = signal(String::new());
    Effect::new(move |_| {
        let (_, f, t, _) = params.get();
        set_from.set(f.unwrap_or_default());
        set_to.set(t.unwrap_or_default());
    });
    let go_range = go.clone();
    let go_channel = go.clone();
    let go_custom = go;
    view! {
        <form class="toolbar analytics-filters" on:submit=move |ev| {
            ev.prevent_default();
            go_custom("custom".into(), Some(from.get()), Some(to.get()), channel());
        }>
            <label>"Range "
                <select name="range" prop:value=range on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if v == "custom" {
                        let t = iso_date(liaison_protocol::calendar::day_of(format::clock_ms()));
                        let f = iso_date(liaison_protocol::calendar::day_of(format::clock_ms()) - 29);
                        go_range(v, Some(f), Some(t), channel());
                    } else {
                        go_range(v, None, None, channel());
                    }
                }>
                    {QUICK_DAYS.map(|d| view! { <option value=d.to_string()>{format!("Last {d} days")}</option> }).collect_view()}
                    <option value="custom">"Custom"</option>
                </select>
            </label>
            <Show when=move || range() == "custom">
                <label>"From "<input type="date" name="from" max=today.clone() prop:value=from
                    on:input=move |ev| set_from.set(event_target_value(&ev))/></label>
                <label>"To "<input type="date" name="to" max=today.clone() prop:value=to
                    on:input=move |ev| set_to.set(event_target_value(&ev))/></label>
                <button type="submit" class="button">"Apply"</button>
            </Show>
            <label>"Channel "
                <select name="channel" prop:value=channel on:change=move |ev| {
                    let (r, f, t, _) = params.get_untracked();
                    go_channel(r.unwrap_or_else(|| "30".into()), f, t, event_target_value(&ev));
                }>
                    <option value="">"All channels"</option>
                    {Channel::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
            </label>
        </form>
    }
}

fn card(id: &'static str, label: &'static str, value: String, note: String) -> impl IntoView {
    view! {
        <div class="stat card" data-stat=id>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{value}</span>
            <span class="stat-note muted small">{note}</span>
        </div>
    }
}

fn rate(r: Option<u8>) -> String {
    r.map_or("—".into(), |r| format!("{r}%"))
}

fn time_card(id: &'static str, label: &'static str, d: Durations) -> impl IntoView {
    let value = d.median_ms.map_or("—".into(), duration_text);
    let note = match d.p90_ms {
        Some(p) => format!(
            "median · p90 {} · {} conversations",
            duration_text(p),
            format::count(d.n)
        ),
        None => "no conversations yet".into(),
    };
    card(id, label, value, note)
}

fn csv_link(table: Table, query: AnalyticsQuery) -> impl IntoView {
    view! {
        <a class="csv-link small" href=table.csv_href(query) download rel="external"
            data-table=table.as_str()>"CSV"</a>
    }
}

#[component]
fn Figures(a: Analytics) -> impl IntoView {
    let q = a.query;
    let span = match q.period {
        Period::Last(n) => format!("Last {n} days"),
        Period::Custom { .. } => format!("{} – {}", iso_date(a.from), iso_date(a.to)),
    };
    let last = a.days.len().saturating_sub(1);
    let bars = |of: fn(&liaison_protocol::analytics::DayFigures) -> i64| {
        a.days
            .iter()
            .enumerate()
            .map(|(i, d)| Bar {
                label: format::short_date(d.day),
                tick: (i == 0 || i == last || i == last / 2).then(|| format::short_date(d.day)),
                value: of(d),
            })
            .collect::<Vec<_>>()
    };
    let (sessions_bars, resolved_bars) = (bars(|d| d.sessions), bars(|d| d.resolved));
    let handed_over = a.handed_over();
    let handovers = a
        .handovers
        .iter()
        .map(|&(reason, n)| {
            let share = if handed_over > 0 { n as f64 * 100.0 / handed_over as f64 } else { 0.0 };
            view! {
                <tr data-reason=reason.as_str()>
                    <th scope="row">{reason.label()}</th>
                    <td class="num">{format::count(n)}</td>
                    <td class="share"><span class="share-bar" style=format!("width:{share:.1}%")></span></td>
                </tr>
            }
        })
        .collect_view();
    let operators = a
        .operators
        .iter()
        .map(|o| {
            view! {
                <tr data-operator=o.operator_id>
                    <th scope="row">{o.name.clone()}</th>
                    <td class="num">{format::count(o.conversations)}</td>
                    <td class="num">{o.first_response.median_ms.map_or("—".into(), duration_text)}</td>
                    <td class="num">{format::count(o.resolved)}</td>
                    <td class="num">{o.average_rating().map_or("—".into(), |r| format!("{r:.1} ★"))}</td>
                </tr>
            }
        })
        .collect_view();
    let no_operators = a.operators.is_empty();
    let gaps = a
        .gaps
        .iter()
        .map(|g| view! { <tr><th scope="row">{g.question.clone()}</th><td class="num">{format::count(g.asked)}</td></tr> })
        .collect_view();
    let no_gaps = a.gaps.is_empty();
    let zone = a.zone.clone();
    view! {
        <p class="muted small range-note">{span}" · days in UTC"</p>
        <section class="stats" aria-label="Figures">
            {card("sessions", "Conversations", format::count(a.sessions), "started in the range".into())}
            {card("resolution_rate", "Resolution Rate", rate(a.resolution_rate()),
                format!("{} resolved", format::count(a.resolved)))}
            {card("ai_resolution_rate", "AI Resolution Rate", rate(a.ai_resolution_rate()),
                format!("{} resolved without a human", format::count(a.ai_resolved)))}
            {time_card("first_response", "First Response", a.first_response)}
            {time_card("human_response", "First Human Response", a.human_response)}
            {time_card("resolution_time", "Time to Resolution", a.resolution)}
        </section>
        <section class="charts">
            <BarChart title="Conversations" unit="conversations" bars=sessions_bars/>
            <BarChart title="Resolved" unit="resolved" bars=resolved_bars/>
        </section>
        <div class="analytics-tables">
            <section class="card table-card" aria-labelledby="handovers-title">
                <header><h2 id="handovers-title">"Handover reasons"</h2>{csv_link(Table::Handovers, q)}</header>
                <table class="data handovers">
                    <thead><tr><th>"Reason"</th><th class="num">"Conversations"</th><th></th></tr></thead>
                    <tbody>{handovers}</tbody>
                </table>
            </section>
            <section class="card table-card" aria-labelledby="heatmap-title">
                <header><h2 id="heatmap-title">"Busiest hours"</h2>
                    <span class="muted small">{zone}</span></header>
                <Heatmap title="Conversations started by weekday and hour" unit="conversations" rows=a.heatmap.clone()/>
            </section>
        </div>
        <section class="card table-card" aria-labelledby="operators-title">
            <header><h2 id="operators-title">"Operators"</h2>{csv_link(Table::Operators, q)}</header>
            {if no_operators {
                view! { <p class="muted">"No operator activity in this range."</p> }.into_any()
            } else {
                view! {
                    <table class="data operators">
                        <thead><tr>
                            <th>"Operator"</th><th class="num">"Conversations"</th>
                            <th class="num">"Median first response"</th><th class="num">"Resolved"</th>
                            <th class="num">"Average rating"</th>
                        </tr></thead>
                        <tbody>{operators}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card table-card" aria-labelledby="gaps-title">
            <header><h2 id="gaps-title">"Top knowledge gaps"</h2>{csv_link(Table::Gaps, q)}</header>
            {if no_gaps {
                view! { <p class="muted">"No unanswered questions in this range."</p> }.into_any()
            } else {
                view! {
                    <table class="data gaps">
                        <thead><tr><th>"Question"</th><th class="num">"Asked"</th></tr></thead>
                        <tbody>{gaps}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <p class="small">{csv_link(Table::Days, q)}" of conversations and resolutions per day"</p>
    }
}
