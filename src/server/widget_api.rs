//! The widget API, v1 (`/api/widget/v1/...`; documented in docs/widget-api.md). Called from
//! customers' sites, so it is CORS-open and authenticates visitors with a bearer token (header,
//! or `?token=` for EventSource, which cannot set headers), never with cookies.

use crate::server::ai;
use crate::server::client_ip::ClientIp;
use crate::server::conversations::{self, Actor, OpError, VisitorSend};
use crate::server::db;
use crate::server::http::AppState;
use crate::server::limits;
use crate::server::realtime::Scope;
use crate::server::sse;
use crate::server::visitor_tokens;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use liaison_protocol::Message;
use liaison_protocol::booking::BookRequest;
use liaison_protocol::leave_message::{EscalateRequest, reply_address};
use liaison_protocol::prechat::{PrechatForm, PrechatSettings};
use liaison_protocol::widget_api::{
    ApiError, ConversationResponse, ConversationView, EscalateResponse, PAST_PAGE,
    PastConversations, RatingOptions, RatingRequest, RatingResponse, SendMessageRequest,
    SendMessageResponse, SessionRequest, SessionResponse, VisitorMetadata,
};
use liaison_protocol::widget_look::WidgetLook;
use serde::Deserialize;

pub fn router(state: &AppState) -> Router<AppState> {
    let attachment_max_bytes = state.config.attachment_max_bytes;
    Router::new()
        .merge(crate::server::attachments::http::widget_routes(
            attachment_max_bytes,
        ))
        .route("/session", post(session))
        .route("/conversation", get(conversation))
        .route("/messages", post(send_message))
        .route("/escalate", post(escalate))
        .route("/rating", get(rating_options).post(rate))
        .route("/typing", post(typing))
        .route("/booking/offer", post(offer_slots))
        .route("/booking", post(book))
        .route("/prechat", post(prechat))
        .route("/stream", get(stream))
        .route("/config", get(config))
        .route("/conversations", get(past_conversations))
        .route("/conversations/{id}", get(past_conversation))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::server::widget_security::refuse_other_sites,
        ))
        // JSON bodies are small; files have their own limit (`attachments::http`).
        .layer(axum::extract::DefaultBodyLimit::max(WIDGET_BODY_MAX))
}

/// The largest JSON body the widget API reads.
const WIDGET_BODY_MAX: usize = 64 * 1024;

/// Every write to the widget API counts against its address and the whole site (reads and the
/// stream do not); the visitor's own limit is counted where the visitor is known (`Visitor`).
async fn limit_writes(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    match limits::all([state.limits.address.check(&ip), state.limits.site.check()]) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%ip, "widget API writes throttled");
            WidgetError::TooMany(wait, TOO_FAST).into_response()
        }
    }
}

const TOO_FAST: &str = "You are sending too quickly.";

#[derive(Deserialize)]
struct PastQuery {
    before: Option<i64>,
}

/// The menu's "Past conversations": the visitor's own, newest first, a page at a time.
async fn past_conversations(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PastQuery>,
) -> Result<Json<PastConversations>, WidgetError> {
    let mut conversations =
        db::conversations::for_visitor(&state.db.read, visitor.id, q.before, PAST_PAGE + 1).await?;
    let more = conversations.len() > PAST_PAGE;
    conversations.truncate(PAST_PAGE);
    for c in &mut conversations {
        if let Some((cut, _)) = c.last_message.char_indices().nth(PREVIEW_CHARS) {
            c.last_message.truncate(cut);
            c.last_message.push('…');
        }
    }
    let next_before = more.then(|| conversations.last().map(|c| c.id)).flatten();
    Ok(Json(PastConversations {
        conversations,
        next_before,
    }))
}

/// How much of a conversation's last message the menu shows.
const PREVIEW_CHARS: usize = 80;

/// One of the visitor's conversations, to read again (a resolved one stays closed: the widget
/// shows it without a message box). Another visitor's is not found.
async fn past_conversation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Json<ConversationView>, WidgetError> {
    let mut conn = state.db.read.acquire().await?;
    let found = db::conversations::find(conn.conn(), id).await?;
    drop(conn);
    let c = found
        .filter(|c| c.visitor_id == visitor.id)
        .ok_or(WidgetError::NotFound)?;
    Ok(Json(visitor_view(&state.db.read, &c).await?))
}

/// A conversation as its visitor sees it: no internal notes.
async fn visitor_view(
    pool: &db::Pool,
    c: &db::conversations::ConversationRow,
) -> Result<ConversationView, sqlx::Error> {
    Ok(ConversationView {
        id: c.id,
        status: c.status,
        rated: c.rating.is_some(),
        messages: db::messages::for_conversation(pool, c.id, db::messages::Audience::Visitor)
            .await?,
    })
}

