//! The router and the server's life: one binary serves the dashboard (SSR + hydrate), its
//! server functions and stream, the widget bundle, the widget API and its stream.

use crate::app::{App, shell};
use crate::server::auth::{self, Operator};
use crate::server::conversations::SendQueue;
use crate::server::db::{Backend, Db};
use crate::server::kb::{documents, help_center, upload};
use crate::server::presence::Presence;
use crate::server::realtime::{Bus, Scope};
use crate::server::session_streams::SessionStreams;
use crate::server::visitor_tokens::VisitorTokens;
use crate::server::{Config, demo, guard, retention, sse, static_files, widget_api};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRef, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Cancelled on shutdown; ends every open stream so the server can stop.
    pub shutdown: CancellationToken,
    /// Wakes the background document processor.
    pub documents: documents::Queue,
    /// Dashboard streams by session, ended on sign-out and expiry.
    pub streams: SessionStreams,
    /// Visitors on the site now.
    pub presence: Presence,
    /// Visitors' messages, written in batches.
    pub sends: SendQueue,
    /// Which visitor a widget token belongs to.
    pub visitor_tokens: VisitorTokens,
    /// Files sent in conversations.
    pub attachments: crate::server::attachments::Store,
    /// How often visitors, addresses and accounts may act.
    pub limits: Arc<crate::server::limits::Limits>,
    /// Settings → Widget security, read at most every few seconds.
    pub site_rules: crate::server::widget_security::SiteRules,
    /// The WhatsApp channel's background work (received messages in, replies out).
    pub whatsapp: crate::server::whatsapp::Worker,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The signed-in operator. A handler that takes it cannot run for anyone else.
pub struct AuthOperator(pub Operator);

impl FromRequestParts<AppState> for AuthOperator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Put there by `guard::require_operator`; absent on public paths, which then get 401.
        parts
            .extensions
            .get::<Operator>()
            .cloned()
            .map(AuthOperator)
            .ok_or_else(|| (StatusCode::UNAUTHORIZED, "Sign in first.").into_response())
    }
}

