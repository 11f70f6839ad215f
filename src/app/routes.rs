//! The dashboard's pages as lazy routes, in groups. Each group is one split module of the wasm
//! (cargo leptos `--split`), fetched the first time one of its pages is shown; the frame loads
//! with the main bundle.
//!
//! Why groups and not a module per page: code that several modules use, and the main bundle
//! does not, goes into a shared chunk for each combination of modules that uses it. With a
//! module per page (19) that made 364 chunks, a page loaded up to 122 of them, and each is
//! compressed on its own, so brotli found much less to share. And data (templates, strings)
//! that two modules use stays in the main bundle, which every page loads: with groups, 122 KB
//! (raw) less of it. The pages a signed-in operator meets first (sign-in, Overview,
//! Conversations) keep a module each; the others go with the pages they are used with.

use super::*;
#[cfg(feature = "hydrate")]
use leptos::wasm_split::wasm_split;
use leptos_router::LazyRoute;

/// `lazy_page!(Route = page::Component, code fn_name in group)`: `Route` shows the
/// component, whose code is in the split module `group`. `fn_name` names the split function
/// (its link name must be unique in the wasm).
macro_rules! lazy_page {
    ($route:ident = $page:path, code $code:ident in $group:ident) => {
        pub struct $route;

        const _: () = {
            #[cfg(feature = "hydrate")]
            #[wasm_split($group, wasm_split_path = ::leptos::wasm_split, preload(load_code))]
            fn $code() -> AnyView {
                $page().into_any()
            }

            // On the server the page renders at once, and the module is named in the page's
            // preload links.
            #[cfg(not(feature = "hydrate"))]
            async fn $code() -> AnyView {
                ::leptos::prefetch_lazy_fn_on_server(stringify!($group));
                $page().into_any()
            }

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    $code().await
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    load_code().await;
                }
            }
        };
    };
}

// Signed out: the sign-in form alone (every operator's first page), then the two links a
// teammate follows by email.
lazy_page!(LoginRoute = auth::LoginPage, code login_page in sign_in);
lazy_page!(InviteRoute = team::InvitePage, code invite_page in invitations);
lazy_page!(ResetRoute = team::ResetPage, code reset_page in invitations);

// Where sign-in lands, and the inbox: a module each, so neither waits for the other.
lazy_page!(OverviewRoute = overview::OverviewPage, code overview_page in overview);
lazy_page!(ConversationsRoute = conversations::ConversationsPage, code conversations_page in conversations);

// Everyone's other pages.
lazy_page!(TicketsRoute = tickets::TicketsPage, code tickets_page in records);
lazy_page!(LeadsRoute = leads::LeadsPage, code leads_page in records);
lazy_page!(ProfileRoute = profile::ProfilePage, code profile_page in records);

// Admins' knowledge pages.
lazy_page!(KnowledgeGapsRoute = kb::KnowledgeGapsPage, code knowledge_gaps_page in knowledge);
lazy_page!(HelpCenterRoute = kb::HelpCenterPage, code help_center_page in knowledge);
lazy_page!(DocumentsRoute = kb::DocumentsPage, code documents_page in knowledge);
lazy_page!(ConnectorsRoute = connectors::ConnectorsPage, code connectors_page in knowledge);

// Admins' and Owners' running of the workspace.
lazy_page!(AnalyticsRoute = analytics::AnalyticsPage, code analytics_page in admin);
lazy_page!(ReviewsRoute = reviews::ReviewsPage, code reviews_page in admin);
lazy_page!(TeamRoute = team::TeamPage, code team_page in admin);
lazy_page!(SettingsRoute = settings::SettingsPage, code settings_page in admin);
lazy_page!(UsageRoute = settings::UsagePage, code usage_page in admin);
lazy_page!(BillingRoute = billing::BillingPage, code billing_page in admin);
