//! Security headers on every response, the dashboard's Content Security Policy (with the nonce
//! leptos puts on its own inline scripts), and Secure cookies when the browser came over https.

use crate::server::client_ip::forwarded_https;
use crate::server::http::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// What every response says unless it says otherwise: no sniffing of types, no full URLs in
/// Referers to other sites, no framing by other sites, no plugins.
pub async fn defaults(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The dashboard's policy: its own scripts (the hydration script by its nonce, the wasm), its
/// own styles, images and media (attachments, thumbnails, voice messages, data: and blob:
/// previews), calls to itself only; no framing, no plugins, forms to itself.
pub fn dashboard_policy(nonce: &str) -> String {
    // `cargo leptos watch` reloads the page over a websocket on another port.
    let reload = if cfg!(debug_assertions) { " ws:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         media-src 'self' blob:; connect-src 'self'{reload}; font-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// Sets the dashboard's policy on the page being rendered (called from the shell).
pub fn set_dashboard_policy() {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = HeaderValue::from_str(&dashboard_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Marks cookies Secure when the browser reached us over https through a trusted proxy
/// (`LIAISON_TRUST_PROXY` and `X-Forwarded-Proto: https`); with an https public URL they
/// always are (`Config::secure_cookies`).
pub async fn secure_cookies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = forwarded_https(request.headers(), state.config.trust_proxy);
    let mut response = next.run(request).await;
    if !https {
        return response;
    }
    let headers = response.headers_mut();
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| match c.to_str() {
            Ok(text) if !has_secure(text) => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| c.clone())
            }
            _ => c.clone(),
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for c in cookies {
        headers.append(header::SET_COOKIE, c);
    }
    response
}

fn has_secure(cookie: &str) -> bool {
    cookie
        .split(';')
        .skip(1)
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let p = dashboard_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-eval'") || p.contains("wasm-unsafe-eval"));
    }

    #[test]
    fn secure_is_an_attribute_not_a_value() {
        assert!(has_secure("id=1; Path=/; Secure; HttpOnly"));
        assert!(!has_secure("id=secure; Path=/"));
        assert!(!has_secure("id=1; Path=/secure"));
    }
}
