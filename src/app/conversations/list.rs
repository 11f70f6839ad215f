//! The tabs and the conversation list.

use super::api::{List, Row};
use crate::app::error::AppError;
use crate::app::format::{ago, clock_ms};
use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::components::A;
use liaison_protocol::ConversationStatus;

type ListResource = Resource<Result<List, AppError>>;

/// The link for a tab or a row, keeping the other part of the view.
fn href(status: Option<&str>, selected: Option<i64>) -> String {
    let mut params = Vec::new();
    if let Some(s) = status {
        params.push(format!("status={s}"));
    }
    if let Some(c) = selected {
        params.push(format!("c={c}"));
    }
    if params.is_empty() {
        "/conversations".into()
    } else {
        format!("/conversations?{}", params.join("&"))
    }
}

#[component]
pub fn Tabs(list: ListResource, status: Memo<Option<String>>) -> impl IntoView {
    let tabs: [(&'static str, Option<&'static str>); 4] = [
        ("All", None),
        ("Open", Some("open")),
        ("Needs agent", Some("needs_agent")),
        ("Resolved", Some("resolved")),
    ];
    view! {
        <nav class="tabs" role="tablist">
            {tabs
                .into_iter()
                .map(|(label, key)| {
                    let active = move || status.get().as_deref() == key;
                    let badge = key == Some("needs_agent");
                    view! {
                        <A href=href(key, None) attr:class=move || if active() { "tab active" } else { "tab" }>
                            {label}
                            {badge.then(|| view! {
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        let n = list.await.map(|l| l.counts.needs_agent).unwrap_or(0);
                                        view! { <span class="badge" data-testid="needs-agent-count">{n}</span> }
                                    })}
                                </Transition>
                            })}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub fn ConversationList(
    list: ListResource,
    status: Memo<Option<String>>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.rows.is_empty() => {
                        view! { <p class="empty">"No conversations here yet."</p> }.into_any()
                    }
                    Ok(list) => {
                        let now = list.now;
                        view! {
                            <ul class="conversation-list">
                                {list
                                    .rows
                                    .into_iter()
                                    .map(|row| view! { <ConversationRow row now status selected/> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

pub fn status_class(status: ConversationStatus) -> &'static str {
    match status {
        ConversationStatus::Open => "status status-open",
        ConversationStatus::NeedsAgent => "status status-needs-agent",
        ConversationStatus::Delegated => "status status-delegated",
        ConversationStatus::Resolved => "status status-resolved",
    }
}

#[component]
fn ConversationRow(
    row: Row,
    now: i64,
    status: Memo<Option<String>>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let id = row.id;
    let link = move || href(status.get().as_deref(), Some(id));
    let is_selected = move || selected.get() == Some(id);
    let is_new = now - row.created_at < 10 * 60 * 1000;
    // The server's "now" when the list was read, moved on by the time since it was shown: the
    // same text on the server and at hydration, then it keeps up with the clock.
    let tick = use_live().tick;
    let shown_at = clock_ms();
    let last_activity = row.last_activity_at;
    let since = move || {
        tick.track();
        ago(now + (clock_ms() - shown_at), last_activity)
    };
    view! {
        <li class="conversation-row" class:selected=is_selected data-conversation=id>
            <A href=link>
                <div class="row-top">
                    <span class="visitor">
                        {(row.status == ConversationStatus::NeedsAgent)
                            .then(|| view! { <span class="dot" title="Needs agent"></span> })}
                        {row.visitor.clone()}
                        {is_new.then(|| view! { <span class="new">"NEW"</span> })}
                    </span>
                    <span class="ago" title="Last activity">{since}</span>
                </div>
                <div class="preview">{row.last_message.clone().unwrap_or_default()}</div>
                <div class="row-bottom">
                    <span class=status_class(row.status)>{row.status.label()}</span>
                    <span class="count" title="Messages">{row.message_count}" msgs"</span>
                    {row.joined.then(|| view! { <span class="joined">"✓ Joined"</span> })}
                </div>
            </A>
        </li>
    }
}
