//! Outgoing webhooks: one background task (one instance at a time on PostgreSQL) reads the
//! event log after its cursor, writes a delivery for every endpoint subscribed to each event
//! (in the same transaction as moving the cursor, so none is lost or made twice), then sends
//! the deliveries that are due: JSON, signed with HMAC-SHA256, retried with backoff
//! (`liaison_protocol::webhook::retry_after_ms`) until the endpoint answers 2xx or the attempts
//! run out. Every attempt is in the delivery log the Connectors page shows.

use crate::server::db::{self, Db, webhooks as store};
use crate::server::now_ms;
use crate::server::outbound::{self, Reach};
use hmac::{Hmac, Mac};
use liaison_protocol::webhook::{
    Delivery, DeliveryStatus, MAX_ATTEMPTS, TEST_EVENT, WebhookEvent, delivered, retry_after_ms,
};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The kinds of stored events a webhook can come from.
const KINDS: [&str; 4] = [
    "conversation_created",
    "status_changed",
    "rated",
    "lead_captured",
];
/// Events read per transaction, deliveries sent per round.
const BATCH: i64 = 200;
const SEND_BATCH: i64 = 20;
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// `sha256=<hex>`: the `X-Liaison-Signature` of `body` sent at `timestamp` (seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new signing secret: 32 random bytes.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// Which webhook event a stored event is, if any.
fn webhook_event(e: &store::LoggedEvent, payload: &Value) -> Option<WebhookEvent> {
    match e.kind.as_str() {
        "conversation_created" => Some(WebhookEvent::ConversationCreated),
        "status_changed" => match payload["status"].as_str()? {
            "needs_agent" => Some(WebhookEvent::NeedsAgent),
            "resolved" => Some(WebhookEvent::Resolved),
            _ => None,
        },
        "rated" => Some(WebhookEvent::Rating),
        "lead_captured" => Some(WebhookEvent::LeadCaptured),
        _ => None,
    }
}

/// The JSON an endpoint receives.
fn body(event: &str, event_id: Option<i64>, created_at: i64, data: Value) -> String {
    json!({
        "event": event,
        "event_id": event_id,
        "created_at": created_at,
        "data": data,
    })
    .to_string()
}

/// What the delivery says about the event: the conversation as the inbox lists it, and the
/// rating or the lead.
async fn data(
    tx: &mut db::WriteTx,
    e: &store::LoggedEvent,
    payload: Value,
) -> Result<Value, sqlx::Error> {
    let conversation = match e.conversation_id {
        Some(id) => db::conversations::find(tx.conn(), id)
            .await?
            .map(|row| serde_json::to_value(row.summary()).unwrap_or(Value::Null)),
        None => None,
    };
    let mut data = json!({ "conversation": conversation });
    for key in ["rating", "lead"] {
        if let Some(v) = payload.get(key) {
            data[key] = v.clone();
        }
    }
    Ok(data)
}

/// Writes the deliveries of the events after the cursor and moves it. How many were written.
pub async fn fan_out(db: &Db) -> Result<usize, sqlx::Error> {
    let (cursor, latest) = store::unread(&db.read).await?;
    if latest <= cursor {
        return Ok(0);
    }
    let hooks = store::all(&db.read).await?;
    if !hooks.iter().any(|h| h.active) {
        // Nobody listens: skip what happened (an endpoint added later starts after it anyway).
        let mut tx = db.write().await?;
        store::set_cursor(tx.conn(), latest).await?;
        tx.commit().await?;
        return Ok(0);
    }
    let mut written = 0;
    loop {
        let mut tx = db.write().await?;
        let after = store::cursor(tx.conn()).await?;
        let (events, last) = store::events_after(tx.conn(), after, &KINDS, BATCH).await?;
        if last == after {
            return Ok(written);
        }
        for e in &events {
            let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
            let Some(kind) = webhook_event(e, &payload) else {
                continue;
            };
            let wanting: Vec<_> = hooks
                .iter()
                .filter(|h| h.wants(kind) && e.id > h.since_event_id)
                .collect();
            if wanting.is_empty() {
                continue;
            }
            let text = body(
                kind.as_str(),
                Some(e.id),
                e.created_at,
                data(&mut tx, e, payload).await?,
            );
            for h in wanting {
                store::enqueue(
                    tx.conn(),
                    h.id,
                    kind.as_str(),
                    Some(e.id),
                    &text,
                    Some(now_ms()),
                )
                .await?;
                written += 1;
            }
        }
        store::set_cursor(tx.conn(), last).await?;
        tx.commit().await?;
    }
}

/// The client for `reach` (public addresses only, unless `LIAISON_ALLOW_PRIVATE_URLS`); no
/// redirects are followed.
fn client(reach: &Reach) -> reqwest::Client {
    outbound::shared("webhooks", reach, |builder| {
        builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .user_agent("Liaison-Webhooks/1")
            .build()
            .expect("the webhook HTTP client builds")
    })
}