#[derive(Deserialize)]
struct ConfigQuery {
    lang: Option<String>,
}

/// Where Settings → Widget keeps the look.
pub const LOOK_KEY: &str = "widget_look";

/// What the loader fetches while the wasm loads: the look (Settings → Widget) and, for a
/// language other than English, the widget's own words in it. Public, the same for everyone;
/// browsers keep it a minute, so a change in Settings shows within one.
async fn config(
    State(state): State<AppState>,
    Query(q): Query<ConfigQuery>,
) -> Result<Response, WidgetError> {
    use liaison_protocol::widget_texts::{language, translation};
    let look: WidgetLook = db::settings::get(&state.db.read, LOOK_KEY)
        .await?
        .unwrap_or_default();
    let code = q.lang.as_deref().and_then(language).unwrap_or("en");
    let mut body = serde_json::json!({ "look": look, "lang": code });
    if let Some(texts) = translation(code) {
        body["texts"] = serde_json::json!(texts.as_slice());
    }
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(body)).into_response())
}

/// The widget API's one error type: a status and a message meant for people.
#[derive(Debug)]
pub enum WidgetError {
    Unauthorized,
    /// Over a rate limit: what was sent is not stored; try again after the wait.
    TooMany(limits::Wait, &'static str),
    BadRequest(String),
    /// Understood, and not allowed (an identity that does not check out).
    Refused(String),
    /// The body is over the API's size limit.
    TooLarge,
    Conflict(String),
    NotFound,
    Internal,
}

impl IntoResponse for WidgetError {
    fn into_response(self) -> Response {
        if let WidgetError::TooMany(wait, what) = self {
            let seconds = wait.seconds();
            let error = format!("{what} Please wait {seconds} seconds and try again.");
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, seconds.to_string())],
                Json(ApiError { error }),
            )
                .into_response();
        }
        let (status, error) = match self {
            WidgetError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unknown or missing visitor token.".to_string(),
            ),
            WidgetError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            WidgetError::Refused(m) => (StatusCode::FORBIDDEN, m),
            WidgetError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request is too large.".to_string(),
            ),
            WidgetError::Conflict(m) => (StatusCode::CONFLICT, m),
            WidgetError::NotFound => (StatusCode::NOT_FOUND, "Not found.".to_string()),
            WidgetError::Internal | WidgetError::TooMany(..) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.".to_string(),
            ),
        };
        (status, Json(ApiError { error })).into_response()
    }
}

/// A body that is not the JSON expected says why; one over the size limit is 413.
impl From<axum::extract::rejection::JsonRejection> for WidgetError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WidgetError::TooLarge
        } else {
            WidgetError::BadRequest(e.body_text())
        }
    }
}

impl From<sqlx::Error> for WidgetError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!("widget api: database error: {e}");
        WidgetError::Internal
    }
}

impl From<OpError> for WidgetError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::NotFound => WidgetError::NotFound,
            OpError::Invalid(m) => WidgetError::BadRequest(m.to_string()),
            OpError::Refused(m) => WidgetError::BadRequest(m),
            OpError::Conflict(m) => WidgetError::Conflict(m),
            OpError::Rule(r) => WidgetError::Conflict(r.to_string()),
            OpError::Handoff(h) => WidgetError::Conflict(h.to_string()),
            OpError::Db(e) => e.into(),
        }
    }
}

/// The visitor a request speaks for. Handlers that take it cannot run without a valid token.
pub struct Visitor {
    pub id: i64,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WidgetError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let from_header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let token = match from_header {
            Some(t) => t,
            None => Query::<TokenQuery>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|q| q.0.token)
                .ok_or(WidgetError::Unauthorized)?,
        };
        let id = state
            .visitor_tokens
            .visitor(&state.db, token.trim())
            .await?
            .ok_or(WidgetError::Unauthorized)?;
        // A visitor's writes are limited (typing is live only, and the widget sends it at most
        // every 3 s). Counted here, so no handler that writes for a visitor can skip it.
        if parts.method == axum::http::Method::POST && !parts.uri.path().ends_with("/typing") {
            state
                .limits
                .visitor
                .check(&id)
                .map_err(|wait| WidgetError::TooMany(wait, TOO_FAST))?;
        }
        Ok(Visitor { id })
    }
}

