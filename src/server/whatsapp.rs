//! The WhatsApp channel's webhook (`/webhooks/whatsapp`): Meta's verification handshake, and
//! notifications checked against `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the
//! app secret) before anything is read. Each message is stored once per Meta message id before
//! Meta gets its 200, so a redelivery, or a crash after answering, loses and doubles nothing.

use crate::app::connectors::WHATSAPP_KEY;
use crate::server::AppState;
use crate::server::db;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use liaison_protocol::whatsapp::WhatsappSettings;
use liaison_protocol::whatsapp_webhook::{Notification, handshake, inbound};
use sha2::Sha256;
use std::collections::HashMap;

/// The largest notification read (Meta's are a few KB).
pub const MAX_BODY: usize = 1024 * 1024;

/// The connection's settings with their secrets opened; None when WhatsApp is not connected.
async fn connection(state: &AppState) -> Result<Option<WhatsappSettings>, sqlx::Error> {
    let saved: Option<WhatsappSettings> = db::settings::get(&state.db.read, WHATSAPP_KEY).await?;
    Ok(saved
        .filter(|w| !w.phone_number_id.is_empty())
        .map(|w| crate::server::secrets::open_whatsapp(state.db.secrets(), w)))
}

/// `GET`: answers the handshake with the challenge, or 403.
pub async fn verify(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let saved = match connection(&state).await {
        Ok(saved) => saved.map(|w| w.verify_token).unwrap_or_default(),
        Err(e) => return unavailable(e),
    };
    let get = |k: &str| query.get(k).map(String::as_str);
    match handshake(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
        &saved,
    ) {
        Some(challenge) => challenge.to_string().into_response(),
        None => (StatusCode::FORBIDDEN, "Verification refused.").into_response(),
    }
}

/// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` with `app_secret`, compared
/// in constant time.
pub fn signature_valid(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(given) = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .and_then(|hex_sig| hex::decode(hex_sig).ok())
    else {
        return false;
    };
    if app_secret.is_empty() {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// `POST`: a notification. 401 for a missing or wrong signature and 400 for a body that is not
/// a notification, both without side effects; else its messages are stored (once each) and
/// Meta gets 200.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let connected = match connection(&state).await {
        Ok(Some(w)) => w,
        Ok(None) => return (StatusCode::NOT_FOUND, "WhatsApp is not connected.").into_response(),
        Err(e) => return unavailable(e),
    };
    let header = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if !signature_valid(&connected.app_secret, &body, header) {
        tracing::warn!("WhatsApp webhook: signature missing or wrong");
        return (StatusCode::UNAUTHORIZED, "Signature missing or wrong.").into_response();
    }
    let notification: Notification = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("Not a WhatsApp notification: {e}"),
            )
                .into_response();
        }
    };
    if notification.object != "whatsapp_business_account" {
        return (
            StatusCode::BAD_REQUEST,
            "Not a WhatsApp Business notification.",
        )
            .into_response();
    }
    let messages = inbound(&notification);
    if messages.is_empty() {
        return StatusCode::OK.into_response();
    }
    let stored = async {
        let mut tx = state.db.write().await?;
        let now = crate::server::now_ms();
        for m in &messages {
            let json = serde_json::to_string(m).expect("a message serializes");
            db::whatsapp::store_inbound(tx.conn(), &m.wamid, &m.phone, &json, now).await?;
        }
        tx.commit().await
    };
    match stored.await {
        Ok(()) => StatusCode::OK.into_response(),
        // Meta retries what was not answered with 200.
        Err(e) => unavailable(e),
    }
}

fn unavailable(e: sqlx::Error) -> Response {
    tracing::error!("WhatsApp webhook: {e}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "Not stored; please deliver again.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn only_the_app_secrets_signature_over_this_very_body_is_valid() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let good = sign("app-secret", body);
        assert!(signature_valid("app-secret", body, Some(&good)));
        assert!(!signature_valid("other-secret", body, Some(&good)));
        assert!(!signature_valid(
            "app-secret",
            b"{\"object\":\"x\"}",
            Some(&good)
        ));
        assert!(!signature_valid("app-secret", body, None));
        assert!(!signature_valid("app-secret", body, Some("sha256=zz")));
        assert!(!signature_valid(
            "app-secret",
            body,
            Some(good.trim_start_matches("sha256="))
        ));
        assert!(
            !signature_valid("", body, Some(&sign("", body))),
            "no secret saved"
        );
    }
}