/// One POST of a delivery; what it came to, with the next attempt's time when it should be
/// retried (`retry_base_ms` None: never).
async fn attempt(
    d: &store::DueDelivery,
    retry_base_ms: Option<i64>,
    reach: &Reach,
) -> store::Attempt {
    let timestamp = now_ms() / 1000;
    let sent = match reqwest::Url::parse(&d.url) {
        Ok(url) if !outbound::literal_refused(&url, reach) => Ok(url),
        _ => Err(()),
    };
    let sent = match sent {
        Ok(url) => client(reach).post(url),
        Err(()) => return failed(d, retry_base_ms, None, UNREACHABLE.into()),
    }
    .header("content-type", "application/json")
    .header("x-liaison-event", &d.event)
    .header("x-liaison-delivery", d.id.to_string())
    .header("x-liaison-timestamp", timestamp.to_string())
    .header(
        "x-liaison-signature",
        signature(&d.secret, timestamp, &d.payload),
    )
    .body(d.payload.clone())
    .send()
    .await;
    let (code, error) = match sent {
        Ok(r) if delivered(r.status().as_u16()) => {
            return store::Attempt {
                status: DeliveryStatus::Delivered,
                response_code: Some(i64::from(r.status().as_u16())),
                error: None,
                next_attempt_at: None,
            };
        }
        Ok(r) => (
            Some(i64::from(r.status().as_u16())),
            format!("The endpoint answered {}.", r.status()),
        ),
        Err(e) if e.is_timeout() => (None, format!("No answer within {} s.", TIMEOUT.as_secs())),
        Err(e) if e.is_connect() => (None, UNREACHABLE.to_string()),
        Err(_) => (None, "The request failed.".to_string()),
    };
    failed(d, retry_base_ms, code, error)
}

/// Said of a private address and of an endpoint that does not answer alike (`outbound`).
const UNREACHABLE: &str = "Could not connect to the endpoint.";

/// An attempt that did not deliver: tried again later while attempts remain.
fn failed(
    d: &store::DueDelivery,
    retry_base_ms: Option<i64>,
    code: Option<i64>,
    error: String,
) -> store::Attempt {
    let tried = d.attempts + 1;
    let retry = retry_base_ms.filter(|_| tried < MAX_ATTEMPTS);
    store::Attempt {
        status: if retry.is_some() {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Failed
        },
        response_code: code,
        error: Some(error),
        next_attempt_at: retry.map(|base| now_ms() + retry_after_ms(tried, base)),
    }
}

/// Sends what is due, up to `PARALLEL` at a time, so one slow endpoint does not hold up the
/// others (order between deliveries is not promised: each carries its event's id and time).
/// How many attempts were made.
pub async fn send_due(db: &Db, retry_base_ms: i64, reach: &Reach) -> Result<usize, sqlx::Error> {
    use futures::StreamExt;
    const PARALLEL: usize = 8;
    let due: Vec<_> = store::due(&db.read, now_ms(), SEND_BATCH)
        .await?
        .into_iter()
        .map(|d| d.opened(db.secrets()))
        .collect();
    let n = due.len();
    let outcomes: Vec<(i64, store::Attempt)> = futures::stream::iter(due)
        .map(|d| async move { (d.id, attempt(&d, Some(retry_base_ms), reach).await) })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut tx = db.write().await?;
    for (id, outcome) in &outcomes {
        store::record_attempt(tx.conn(), *id, outcome).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// "Send test": a `ping` delivery sent at once, once; its line of the log.
pub async fn send_test(
    db: &Db,
    webhook_id: i64,
    reach: &Reach,
) -> Result<Option<Delivery>, sqlx::Error> {
    let Some(hook) = store::find(&db.read, webhook_id).await? else {
        return Ok(None);
    };
    let text = body(
        TEST_EVENT,
        None,
        now_ms(),
        json!({ "message": "A test from Liaison's Connectors page.", "webhook_id": hook.id }),
    );
    let mut tx = db.write().await?;
    let id = store::enqueue(tx.conn(), hook.id, TEST_EVENT, None, &text, None).await?;
    tx.commit().await?;
    let Some(d) = store::to_send(&db.read, id)
        .await?
        .map(|d| d.opened(db.secrets()))
    else {
        return Ok(None);
    };
    let outcome = attempt(&d, None, reach).await;
    let mut tx = db.write().await?;
    store::record_attempt(tx.conn(), id, &outcome).await?;
    tx.commit().await?;
    store::delivery(&db.read, id).await
}

/// Runs the fan-out and the sender until shutdown, every second (or every `retry_base_ms` when
/// that is shorter, as in tests).
pub fn spawn(db: Db, retry_base_ms: i64, reach: Reach, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let period = Duration::from_millis(retry_base_ms.clamp(50, 1000) as u64);
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = every.tick() => {
                    let Ok(Some(_only_us)) = db.exclusive("webhooks").await else {
                        continue;
                    };
                    if let Err(e) = fan_out(&db).await {
                        tracing::warn!("webhooks: reading events failed: {e}");
                    }
                    if let Err(e) = send_due(&db, retry_base_ms, &reach).await {
                        tracing::warn!("webhooks: sending failed: {e}");
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // Computed independently: printf '1.{}' | openssl dgst -sha256 -hmac key
        let s = signature("key", 1, "{}");
        assert_eq!(
            s,
            "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_ne!(s, signature("key", 2, "{}"));
        assert_ne!(s, signature("other", 1, "{}"));
    }
}
