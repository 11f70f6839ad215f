//! The Conversations page: tabs with counts, channel, search, the live list with pages, and the
//! detail panel of the selected conversation. The whole view lives in the URL
//! (`?tab=needs_agent&channel=widget&q=refund&before=120&c=12`), so views are links.
//!
//! Data is read once per view; live events patch it by conversation id (`inbox.rs`), and
//! nothing is refetched on an event. A `refetch` from the stream (a gap it could not replay)
//! reloads once.

pub mod api;
mod composer;
mod detail;
mod handoff;
mod inbox;
mod list;
mod presence;
mod rich;
mod visitors;

use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| list::parse_view(&query.read()));
    let selected = Memo::new(move |_| query.read().get("c").and_then(|c| c.parse::<i64>().ok()));
    let live = use_live();
    let list = Resource::new(
        move || (view.get(), live.refetch.get()),
        |(view, _)| {
            api::list_conversations(
                Some(view.filter.tab.as_str().to_string()),
                view.filter.channel.map(|c| c.as_str().to_string()),
                view.search,
                view.before,
                view.after,
            )
        },
    );
    view! {
        <div class="conversations">
            <section class="list-pane">
                <visitors::LiveVisitorsPanel/>
                <list::ListPane list view selected/>
            </section>
            <section class="detail-pane">
                {move || match selected.get() {
                    Some(id) => view! { <detail::ConversationDetail id/> }.into_any(),
                    None => view! { <p class="empty">"Select a conversation."</p> }.into_any(),
                }}
            </section>
        </div>
    }
}
