//! Settings → Widget security on the server: the sites allowed to use the widget API (CORS and
//! a refusal for any other), and identity verification's signature check. Rules in
//! `protocol/src/widget_security.rs`.

use crate::server::db::{self, Db};
use crate::server::http::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use liaison_protocol::widget_security::{UserClaim, WidgetSecurity};
use sha2::Sha256;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Where the settings live.
pub const KEY: &str = "widget_security";

/// How long a read of the settings is used before reading again (another instance's change
/// shows within this; this instance's own at once).
const FRESH_FOR: Duration = Duration::from_secs(5);

/// The settings as last read, and when.
type Read = Option<(Instant, Arc<WidgetSecurity>)>;

/// The settings, read at most every few seconds: every widget request consults them.
#[derive(Clone, Default)]
pub struct SiteRules {
    read: Arc<RwLock<Read>>,
}

impl SiteRules {
    pub async fn current(&self, db: &Db) -> Arc<WidgetSecurity> {
        if let Some((at, rules)) = self.read.read().unwrap_or_else(|e| e.into_inner()).as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return rules.clone();
        }
        let rules: Arc<WidgetSecurity> = match db::settings::get(&db.read, KEY).await {
            Ok(saved) => Arc::new(saved.unwrap_or_default()),
            Err(e) => {
                // Keep what was known rather than open the door on a database hiccup.
                tracing::warn!("widget security settings: {e}");
                return self
                    .read
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    .map(|(_, r)| r.clone())
                    .unwrap_or_default();
            }
        };
        *self.read.write().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), rules.clone()));
        rules
    }

    /// Read again at the next request (after a save here).
    pub fn forget(&self) {
        *self.read.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Whether `claim.hash` is hex(HMAC-SHA256(secret, claim.id)), compared in constant time.
pub fn signed(secret: &str, claim: &UserClaim) -> bool {
    let Some(hash) = claim.hash.as_deref() else {
        return false;
    };
    let Ok(given) = hex::decode(hash.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(claim.id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// A new identity secret: 32 random bytes, hex.
pub fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Refuses widget API calls from a browser on a site that is not allowed (when a list is set).
/// Calls without an Origin are not a browser on another site; they stay subject to the limits.
pub async fn refuse_other_sites(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    if let Some(origin) = origin
        && !state
            .site_rules
            .current(&state.db)
            .await
            .allows_origin(&origin)
    {
        tracing::warn!(origin, "widget API: site not allowed");
        return (
            StatusCode::FORBIDDEN,
            axum::Json(liaison_protocol::widget_api::ApiError {
                error: "This site is not allowed to use the chat (Settings → Widget security)."
                    .into(),
            }),
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_user_id() {
        // printf 'user-42' | openssl dgst -sha256 -hmac secret
        let claim = |hash: &str| UserClaim {
            id: "user-42".into(),
            hash: Some(hash.into()),
        };
        let real = "e286b7b944100ab478fe553b39122922de0000aee1d04087dc3e96eefc3a8d47".to_string();
        assert!(signed("secret", &claim(&real)));
        assert!(signed("secret", &claim(&real.to_uppercase())));
        assert!(!signed("other", &claim(&real)));
        assert!(!signed("secret", &claim("not hex")));
        assert!(!signed(
            "secret",
            &UserClaim {
                id: "user-43".into(),
                hash: Some(real)
            }
        ));
    }
}
