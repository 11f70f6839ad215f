//! The WhatsApp channel. Its webhook (`/webhooks/whatsapp`): Meta's verification handshake,
//! and notifications checked against `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with
//! the app secret) before anything is read. Each message is stored once per Meta message id
//! before Meta gets its 200, so a redelivery, or a crash after answering, loses and doubles
//! nothing; statuses move the ticks of the replies they name. A background [`Worker`] then
//! puts stored messages in conversations (`inbound`) and sends replies (`outbound`) through
//! the Graph API (`graph`).

pub mod graph;
pub mod inbound;
pub mod outbound;

use crate::app::connectors::WHATSAPP_KEY;
use crate::server::AppState;
use crate::server::db;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use liaison_protocol::whatsapp::WhatsappSettings;
use liaison_protocol::whatsapp_webhook::{self as webhook, Notification, handshake};
use liaison_protocol::{Delivery, Event};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The largest notification read (Meta's are a few KB).
pub const MAX_BODY: usize = 1024 * 1024;

/// The connection's settings as stored, secrets sealed (for what needs no secret: the
/// template's name, whether ratings are asked); None when WhatsApp is not connected.
pub async fn saved(pool: &db::Pool) -> Result<Option<WhatsappSettings>, sqlx::Error> {
    let saved: Option<WhatsappSettings> = db::settings::get(pool, WHATSAPP_KEY).await?;
    Ok(saved.filter(|w| !w.phone_number_id.is_empty()))
}

/// The connection's settings with their secrets opened; None when WhatsApp is not connected.
pub async fn connection(db: &db::Db) -> Result<Option<WhatsappSettings>, sqlx::Error> {
    Ok(saved(&db.read)
        .await?
        .map(|w| crate::server::secrets::open_whatsapp(db.secrets(), w)))
}

/// Puts received messages in conversations and sends replies, in the background: woken by the
/// webhook and by each queued reply, and every second for retries.
#[derive(Clone)]
pub struct Worker {
    pub db: db::Db,
    pub attachments: crate::server::attachments::Store,
    pub reach: crate::server::outbound::Reach,
    /// The largest file accepted from a customer (the attachments' limit).
    pub max_file_bytes: usize,
    /// The first wait before a send is tried again.
    pub retry_ms: i64,
    pub sends: crate::server::conversations::SendQueue,
    wake: Arc<Notify>,
}

impl Worker {
    pub fn new(
        db: db::Db,
        attachments: crate::server::attachments::Store,
        reach: crate::server::outbound::Reach,
        max_file_bytes: usize,
        retry_ms: i64,
        sends: crate::server::conversations::SendQueue,
    ) -> Worker {
        Worker {
            db,
            attachments,
            reach,
            max_file_bytes,
            retry_ms,
            sends,
            wake: Arc::default(),
        }
    }

    /// Something arrived: work now rather than at the next tick.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// One round, on the one instance that holds the job: received messages first (the AI's
    /// answers to them queue replies), then the replies that are due.
    pub async fn round(&self) -> Result<(), sqlx::Error> {
        let Some(w) = connection(&self.db).await? else {
            return Ok(());
        };
        let Some(_only_us) = self.db.exclusive("whatsapp").await? else {
            return Ok(());
        };
        inbound::put_waiting(self, &w).await?;
        outbound::send_due(self, &w).await?;
        Ok(())
    }

    /// Runs rounds until shutdown.
    pub fn spawn(self, shutdown: CancellationToken) {
        let mut events = self
            .db
            .bus()
            .subscribe(crate::server::realtime::Scope::Dashboard);
        tokio::spawn(async move {
            let period = std::time::Duration::from_millis(self.retry_ms.clamp(50, 1000) as u64);
            let mut every = tokio::time::interval(period);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = every.tick() => {}
                    _ = self.wake.notified() => {}
                    got = events.recv() => match got {
                        Ok(e) if queued_reply(&e.event) => {}
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                }
                if let Err(e) = self.round().await {
                    tracing::warn!("WhatsApp: {e}");
                }
            }
        });
    }
}

/// `items` in groups by `key`, the groups in the order their first item came and each group
/// in the order its items came.
pub fn grouped<T, K: std::hash::Hash + Eq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut at: HashMap<K, usize> = HashMap::new();
    for item in items {
        match at.get(&key(&item)) {
            Some(&i) => groups[i].push(item),
            None => {
                at.insert(key(&item), groups.len());
                groups.push(vec![item]);
            }
        }
    }
    groups
}

/// A reply written for WhatsApp, waiting for the worker.
fn queued_reply(event: &Event) -> bool {
    matches!(event, Event::MessageCreated { message } if message.delivery == Some(Delivery::Queued))
}

/// `GET`: answers the handshake with the challenge, or 403.
pub async fn verify(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let saved = match connection(&state.db).await {
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
    let connected = match connection(&state.db).await {
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
    let notification = notification.for_number(&connected.phone_number_id);
    let messages = webhook::inbound(&notification);
    let statuses = webhook::statuses(&notification);
    if messages.is_empty() && statuses.is_empty() {
        return StatusCode::OK.into_response();
    }
    let stored = async {
        let mut tx = state.db.write().await?;
        let now = crate::server::now_ms();
        for m in &messages {
            let json = serde_json::to_string(m).expect("a message serializes");
            db::whatsapp::store_inbound(tx.conn(), &m.wamid, &m.phone, &json, now).await?;
        }
        for s in &statuses {
            report(&mut tx, s).await?;
        }
        tx.commit().await
    };
    match stored.await {
        Ok(()) => {
            state.whatsapp.wake();
            StatusCode::OK.into_response()
        }
        // Meta retries what was not answered with 200.
        Err(e) => unavailable(e),
    }
}

/// Meta's report on a reply: its ticks move on (never back), or it failed with the reason. A
/// report on a message Liaison did not send (another app on the same number) is ignored.
async fn report(tx: &mut db::WriteTx, s: &webhook::StatusReport) -> Result<(), sqlx::Error> {
    let Some(sent) = db::whatsapp::sent(tx.conn(), &s.wamid).await? else {
        return Ok(());
    };
    let now = sent
        .delivery
        .as_deref()
        .and_then(Delivery::parse)
        .unwrap_or(Delivery::Queued);
    let next = now.after(s.delivery);
    if next == now {
        return Ok(());
    }
    let error = (next == Delivery::Failed)
        .then(|| s.error.clone())
        .flatten();
    db::whatsapp::set_delivery(tx.conn(), sent.message_id, next, error.as_deref()).await?;
    tx.emit(
        Event::MessageDelivery {
            conversation_id: sent.conversation_id,
            message_id: sent.message_id,
            delivery: next,
            error,
        },
        Some(sent.visitor_id),
    );
    Ok(())
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

    #[test]
    fn groups_keep_the_order_items_came_in() {
        let g = grouped(
            vec![(1, 'a'), (2, 'b'), (1, 'c'), (3, 'd'), (2, 'e')],
            |x| x.0,
        );
        assert_eq!(
            g,
            vec![
                vec![(1, 'a'), (1, 'c')],
                vec![(2, 'b'), (2, 'e')],
                vec![(3, 'd')]
            ]
        );
    }
}