pub struct RunningServer {
    pub addr: SocketAddr,
    /// The server's database, for tests that arrange data directly.
    pub db: Db,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, ends the streams, and waits for in-flight requests.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("sessions: {0}")]
    Sessions(String),
    #[error("secrets: {0}")]
    Secrets(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

/// Opens the database, makes sure an owner exists, seeds demo data when asked, and serves.
pub async fn start(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<RunningServer, StartError> {
    crate::server::install_tls();
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::DataDir(config.data_dir.display().to_string(), e))?;
    let (secrets, key_from) =
        crate::server::secrets::Secrets::load(&config.data_dir, config.secret_key.as_deref())
            .map_err(|e| StartError::Secrets(e.to_string()))?;
    let db = Db::open_at(&config.database, Bus::default())
        .await?
        .with_secrets(secrets);
    crate::server::secrets::prepare(&db, key_from)
        .await
        .map_err(|e| StartError::Secrets(e.to_string()))?;
    announce_owner(&db, &config).await?;
    if config.demo {
        demo::seed(&db, &config).await?;
    }
    // Sessions live in the same database, so any instance serves any signed-in operator.
    let migrated = match &db.read {
        Backend::Sqlite(pool) => {
            let store = SqliteStore::new(pool.clone());
            store.migrate().await.map(|_| Backend::Sqlite(store))
        }
        Backend::Postgres(pool) => {
            let store = PostgresStore::new(pool.clone());
            store.migrate().await.map(|_| Backend::Postgres(store))
        }
    };
    match migrated.map_err(|e| StartError::Sessions(e.to_string()))? {
        Backend::Sqlite(store) => serve(db, store, config, leptos_options).await,
        Backend::Postgres(store) => serve(db, store, config, leptos_options).await,
    }
}

/// Serves with sessions in `store`.
async fn serve<S>(
    db: Db,
    store: S,
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<RunningServer, StartError>
where
    S: tower_sessions::SessionStore + tower_sessions::session_store::ExpiredDeletion + Clone,
{
    let sessions = SessionManagerLayer::new(store.clone())
        .with_secure(config.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            auth::IDLE_SECS,
        )));

    let shutdown = CancellationToken::new();
    sweep_expired_sessions(store.clone(), db.clone(), shutdown.clone());
    let streams = SessionStreams::default();
    streams.sweep(store.clone(), shutdown.clone());
    streams.follow(db.bus(), shutdown.clone());
    retention::spawn(
        db.clone(),
        crate::server::attachments::Store::new(&config.data_dir),
        config.event_retention,
        shutdown.clone(),
    );
    crate::server::webhooks::spawn(
        db.clone(),
        config.webhook_retry_ms,
        config.private_urls.clone(),
        shutdown.clone(),
    );
    let presence = Presence::new(db.bus().clone());
    presence.spawn_expiry(shutdown.clone());
    presence.share(&db, shutdown.clone());
    let queue = documents::Queue::new(config.private_urls.clone(), config.document_worker.clone());
    documents::spawn_processor(
        db.clone(),
        config.agent.clone(),
        queue.clone(),
        shutdown.clone(),
    );
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| StartError::Bind(config.addr, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Bind(config.addr, e))?;
    // Small writes (an SSE event, a token of an answer) go out at once, not after Nagle's wait.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("TCP_NODELAY: {e}");
        }
    });
    // Browsers get the bundles brotli- or gzip-compressed: the copies are written once per build.
    let site = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    tokio::task::spawn_blocking(move || {
        match static_files::precompress(&site, !cfg!(debug_assertions)) {
            Ok(0) => {}
            Ok(n) => tracing::info!("compressed {n} files under {}", site.display()),
            Err(e) => tracing::warn!("compressing {}: {e}", site.display()),
        }
    });
    let sends = widget_api::send_queue(db.clone(), config.agent.clone(), shutdown.clone());
    let attachments = crate::server::attachments::Store::new(&config.data_dir);
    let limits = Arc::new(crate::server::limits::Limits::new(config.limits));
    limits.sweep(shutdown.clone());
    let whatsapp = crate::server::whatsapp::Worker::new(
        db.clone(),
        attachments.clone(),
        config.private_urls.clone(),
        config.attachment_max_bytes,
        config.whatsapp_retry_ms,
        sends.clone(),
    );
    whatsapp.clone().spawn(shutdown.clone());
    let state = AppState {
        leptos_options,
        db: db.clone(),
        config: Arc::new(config),
        shutdown: shutdown.clone(),
        documents: queue,
        streams,
        presence,
        sends,
        visitor_tokens: VisitorTokens::default(),
        attachments,
        limits,
        site_rules: Default::default(),
        whatsapp,
    };
    let app = router(state.clone())
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state,
            crate::server::headers::secure_cookies,
        ))
        .layer(middleware::from_fn(crate::server::headers::defaults))
        .layer(TraceLayer::new_for_http());
    let stop = shutdown.clone();
    let task = tokio::spawn(async move {
        // As a make-service: each connection then shares the router (an Arc clone). Served as a
        // plain Router, axum clones its whole route table per connection (~130 KiB here), which
        // was most of what an idle stream cost.
        // With the peer's address, for rate limits (`client_ip`).
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop.cancelled_owned())
        .await
    });
    Ok(RunningServer {
        addr,
        db,
        shutdown,
        task,
    })
}

/// CORS for what customers' sites load from us, from the `origins` given: the widget's
/// methods and headers, and `Retry-After` readable (the widget waits as long as a 429 says).
fn cors_for_sites(origins: tower_http::cors::AllowOrigin) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::RETRY_AFTER])
}

/// Deletes expired sessions, and the rows of the sessions list no longer used, once an hour,
/// until shutdown.
fn sweep_expired_sessions<S>(store: S, db: Db, shutdown: CancellationToken)
where
    S: tower_sessions::session_store::ExpiredDeletion + Clone,
{
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = every.tick() => {
                    if let Err(e) = store.delete_expired().await {
                        tracing::warn!("deleting expired sessions failed: {e}");
                    }
                    if let Err(e) = delete_unused_sessions(&db).await {
                        tracing::warn!("deleting unused sessions failed: {e}");
                    }
                }
            }
        }
    });
}

/// Deletes the sessions list's rows unused for [`auth::IDLE_SECS`], a thousand per write.
async fn delete_unused_sessions(db: &Db) -> Result<(), sqlx::Error> {
    let since = auth::idle_cutoff(crate::server::now_ms());
    loop {
        let mut tx = db.write().await?;
        let deleted =
            crate::server::db::operator_sessions::delete_stale(tx.conn(), since, 1000).await?;
        tx.commit().await?;
        if deleted < 1000 {
            return Ok(());
        }
    }
}