/// Free-text metadata is bounded so a client cannot fill the database through it (a field over
/// its bound is refused, naming it), and the browser is stored as operators want to read it
/// ("Chrome 131 on macOS"), not as a user agent.
fn bounded(m: VisitorMetadata) -> Result<VisitorMetadata, WidgetError> {
    m.check().map_err(WidgetError::BadRequest)?;
    Ok(VisitorMetadata {
        browser: m.browser.map(|ua| describe_browser(&ua)),
        ..m
    })
}

/// Starts or resumes a visit. A returning token continues when the visitor is who the site
/// says now: the same verified user, or anonymous as before (a verified user's token is not
/// resumed anonymously: on a shared computer, the next person does not get their chats). A
/// verified user gets their one visitor on every device.
async fn session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<SessionRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SessionResponse>, WidgetError> {
    use liaison_protocol::widget_security::{Identity, identify};
    let Json(request) = body.map_err(WidgetError::from)?;
    let metadata = bounded(request.metadata)?;
    let rules = state.site_rules.current(&state.db).await;
    // The secret is opened only for a visitor who claims to be a user.
    let signed = request
        .user
        .as_ref()
        .filter(|_| !rules.identity_secret.is_empty())
        .and_then(|claim| {
            let secret = state.db.secrets().open(&rules.identity_secret).ok()?;
            Some(crate::server::widget_security::signed(&secret, claim))
        });
    let identity = identify(request.user.as_ref(), signed, rules.require_identity)
        .map_err(|e| WidgetError::Refused(e.to_string()))?;
    let token = request
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let returning = match token {
        Some(t) => state.visitor_tokens.visitor(&state.db, t).await?,
        None => None,
    };
    if let (Some(token), Some(visitor_id)) = (token, returning) {
        let theirs = db::visitors::user_id(&state.db.read, visitor_id).await?;
        let mut tx = state.db.write().await?;
        let resumed = match (&identity, theirs.as_deref()) {
            (Identity::Anonymous, None) => true,
            (Identity::Verified(user), Some(was)) => user == was,
            // An anonymous visitor signs in on the site: they become that user, with their
            // conversation, unless the user already has a visitor (then that one continues).
            (Identity::Verified(user), None) => {
                if db::visitors::find_by_user_id(tx.conn(), user)
                    .await?
                    .is_none()
                {
                    db::visitors::set_user_id(tx.conn(), visitor_id, user).await?;
                    true
                } else {
                    false
                }
            }
            (Identity::Anonymous, Some(_)) => false,
        };
        if resumed {
            db::visitors::touch(tx.conn(), visitor_id, &metadata).await?;
            tx.commit().await?;
            return Ok(Json(SessionResponse {
                token: token.to_string(),
                visitor_id,
            }));
        }
    }
    state.limits.sessions.check(&ip).map_err(|wait| {
        tracing::warn!(%ip, "new visitor sessions throttled");
        WidgetError::TooMany(wait, "Too many new chats from your network.")
    })?;
    let token = visitor_tokens::new_token();
    let token_hash = visitor_tokens::hash(&token);
    let visitor_id = match register(&state.db, &identity, &token_hash, &metadata).await {
        // The same user's first session on two devices at once (PostgreSQL writes in
        // parallel): one made the visitor, and the other now finds it.
        Err(sqlx::Error::Database(e))
            if e.is_unique_violation() && matches!(identity, Identity::Verified(_)) =>
        {
            register(&state.db, &identity, &token_hash, &metadata).await?
        }
        other => other?,
    };
    state.visitor_tokens.remember(token_hash, visitor_id);
    Ok(Json(SessionResponse { token, visitor_id }))
}

/// The visitor a new session token belongs to: a verified user's own (made on their first
/// device), or a new anonymous one.
async fn register(
    db: &crate::server::db::Db,
    identity: &liaison_protocol::widget_security::Identity,
    token_hash: &str,
    metadata: &VisitorMetadata,
) -> Result<i64, sqlx::Error> {
    use liaison_protocol::widget_security::Identity;
    let mut tx = db.write().await?;
    let known = match identity {
        Identity::Verified(user) => db::visitors::find_by_user_id(tx.conn(), user).await?,
        Identity::Anonymous => None,
    };
    let visitor_id = match known {
        // Another device of a verified user: a token of its own for their visitor.
        Some(id) => {
            db::visitors::add_token(tx.conn(), id, token_hash).await?;
            db::visitors::touch(tx.conn(), id, metadata).await?;
            id
        }
        None => {
            let id = db::visitors::insert(tx.conn(), token_hash, metadata).await?;
            if let Identity::Verified(user) = identity {
                db::visitors::set_user_id(tx.conn(), id, user).await?;
            }
            id
        }
    };
    tx.commit().await?;
    Ok(visitor_id)
}

