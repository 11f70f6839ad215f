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
mod whatsapp_window;

use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The panel of one conversation (thread, composer, handoff, leads, presence): its own chunk of
/// the wasm, fetched the first time a conversation is opened, so the list shows without it.
/// Built under `owner` (the page's), so the panel finds the live feed and the router in
/// context and is disposed with the page.
#[lazy]
fn detail_panel(id: i64, owner: Owner) -> AnyView {
    owner.with(|| view! { <detail::ConversationDetail id/> }.into_any())
}

/// Shows the panel once its chunk is in: rendered in the browser only (the server sends
/// "Loading…"), so hydration never waits for code it does not have yet.
#[component]
fn LazyDetail(id: i64) -> impl IntoView {
    let loading = || view! { <p class="muted">"Loading…"</p> }.into_any();
    #[cfg(feature = "hydrate")]
    {
        let ready = RwSignal::new(false);
        let panel = StoredValue::new_local(None::<AnyView>);
        let owner = Owner::current().expect("components run under an owner");
        leptos::task::spawn_local(async move {
            let view = detail_panel(id, owner).await;
            panel.set_value(Some(view));
            ready.set(true);
        });
        (move || match ready.get() {
            true => panel
                .try_update_value(Option::take)
                .flatten()
                .unwrap_or_else(loading),
            false => loading(),
        })
        .into_any()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (id, detail_panel);
        loading()
    }
}

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| list::parse_view(&query.read()));
    let selected = Memo::new(move |_| query.read().get("c").and_then(|c| c.parse::<i64>().ok()));
    let live = use_live();
    let list = crate::app::codec::resource(
        move || (view.get(), live.refetch.get()),
        |(view, _)| {
            api::list_conversations(
                Some(view.filter.tab.as_str().to_string()),
                view.filter.channel.map(|c| c.as_str().to_string()),
                view.filter.holder.map(|h| h.as_str().to_string()),
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
                    Some(id) => view! { <LazyDetail id/> }.into_any(),
                    None => view! { <p class="empty">"Select a conversation."</p> }.into_any(),
                }}
            </section>
        </div>
    }
}
