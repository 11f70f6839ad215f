//! The list pane: tabs with counts, channel dropdown, search, the live list, the pages and the
//! "N new conversations" pill. The whole view is in the URL, so a reload or a shared link shows
//! the same thing.

use super::api::{List, View};
use super::inbox::{Inbox, InboxStoreFields, Placement, insert_row, placement};
use crate::app::error::AppError;
use crate::app::format::{ago, clock_ms, duration};
use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;
use liaison_protocol::inbox::NEW_FOR_MS;
use liaison_protocol::{
    Channel, ConversationStatus, ConversationSummary, Event, Filter, Holder, Tab,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reactive_stores::Store;

/// The view the URL describes. `status=` is the older spelling of `tab=`.
pub fn parse_view(query: &ParamsMap) -> View {
    let number = |k: &str| query.get(k).and_then(|v| v.parse::<i64>().ok());
    View {
        filter: Filter {
            tab: query
                .get("tab")
                .or_else(|| query.get("status"))
                .and_then(|t| Tab::parse(&t))
                .unwrap_or_default(),
            channel: query.get("channel").and_then(|c| Channel::parse(&c)),
            holder: query.get("who").and_then(|w| Holder::parse(&w)),
        },
        search: query.get("q").filter(|q| !q.trim().is_empty()),
        before: number("before"),
        after: number("after"),
    }
}

/// The link to a view, with a conversation open or not.
pub fn href(view: &View, selected: Option<i64>) -> String {
    let mut params: Vec<String> = Vec::new();
    if view.filter.tab != Tab::All {
        params.push(format!("tab={}", view.filter.tab.as_str()));
    }
    if let Some(c) = view.filter.channel {
        params.push(format!("channel={}", c.as_str()));
    }
    if let Some(h) = view.filter.holder {
        params.push(format!("who={}", h.as_str()));
    }
    if let Some(q) = &view.search {
        params.push(format!("q={}", utf8_percent_encode(q, NON_ALPHANUMERIC)));
    }
    if let Some(b) = view.before {
        params.push(format!("before={b}"));
    }
    if let Some(a) = view.after {
        params.push(format!("after={a}"));
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

/// The same view on its first page.
fn first_page(view: &View) -> View {
    View {
        before: None,
        after: None,
        ..view.clone()
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

/// Applies one live event to the list on screen: that row, the counts, or the pill.
fn patch(inbox: Store<Inbox>, view: &View, id: i64, event: &Event) {
    let Event::ConversationUpdated {
        conversation,
        counts,
    } = event
    else {
        return;
    };
    if id <= inbox.cursor().get_untracked() {
        return;
    }
    inbox.cursor().set(id);
    inbox.counts().set(*counts);
    let rows = inbox.rows();
    let has_older = inbox.older().get_untracked().is_some();
    let row: &ConversationSummary = conversation;
    let me = inbox.me().get_untracked();
    match rows.with_untracked(|r| placement(view, r, has_older, row, me)) {
        Placement::Replace => rows.at_key(row.id).set(row.clone()),
        Placement::Insert(i) => {
            if let Some(Some(older)) = rows.try_update(|r| insert_row(r, i, row.clone())) {
                inbox.older().set(Some(older));
            }
        }
        Placement::Remove => rows.update(|r| r.retain(|x| x.id != row.id)),
        Placement::Pill => inbox.arrived().update(|a| {
            if !a.contains(&row.id) {
                a.push(row.id);
            }
        }),
        Placement::Ignore => {}
    }
}

#[component]
pub fn ListPane(
    list: Resource<Result<List, AppError>, crate::app::codec::Json>,
    view: Memo<View>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let live = use_live();
    view! {
        <Toolbar view/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(list) => {
                        let cursor = list.cursor;
                        let inbox = Store::new(Inbox::from_list(list));
                        live.follow(cursor, move |id, event| {
                            patch(inbox, &view.get_untracked(), id, event)
                        });
                        view! {
                            <Tabs inbox view/>
                            <Pill inbox view/>
                            <Rows inbox view selected/>
                            <Pager inbox view/>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Search, and the channel and holder dropdowns.
#[component]
fn Toolbar(view: Memo<View>) -> impl IntoView {
    let navigate = use_navigate();
    let on_channel = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let channel = Channel::parse(&event_target_value(&ev));
            let mut v = first_page(&view.get_untracked());
            v.filter.channel = channel;
            navigate(&href(&v, None), Default::default());
        }
    };
    let on_holder = move |ev: leptos::ev::Event| {
        let holder = Holder::parse(&event_target_value(&ev));
        let mut v = first_page(&view.get_untracked());
        v.filter.holder = holder;
        navigate(&href(&v, None), Default::default());
    };
    let tab = move || view.get().filter.tab;
    let channel = move || view.get().filter.channel;
    let holder = move || view.get().filter.holder;
    view! {
        <div class="list-toolbar">
            <Form method="GET" action="/conversations" attr:class="search" attr:role="search">
                <input
                    type="search"
                    name="q"
                    aria-label="Search conversations"
                    placeholder="Search messages, names, emails"
                    prop:value=move || view.get().search.unwrap_or_default()
                />
                <input type="hidden" name="tab" prop:value=move || tab().as_str()/>
                {move || channel().map(|c| view! { <input type="hidden" name="channel" value=c.as_str()/> })}
                {move || holder().map(|h| view! { <input type="hidden" name="who" value=h.as_str()/> })}
            </Form>
            <select class="channel" aria-label="Channel" on:change=on_channel>
                <option value="" selected=move || channel().is_none()>"All channels"</option>
                {Channel::ALL
                    .into_iter()
                    .map(|c| view! {
                        <option value=c.as_str() selected=move || channel() == Some(c)>{c.label()}</option>
                    })
                    .collect_view()}
            </select>
            <select class="holder" aria-label="Held by" on:change=on_holder>
                <option value="" selected=move || holder().is_none()>"Anyone"</option>
                {Holder::ALL
                    .into_iter()
                    .map(|h| view! {
                        <option value=h.as_str() selected=move || holder() == Some(h)>{h.label()}</option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Tabs(inbox: Store<Inbox>, view: Memo<View>) -> impl IntoView {
    let counts = move || inbox.counts().get().for_channel(view.get().filter.channel);
    view! {
        <nav class="tabs" role="tablist">
            {Tab::ALL
                .into_iter()
                .map(|tab| {
                    let active = move || view.get().filter.tab == tab;
                    let link = move || {
                        let mut v = first_page(&view.get());
                        v.filter.tab = tab;
                        href(&v, None)
                    };
                    let badge = if tab == Tab::NeedsAgent { "badge badge-alert" } else { "badge" };
                    let testid = format!("{}-count", tab.as_str().replace('_', "-"));
                    view! {
                        <A href=link attr:class=move || if active() { "tab active" } else { "tab" }>
                            {tab.label()}
                            <span class=badge data-testid=testid>{move || counts().get(tab)}</span>
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// "N new conversations" while the operator is not on the first page; a click goes there.
#[component]
fn Pill(inbox: Store<Inbox>, view: Memo<View>) -> impl IntoView {
    let n = move || inbox.arrived().read().len();
    view! {
        <Show when=move || { n() > 0 }>
            <A href=move || href(&first_page(&view.get()), None) attr:class="pill" attr:role="status">
                {move || match n() {
                    1 => "1 new conversation".to_string(),
                    n => format!("{n} new conversations"),
                }}
            </A>
        </Show>
    }
}

#[component]
fn Pager(inbox: Store<Inbox>, view: Memo<View>) -> impl IntoView {
    let newer = move || {
        let v = view.get();
        inbox.newer().get().then(|| {
            let first = inbox.rows().read().first().map(|r| r.id);
            // Search pages go back to the first; list pages to the page above this one.
            if v.search.is_some() || first.is_none() {
                href(&first_page(&v), None)
            } else {
                href(
                    &View {
                        before: None,
                        after: first,
                        ..v
                    },
                    None,
                )
            }
        })
    };
    let older = move || {
        inbox.older().get().map(|before| {
            href(
                &View {
                    before: Some(before),
                    after: None,
                    ..view.get()
                },
                None,
            )
        })
    };
    view! {
        <nav class="pager" aria-label="Pages">
            {move || newer().map(|h| view! { <A href=h attr:class="page-link">"← Newer"</A> })}
            {move || older().map(|h| view! { <A href=h attr:class="page-link">"Older →"</A> })}
        </nav>
    }
}

#[component]
fn Rows(inbox: Store<Inbox>, view: Memo<View>, selected: Memo<Option<i64>>) -> impl IntoView {
    let empty = move || inbox.rows().read().is_empty();
    let now = inbox.now().get_untracked();
    view! {
        <Show when=empty>
            <p class="empty">
                {move || if view.get().search.is_some() { "No conversation matches." } else { "No conversations here yet." }}
            </p>
        </Show>
        <ul class="conversation-list">
            <For
                each=move || inbox.rows()
                key=|row| row.read().id
                children=move |row| {
                    let row = Memo::new(move |prev: Option<&ConversationSummary>| {
                        row.try_get().or_else(|| prev.cloned()).expect("a row exists when it is shown")
                    });
                    view! { <ConversationRow row now view selected/> }
                }
            />
        </ul>
    }
}

#[component]
fn ConversationRow(
    row: Memo<ConversationSummary>,
    now: i64,
    view: Memo<View>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let id = row.get_untracked().id;
    let link = move || href(&view.get(), Some(id));
    let is_selected = move || selected.get() == Some(id);
    // The server's "now" when the list was read, moved on by the time since it was shown: the
    // same text on the server and at hydration, then it keeps up with the clock.
    let tick = use_live().tick;
    let shown_at = clock_ms();
    let clock = move || {
        tick.track();
        now + (clock_ms() - shown_at)
    };
    let r = move || row.get();
    let since = move || ago(clock(), r().last_activity_at);
    let lasted = move || {
        let r = r();
        duration(r.resolved_at.unwrap_or_else(clock) - r.created_at)
    };
    let is_new = move || clock() - r().created_at < NEW_FOR_MS;
    let needs_agent = move || r().status == ConversationStatus::NeedsAgent;
    view! {
        <li class="conversation-row" class:selected=is_selected data-conversation=id>
            <A href=link>
                <div class="row-top">
                    <span class="visitor">
                        <span class=move || format!("channel-icon channel-{}", r().channel.as_str())
                            title=move || r().channel.label()></span>
                        <Show when=needs_agent>
                            <span class="dot" title="Needs agent"></span>
                        </Show>
                        <span class="name">{move || r().visitor}</span>
                        <Show when=is_new>
                            <span class="new">"NEW"</span>
                        </Show>
                        <Show when=move || { r().visitor_conversations > 1 }>
                            <span class="group" title="Conversations with this customer">
                                {move || format!("{} chats", r().visitor_conversations)}
                            </span>
                        </Show>
                    </span>
                    <span class="ago" title="Last activity">{since}</span>
                </div>
                <div class="preview">{move || r().last_message.unwrap_or_default()}</div>
                <div class="row-bottom">
                    <span class=move || status_class(r().status)>{move || r().status.label()}</span>
                    <span class="count" title="Messages">{move || r().message_count}" msgs"</span>
                    {move || r().rating.map(|n| view! {
                        <span class="rating" title=format!("Rated {n} of 5")>{stars(n)}</span>
                    })}
                    <Show when=move || r().assignee_id.is_some()>
                        <span class="joined" title=move || r().assignee_name.unwrap_or_default()>"✓ Joined"</span>
                    </Show>
                    <Show when=move || r().booked>
                        <span class="booked" title="Meeting booked">"✓ Booked"</span>
                    </Show>
                    <span class="duration" title="Duration">{lasted}</span>
                    <span class="started" title="Started">{move || started(clock(), r().created_at)}</span>
                </div>
            </A>
        </li>
    }
}

fn stars(n: u8) -> String {
    let n = n.min(5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// "Started 5m ago".
fn started(now: i64, created_at: i64) -> String {
    match ago(now, created_at).as_str() {
        "just now" => "started just now".into(),
        a => format!("started {a} ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_round_trip_through_the_url() {
        let view = View {
            filter: Filter {
                tab: Tab::NeedsAgent,
                channel: Some(Channel::Whatsapp),
                holder: Some(Holder::Unassigned),
            },
            search: Some("réfund & co".into()),
            before: Some(40),
            after: None,
        };
        let link = href(&view, Some(7));
        assert_eq!(
            link,
            "/conversations?tab=needs_agent&channel=whatsapp&who=unassigned&q=r%C3%A9fund%20%26%20co&before=40&c=7"
        );
        let query = link.split_once('?').unwrap().1;
        let map = ParamsMap::from_iter(query.split('&').map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let v = percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .unwrap();
            (k.to_string(), v.into_owned())
        }));
        assert_eq!(parse_view(&map), view);
        assert_eq!(href(&View::default(), None), "/conversations");
    }

    #[test]
    fn the_old_status_parameter_still_works() {
        let map = ParamsMap::from_iter([("status".to_string(), "resolved".to_string())]);
        assert_eq!(parse_view(&map).filter.tab, Tab::Resolved);
    }

    #[test]
    fn ratings_are_stars() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(started(60_000, 0), "started 1m ago");
    }
}
