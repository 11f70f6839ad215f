//! The Conversations page: tabs, the live list, and the detail panel of the selected one.
//! The tab and the selection live in the URL (`?status=needs_agent&c=12`), so views are links.

pub mod api;
mod detail;
mod list;

use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.read().get("status"));
    let selected = Memo::new(move |_| query.read().get("c").and_then(|c| c.parse::<i64>().ok()));
    let live = use_live();
    let list = Resource::new(
        move || (status.get(), live.version.get()),
        |(status, _)| api::list_conversations(status),
    );
    view! {
        <div class="conversations">
            <section class="list-pane">
                <list::Tabs list status/>
                <list::ConversationList list status selected/>
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