async fn conversation(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<ConversationResponse>, WidgetError> {
    // The cursor is read before the view: anything committed in between is replayed by the
    // stream, and the widget drops what it already shows.
    let cursor = db::events::latest_id(&state.db.read).await?;
    let mut conn = state.db.read.acquire().await?;
    let latest = db::conversations::latest_for_visitor(conn.conn(), visitor.id).await?;
    drop(conn);
    let on_file = db::visitors::find(&state.db.read, visitor.id).await?;
    let prechat = {
        let settings: PrechatSettings = db::settings::get(&state.db.read, PRECHAT_KEY)
            .await?
            .unwrap_or_default();
        let given = on_file.as_ref().map_or([false; 3], |v| {
            [v.name.is_some(), v.email.is_some(), v.phone.is_some()]
        });
        settings.to_ask(latest.is_some(), given)
    };
    let conversation = match &latest {
        Some(c) => Some(visitor_view(&state.db.read, c).await?),
        None => None,
    };
    Ok(Json(ConversationResponse {
        conversation,
        cursor,
        operators_online: crate::server::business_hours::someone_can_answer(&state.db.read).await?,
        booking: crate::server::bookings::settings(&state.db.read)
            .await?
            .enabled,
        prechat,
        email_on_file: on_file.is_some_and(|v| v.email.is_some()),
    }))
}

/// Settings key of the pre-chat form's fields.
pub const PRECHAT_KEY: &str = "prechat";

/// The pre-chat form: checked against Settings, stored on the visitor (the operators' row and
/// Capture Lead read it). A refusal changes nothing.
async fn prechat(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<PrechatForm>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, WidgetError> {
    let Json(form) = body.map_err(WidgetError::from)?;
    let settings: PrechatSettings = db::settings::get(&state.db.read, PRECHAT_KEY)
        .await?
        .unwrap_or_default();
    let given = form.check(&settings).map_err(WidgetError::BadRequest)?;
    let mut tx = state.db.write().await?;
    db::visitors::set_contact(tx.conn(), visitor.id, &given).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The queue the widget's messages are written through (and WhatsApp's). The AI takes its turn
/// on each new one once it is committed, unless the send found the conversation held by an operator (then there
/// is nothing for it to do, and not even a read is spent finding that out again). Its answers
/// are written in batches too.
pub fn send_queue(
    db: db::Db,
    defaults: ai::llm::AgentSettings,
    shutdown: tokio_util::sync::CancellationToken,
) -> conversations::SendQueue {
    let replies: conversations::AiReplies =
        conversations::Batcher::start(db.clone(), std::sync::Arc::new(|_, _| {}));
    let agent = ai::turns::Agent {
        db: db.clone(),
        defaults,
        replies,
    };
    let turns = ai::turns::Turns::default();
    turns.recover(agent.clone(), shutdown);
    conversations::Batcher::start(
        db,
        std::sync::Arc::new(
            move |send: &conversations::VisitorSend, sent: &conversations::Sent| {
                if !sent.is_new
                    || send.file.is_some()
                    || !liaison_protocol::status::ai_may_reply(sent.status, sent.assignee_id)
                {
                    return;
                }
                turns.take(agent.clone(), send.visitor_id, sent.message.clone());
            },
        ),
    )
}

async fn send_message(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<SendMessageRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SendMessageResponse>, WidgetError> {
    let Json(request) = body.map_err(WidgetError::from)?;
    let send = VisitorSend::new(visitor.id, &request.client_msg_id, &request.body)?;
    let sent = state.sends.run(send).await?;
    Ok(Json(SendMessageResponse {
        message: sent.message,
        status: sent.status,
    }))
}

/// "Talk to a human"; with no one to answer now, "Leave a message": the team replies later, so
/// an email address must be on file or given (`leave_message::reply_address`). A refusal
/// changes nothing.
async fn escalate(
    State(state): State<AppState>,
    visitor: Visitor,
    body: axum::body::Bytes,
) -> Result<Json<EscalateResponse>, WidgetError> {
    let request: EscalateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        EscalateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| WidgetError::BadRequest(e.to_string()))?
    };
    let on_file = db::visitors::find(&state.db.read, visitor.id).await?;
    let lang = on_file
        .as_ref()
        .and_then(|v| v.language.as_deref())
        .and_then(ai::policy::Lang::from_tag)
        .unwrap_or(ai::policy::Lang::En);
    let mut say = ai::policy::Handover::Requested.message(lang);
    if !crate::server::business_hours::someone_can_answer(&state.db.read).await? {
        say = ai::policy::say(ai::policy::Say::MessageLeft, lang);
        let on_file = on_file.as_ref().and_then(|v| v.email.as_deref());
        if let Some(email) =
            reply_address(on_file, &request.email).map_err(WidgetError::BadRequest)?
        {
            let given = liaison_protocol::prechat::Given {
                email: Some(email),
                ..Default::default()
            };
            let mut tx = state.db.write().await?;
            db::visitors::set_contact(tx.conn(), visitor.id, &given).await?;
            tx.commit().await?;
        }
    }
    let conversation_id = conversations::open_conversation(&state.db, visitor.id).await?;
    let status = conversations::escalate(
        &state.db,
        conversation_id,
        Actor::Visitor(visitor.id),
        Some(say),
    )
    .await?;
    Ok(Json(EscalateResponse {
        conversation_id,
        status,
    }))
}

/// The visitor is typing: operators see it (live only, nothing stored). Without an open
/// conversation there is no one to tell.
async fn typing(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<StatusCode, WidgetError> {
    let mut conn = state.db.read.acquire().await?;
    let latest = db::conversations::latest_for_visitor(conn.conn(), visitor.id).await?;
    drop(conn);
    if let Some(c) = latest.filter(|c| !c.status.is_closed()) {
        state.db.bus().publish_live(
            liaison_protocol::Event::Typing {
                conversation_id: c.id,
                sender: liaison_protocol::Sender::Customer,
            },
            visitor.id,
        );
    }
    Ok(StatusCode::NO_CONTENT)
}

/// "Book a meeting": a card of free slots in the visitor's conversation (also on the stream).
async fn offer_slots(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<Message>, WidgetError> {
    Ok(Json(
        conversations::offer_slots(&state.db, visitor.id).await?,
    ))
}

/// Books the chosen slot: the confirmation message, or 409 when someone booked it first.
async fn book(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<BookRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Message>, WidgetError> {
    let Json(r) = body.map_err(WidgetError::from)?;
    Ok(Json(
        conversations::book(&state.db, visitor.id, r.start).await?,
    ))
}

async fn rating_options(
    State(state): State<AppState>,
    _visitor: Visitor,
) -> Result<Json<RatingOptions>, WidgetError> {
    Ok(Json(RatingOptions {
        categories: db::ratings::categories(&state.db.read).await?,
    }))
}

async fn rate(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Result<Json<RatingRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<RatingResponse>, WidgetError> {
    let Json(r) = body.map_err(WidgetError::from)?;
    let conversation_id = conversations::rate(
        &state.db,
        visitor.id,
        r.stars,
        &r.categories,
        r.comment.as_deref(),
    )
    .await?;
    Ok(Json(RatingResponse { conversation_id }))
}

#[derive(Deserialize)]
struct StreamQuery {
    after: Option<i64>,
}

async fn stream(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<StreamQuery>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, WidgetError> {
    let cursor = sse::cursor(&headers, query.after);
    // The open stream is the visit: the visitor is a live visitor while it lasts.
    let row = db::visitors::find(&state.db.read, visitor.id)
        .await?
        .ok_or(WidgetError::Unauthorized)?;
    let visit = state.presence.enter(&row);
    Ok(sse::stream(
        state.db.clone(),
        Scope::Visitor(visitor.id),
        cursor,
        state.shutdown.clone(),
        Box::new(visit),
    )
    .await?)
}

/// "Chrome 131 on macOS" from a user-agent string; anything unrecognised is kept as sent.
pub fn describe_browser(user_agent: &str) -> String {
    // Order matters: Edge and Opera also say Chrome; Chrome also says Safari.
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let Some((name, version)) = BROWSERS.iter().find_map(|(token, name)| {
        let rest = &user_agent[user_agent.find(token)? + token.len()..];
        let major: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        Some((*name, major))
    }) else {
        return user_agent.to_string();
    };
    let mut out = if version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {version}")
    };
    if let Some((_, os)) = SYSTEMS.iter().find(|(token, _)| user_agent.contains(token)) {
        out.push_str(" on ");
        out.push_str(os);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn user_agents_read_like_people_say_them() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(describe_browser(chrome), "Chrome 156 on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";
        assert_eq!(describe_browser(edge), "Edge 131 on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_browser(safari), "Safari 17 on iOS");
        assert_eq!(describe_browser("Mozilla/5.0 Firefox/128.0"), "Firefox 128");
        assert_eq!(describe_browser("curl/8.5"), "curl/8.5");
    }
}
