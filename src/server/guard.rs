//! Default-deny access control for the whole router, as middleware, so no route or server
//! function can forget it: everything needs a signed-in operator except a short public list.
//! And every state-changing dashboard request must come from our own origin (server functions
//! have no CSRF protection of their own).

use crate::app::auth::Login;
use crate::app::error::AppError;
use crate::server::auth;
use crate::server::http::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::server_fn::ServerFn;
use liaison_protocol::Role;
use tower_sessions::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the login page, the widget and its API (which has its own visitor tokens),
    /// static files, the demo page, the Help Center, health checks.
    Public,
    /// A signed-in operator with at least this role.
    Operator(Role),
}

/// Admin pages; their server functions and routes live under `/api/admin/`.
pub const ADMIN_PAGES: &[&str] = &[
    "/analytics",
    "/connectors",
    "/documents",
    "/help-center",
    "/knowledge-gaps",
    "/settings",
    "/reviews",
    "/team",
];
/// Owner pages; their server functions live under `/api/owner/`.
pub const OWNER_PAGES: &[&str] = &["/usage", "/billing"];

/// Who may request `path`. Pure, so the list is tested. A server function or route is placed
/// under `/api/admin/` or `/api/owner/` to be restricted: the role check is where the path is.
pub fn access_for(path: &str) -> Access {
    // `/invite/…`, `/reset/…` and their `/api/…`: the link's token is its credential.
    const PUBLIC_PREFIXES: &[&str] = &[
        "/pkg/",
        "/widget/",
        "/api/widget/",
        "/help/",
        "/invite/",
        "/api/invite/",
        "/reset/",
        "/api/reset/",
        // Meta's WhatsApp webhook: its verify token and signature are its credentials.
        "/webhooks/",
    ];
    const PUBLIC_PATHS: &[&str] = &[
        "/login",
        "/healthz",
        "/demo",
        "/help",
        "/favicon.ico",
        "/favicon.svg",
    ];
    let page = |pages: &[&str]| {
        pages
            .iter()
            .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
    };
    if PUBLIC_PATHS.contains(&path)
        || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
        || path == <Login as ServerFn>::PATH
    {
        Access::Public
    } else if path.starts_with("/api/owner/") || page(OWNER_PAGES) {
        Access::Operator(Role::Owner)
    } else if path.starts_with("/api/admin/") || page(ADMIN_PAGES) {
        Access::Operator(Role::Admin)
    } else {
        Access::Operator(Role::Agent)
    }
}

