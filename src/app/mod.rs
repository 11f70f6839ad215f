//! The operators' dashboard: Leptos, rendered on the server and hydrated in the browser.
//! One folder per page; each page's server functions sit beside its components.

pub mod alerts;
pub mod analytics;
pub mod auth;
pub mod billing;
pub mod chart;
pub mod codec;
pub mod connectors;
pub mod conversations;
pub mod copy;
pub mod error;
pub mod format;
pub mod kb;
pub mod leads;
pub mod live;
pub mod overview;
pub mod profile;
pub mod reviews;
mod routes;
pub mod sessions;
pub mod settings;
pub mod team;
pub mod tickets;

use auth::Logout;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, path};
use liaison_protocol::Role;
use routes::*;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::headers::set_dashboard_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Liaison"/>
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"Page not found."</p> }>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=path!("/invite/:token") view={Lazy::<InviteRoute>::new()}/>
                <Route path=path!("/reset/:token") view={Lazy::<ResetRoute>::new()}/>
                <ParentRoute path=path!("") view=Dashboard>
                    <Route path=path!("") view={Lazy::<OverviewRoute>::new()}/>
                    <Route path=path!("conversations") view={Lazy::<ConversationsRoute>::new()}/>
                    <Route path=path!("tickets") view={Lazy::<TicketsRoute>::new()}/>
                    <Route path=path!("leads") view={Lazy::<LeadsRoute>::new()}/>
                    <Route path=path!("analytics") view={Lazy::<AnalyticsRoute>::new()}/>
                    <Route path=path!("reviews") view={Lazy::<ReviewsRoute>::new()}/>
                    <Route path=path!("documents") view={Lazy::<DocumentsRoute>::new()}/>
                    <Route path=path!("connectors") view={Lazy::<ConnectorsRoute>::new()}/>
                    <Route path=path!("help-center") view={Lazy::<HelpCenterRoute>::new()}/>
                    <Route path=path!("knowledge-gaps") view={Lazy::<KnowledgeGapsRoute>::new()}/>
                    <Route path=path!("settings") view={Lazy::<SettingsRoute>::new()}/>
                    <Route path=path!("usage") view={Lazy::<UsageRoute>::new()}/>
                    <Route path=path!("billing") view={Lazy::<BillingRoute>::new()}/>
                    <Route path=path!("team") view={Lazy::<TeamRoute>::new()}/>
                    <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The signed-in frame: sidebar and header around the page. Only pages that work are linked.
#[component]
fn Dashboard() -> impl IntoView {
    let me = crate::app::codec::resource(|| (), |_| auth::current_operator());
    // The Profile page's saved name and colour, shown at once in the top bar.
    let shown = RwSignal::new(None::<(String, String)>);
    provide_context(profile::ProfileShown(shown));
    live::provide_live(Signal::derive(move || {
        me.get().and_then(|m| m.ok()).map(|m| m.cursor)
    }));
    view! {
        <div class="app">
            <nav class="sidebar">
                <div class="brand">"Liaison"</div>
                <A href="/" exact=true>"Overview"</A>
                <A href="/conversations">"Conversations"</A>
                <A href="/tickets">"Tickets"</A>
                <A href="/leads">"Leads"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let role = me.await.ok().map_or(Role::Agent, |me| me.role);
                        view! {
                            <Show when=move || role.at_least(Role::Admin)>
                                <A href="/analytics">"Analytics"</A>
                                <A href="/reviews">"Reviews"</A>
                                <div class="nav-group">"Knowledge"</div>
                                <A href="/knowledge-gaps">"Knowledge Gaps"</A>
                                <A href="/help-center">"Help Center"</A>
                                <A href="/documents">"Documents"</A>
                                <A href="/connectors">"Connectors"</A>
                                <A href="/team">"Team"</A>
                                <A href="/settings">"Settings"</A>
                            </Show>
                            <Show when=move || role.at_least(Role::Owner)>
                                <A href="/billing">"Billing"</A>
                                <A href="/usage">"AI usage"</A>
                            </Show>
                        }
                    })}
                </Transition>
            </nav>
            <div class="main">
                <header class="topbar">
                    <span class="live-indicator" title="Live updates">
                        {move || if live::use_live().connected.get() { "● Live" } else { "○ Connecting…" }}
                    </span>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            me.await.ok().map(|me| {
                                let role = me.role.label();
                                let (name, colour) = (me.name.clone(), me.colour.clone());
                                let now = Memo::new(move |_| {
                                    shown.get().unwrap_or_else(|| (name.clone(), colour.clone()))
                                });
                                view! {
                                    <A href="/profile" attr:class="me" attr:title="Your profile">
                                        <span class="avatar" style=move || format!("background:{}", now.get().1)>{move || initials(&now.get().0)}</span>
                                        {move || now.get().0}" · "{role}
                                    </A>
                                }
                            })
                        })}
                    </Transition>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            me.await.ok().map(|me| view! { <Availability online=me.available/> })
                        })}
                    </Transition>
                    <ThemeToggle/>
                    // A plain form: signing out loads the sign-in page anyway, so the main bundle
                    // carries no form-to-server-function code for it.
                    <form method="post" action=LOGOUT_PATH>
                        <button type="submit" class="link">"Sign out"</button>
                    </form>
                </header>
                <Outlet/>
            </div>
            <alerts::Alerts me=Signal::derive(move || me.get().and_then(|m| m.ok()).map(|m| m.id))/>
        </div>
    }
}

/// "Ada Lovelace" → "AL": what the avatar shows.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

const LOGOUT_PATH: &str = <Logout as leptos::server_fn::ServerFn>::PATH;

/// Online / away, per operator, kept on the server.
#[component]
fn Availability(online: bool) -> impl IntoView {
    let set = ServerAction::<auth::SetAvailability>::new();
    let online = move || match set.value().get() {
        Some(Ok(now)) => now,
        _ => online,
    };
    view! {
        <button class=move || if online() { "availability online" } else { "availability away" }
            title="Your availability: online or away"
            on:click=move |_| { set.dispatch(auth::SetAvailability { online: !online() }); }>
            {move || if online() { "● Online" } else { "○ Away" }}
        </button>
    }
}

/// Light and dark themes; the choice is kept in localStorage.
#[component]
fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(root) = document().document_element() {
                let dark = root.get_attribute("data-theme").as_deref() != Some("dark");
                let theme = if dark { "dark" } else { "light" };
                let _ = root.set_attribute("data-theme", theme);
                if let Ok(Some(storage)) = window().local_storage() {
                    let _ = storage.set_item("liaison.theme", theme);
                }
            }
        }
    };
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(Some(storage)) = window().local_storage()
            && let Ok(Some(theme)) = storage.get_item("liaison.theme")
            && let Some(root) = document().document_element()
        {
            let _ = root.set_attribute("data-theme", &theme);
        }
    });
    view! { <button class="link" on:click=toggle title="Light / dark">"◐ Theme"</button> }
}