/// Says who the owner is when they were just created; a password only when it was generated
/// (once: it is not stored anywhere else). One from the environment is never printed.
async fn announce_owner(db: &Db, config: &Config) -> Result<(), sqlx::Error> {
    let at_start =
        auth::ensure_owner(db, &config.owner_email, config.owner_password.as_deref()).await?;
    match at_start {
        auth::OwnerAtStart::Created {
            generated: Some(password),
        } => println!(
            "\n  Owner login: {}  password: {}\n  (generated now and shown once; set LIAISON_OWNER_PASSWORD to choose one)\n",
            config.owner_email, password
        ),
        auth::OwnerAtStart::Created { generated: None } => println!(
            "\n  Owner login: {} with the password in LIAISON_OWNER_PASSWORD\n",
            config.owner_email
        ),
        auth::OwnerAtStart::Existing => {}
    }
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    let pkg_dir = state.leptos_options.site_pkg_dir.to_string();
    // Customers' sites call the widget API from their own origins: those Settings → Widget
    // security allows (any, when none is listed).
    let (rules, db) = (state.site_rules.clone(), state.db.clone());
    let allowed = tower_http::cors::AllowOrigin::async_predicate(move |origin, _| {
        let (rules, db) = (rules.clone(), db.clone());
        async move {
            let origin = origin.to_str().unwrap_or("");
            rules.current(&db).await.allows_origin(origin)
        }
    });
    let widget_cors = cors_for_sites(allowed);
    // Its script and wasm load from anywhere (they hold nothing; the API decides).
    let open_cors = cors_for_sites(tower_http::cors::AllowOrigin::from(Any));
    let context_state = state.clone();
    let fn_state = state.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/demo", get(demo_page))
        .route("/api/dashboard/v1/stream", get(dashboard_stream))
        .route(
            upload::UPLOAD_PATH,
            post(upload::upload).layer(DefaultBodyLimit::max(documents::MAX_UPLOAD + 64 * 1024)),
        )
        .merge(crate::server::attachments::http::dashboard_routes(
            state.config.attachment_max_bytes,
        ))
        .route(
            crate::app::leads::EXPORT_PATH,
            get(crate::server::exports::leads_csv),
        )
        .route(
            "/api/admin/analytics/{file}",
            get(crate::server::analytics::csv),
        )
        // Meta's calls: the verify token and the body's signature are their credentials.
        .route(
            liaison_protocol::whatsapp::WEBHOOK_PATH,
            get(crate::server::whatsapp::verify)
                .post(crate::server::whatsapp::receive)
                .layer(DefaultBodyLimit::max(crate::server::whatsapp::MAX_BODY)),
        )
        .route("/help", get(help_center::index))
        .route("/help/{slug}", get(help_center::article))
        .route("/help/documents/{id}", get(help_center::document))
        .nest(
            liaison_protocol::widget_api::BASE_PATH,
            widget_api::router(&state).layer(widget_cors),
        )
        .nest_service(
            "/widget",
            static_files::serve(Path::new(&site_root).join("widget")).layer(open_cors),
        )
        .nest_service(
            &format!("/{pkg_dir}"),
            static_files::serve(Path::new(&site_root).join(&pkg_dir)),
        )
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            fn_state.clone(),
            guard::require_operator,
        ))
        .layer(middleware::from_fn_with_state(
            fn_state,
            guard::reject_foreign_origin,
        ))
        .with_state(state)
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
}

#[derive(Deserialize)]
struct StreamQuery {
    after: Option<i64>,
}

/// The operators' stream. It belongs to the session: signing out or expiry ends it.
async fn dashboard_stream(
    State(state): State<AppState>,
    AuthOperator(operator): AuthOperator,
    session: tower_sessions::Session,
    Query(query): Query<StreamQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(session_id) = session.id() else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    let ticket = state
        .streams
        .open(session_id, operator.id, operator.session, &state.shutdown);
    let cursor = sse::cursor(&headers, query.after);
    match sse::stream(
        state.db.clone(),
        Scope::Dashboard,
        cursor,
        ticket.end.clone(),
        Box::new(ticket),
    )
    .await
    {
        Ok(stream) => stream.into_response(),
        Err(e) => {
            tracing::error!("dashboard stream: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A plain page that embeds the widget exactly as a customer's site would.
async fn demo_page(headers: HeaderMap) -> Html<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("localhost:3000");
    Html(demo::page(&format!("http://{host}")))
}