/// Whether the request is an API call (answered 401) rather than a page (sent to /login).
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Lets signed-in operators through, handing the operator to the handler in the request's
/// extensions (see `AuthOperator` and `app::auth::ssr::operator`), so it is looked up once.
pub async fn require_operator(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let Access::Operator(required) = access_for(&path) else {
        return next.run(request).await;
    };
    match auth::session_operator(&state.db, &session).await {
        Ok(Some(operator)) => {
            if !operator.role.at_least(required) {
                if is_api(&path) {
                    return refuse(AppError::Forbidden);
                }
                return (
                    StatusCode::FORBIDDEN,
                    "You do not have access to this page. Ask an Owner or Admin.",
                )
                    .into_response();
            }
            request.extensions_mut().insert(operator);
            next.run(request).await
        }
        Ok(None) if is_api(&path) => refuse(AppError::Unauthorized),
        Ok(None) => Redirect::to(&sign_in_then(request.uri())).into_response(),
        Err(e) => {
            tracing::error!("session check failed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The sign-in page, which comes back to the page asked for once signed in (`?next=`).
fn sign_in_then(uri: &axum::http::Uri) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// A query value: everything but unreserved characters and `/` is encoded.
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    match uri.path_and_query().map(|p| p.as_str()) {
        None | Some("/") => "/login".into(),
        Some(page) => format!("/login?next={}", utf8_percent_encode(page, VALUE)),
    }
}

/// A refusal in the shape the dashboard's server functions decode (their one error type, as
/// JSON), so the page can tell "signed out" (to the sign-in page) from "not allowed".
fn refuse(error: AppError) -> Response {
    let body = serde_json::to_string(&error).expect("AppError serializes");
    (
        error.status(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Rejects state-changing requests whose Origin is not this server. The widget API (called from
/// customers' sites) and Meta's webhooks authenticate otherwise, without cookies.
pub async fn reject_foreign_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    // The widget API and Meta's webhooks are called from elsewhere by design, with bearer
    // tokens and signatures instead of cookies.
    if safe || path.starts_with("/api/widget/") || path.starts_with("/webhooks/") {
        return next.run(request).await;
    }
    if origin_allowed(request.headers(), state.config.public_url.as_deref()) {
        next.run(request).await
    } else {
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

/// An Origin is ours when it names the Host the request was sent to, or the configured public
/// URL. Browsers send an Origin with every POST; a request without one (a script, an old
/// browser) passes only when its Referer is ours, so no page elsewhere can have a browser act
/// with an operator's cookies.
pub fn origin_allowed(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let ours = |origin: &str| {
        if public_url.is_some_and(|u| u == origin) {
            return true;
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        matches!((host, origin_host), (Some(h), Some(o)) if h == o)
    };
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        return ours(origin);
    }
    let Some(referer) = headers.get(header::REFERER).and_then(|r| r.to_str().ok()) else {
        return false;
    };
    // The Referer's origin: scheme://host[:port], before the path.
    let after_scheme = referer.find("://").map_or(0, |i| i + 3);
    let end = referer[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(referer.len(), |i| after_scheme + i);
    ours(&referer[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn default_deny() {
        let agent = Access::Operator(Role::Agent);
        assert_eq!(access_for("/"), agent);
        assert_eq!(access_for("/conversations"), agent);
        assert_eq!(access_for("/api/dashboard/v1/stream"), agent);
        assert_eq!(access_for("/api/list_conversations"), agent);
        assert_eq!(access_for("/anything-new"), agent);
        assert_eq!(access_for("/team"), Access::Operator(Role::Admin));
        assert_eq!(access_for("/invite/3f2a"), Access::Public);
        assert_eq!(access_for("/api/invite/accept_invite1"), Access::Public);
        assert_eq!(access_for("/inviteX"), agent);
        assert_eq!(access_for("/login"), Access::Public);
        assert_eq!(access_for("/api/widget/v1/messages"), Access::Public);
        assert_eq!(access_for("/webhooks/whatsapp"), Access::Public);
        assert_eq!(access_for("/widget/liaison.js"), Access::Public);
        assert_eq!(access_for("/help"), Access::Public);
        assert_eq!(access_for("/help/shipping"), Access::Public);
        assert_eq!(access_for(<Login as ServerFn>::PATH), Access::Public);
        // A prefix trick does not widen the list.
        assert_eq!(access_for("/loginx"), agent);
        assert_eq!(access_for("/api/widgets"), agent);
        assert_eq!(access_for("/helpdesk"), agent);
    }

    #[test]
    fn roles_by_path() {
        let admin = Access::Operator(Role::Admin);
        assert_eq!(access_for("/documents"), admin);
        assert_eq!(access_for("/knowledge-gaps"), admin);
        assert_eq!(access_for("/settings"), admin);
        assert_eq!(access_for("/api/admin/list_documents123"), admin);
        assert_eq!(access_for("/api/admin/documents/upload"), admin);
        assert_eq!(access_for("/usage"), Access::Operator(Role::Owner));
        assert_eq!(
            access_for("/api/owner/usage_report1"),
            Access::Operator(Role::Owner)
        );
        assert_eq!(access_for("/documentsx"), Access::Operator(Role::Agent));
    }

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn origins() {
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            None
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "127.0.0.1:3000"),
            None
        ));
        // Without an Origin: only with a Referer of ours.
        assert!(!origin_allowed(&headers(None, "127.0.0.1:3000"), None));
        let mut h = headers(None, "127.0.0.1:3000");
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:3000/settings?x=1"),
        );
        assert!(origin_allowed(&h, None));
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:3000.evil.example/"),
        );
        assert!(!origin_allowed(&h, None));
        assert!(origin_allowed(
            &headers(Some("https://help.example.com"), "10.0.0.5:3000"),
            Some("https://help.example.com")
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "127.0.0.1:3000"),
            None
        ));
    }
}
