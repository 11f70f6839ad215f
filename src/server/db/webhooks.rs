//! Outgoing webhooks: the endpoints, their deliveries (the log and the queue), and the cursor
//! into the event log the deliveries are made from (migration 0033).

use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::webhook::{Delivery, DeliveryStatus, Webhook, WebhookEvent, WebhookFields};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub events: String,
    pub active: bool,
    pub since_event_id: i64,
    pub created_at: i64,
}

impl WebhookRow {
    /// The row with its secret opened (as stored it is sealed: `secrets`).
    pub fn opened(mut self, secrets: &crate::server::secrets::Secrets) -> WebhookRow {
        self.secret = secrets.open(&self.secret).unwrap_or_else(|e| {
            tracing::error!(webhook = self.id, "{e}");
            String::new()
        });
        self
    }

    pub fn events(&self) -> Vec<WebhookEvent> {
        self.events
            .split(',')
            .filter_map(WebhookEvent::parse)
            .collect()
    }

    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.active && self.events().contains(&event)
    }

    /// As the page lists it: the secret's last four characters only.
    pub fn listed(&self, pending: i64, failed: i64) -> Webhook {
        let hint: String = self.secret.chars().rev().take(4).collect();
        Webhook {
            id: self.id,
            url: self.url.clone(),
            events: self.events(),
            active: self.active,
            secret_hint: format!("…{}", hint.chars().rev().collect::<String>()),
            created_at: self.created_at,
            pending,
            failed,
        }
    }
}

const COLUMNS: &str = "id, url, secret, events, active, since_event_id, created_at";

fn joined(events: &[WebhookEvent]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A new endpoint, receiving events after the latest one.
pub async fn insert(
    mut conn: Conn<'_>,
    fields: &WebhookFields,
    secret: &str,
    created_by: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO webhooks (url, secret, events, active, since_event_id, created_by,
                created_at)
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(id), 0) FROM events), $5, $6)
             RETURNING id",
        )
        .bind(&fields.url)
        .bind(secret)
        .bind(joined(&fields.events))
        .bind(fields.active)
        .bind(created_by)
        .bind(now_ms())
        .fetch_one(c)
        .await
    })
}

pub async fn update(
    mut conn: Conn<'_>,
    id: i64,
    fields: &WebhookFields,
) -> Result<bool, sqlx::Error> {
    let n = on!(conn, |c| {
        sqlx::query("UPDATE webhooks SET url = $1, events = $2, active = $3 WHERE id = $4")
            .bind(&fields.url)
            .bind(joined(&fields.events))
            .bind(fields.active)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Removes the endpoint and its log.
pub async fn delete(mut conn: Conn<'_>, id: i64) -> Result<bool, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let n = on!(conn, |c| {
        sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Replaces an endpoint's stored secret (sealing one stored in plain text).
pub async fn set_secret(mut conn: Conn<'_>, id: i64, secret: &str) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())
    })
}

pub async fn find(pool: &Pool, id: i64) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1");
    on!(pool, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// Every endpoint, oldest first (a handful per installation).
pub async fn all(pool: &Pool) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks ORDER BY id");
    on!(pool, |p| sqlx::query_as(&sql).fetch_all(p).await)
}

/// Pending and failed deliveries per endpoint.
pub async fn backlog(pool: &Pool) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT webhook_id,
            CAST(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS BIGINT)
         FROM webhook_deliveries WHERE status <> 'delivered' GROUP BY webhook_id"
    )
    .fetch_all(p)
    .await)
}

/// How far the event log has been read, and moving it on.
pub async fn cursor(mut conn: Conn<'_>) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT event_id FROM webhook_cursor WHERE id = 1"
    )
    .fetch_one(c)
    .await)
}

pub async fn set_cursor(mut conn: Conn<'_>, event_id: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE webhook_cursor SET event_id = $1 WHERE id = 1"
    )
    .bind(event_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The cursor and the latest event's id, from a reader: whether there is anything to read.
pub async fn unread(pool: &Pool) -> Result<(i64, i64), sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT c.event_id, COALESCE((SELECT MAX(id) FROM events), 0)
         FROM webhook_cursor c WHERE c.id = 1"
    )
    .fetch_one(p)
    .await)
}

/// A stored event a webhook may be about.
#[derive(Debug, Clone, FromRow)]
pub struct LoggedEvent {
    pub id: i64,
    pub kind: String,
    pub conversation_id: Option<i64>,
    pub payload: String,
    pub created_at: i64,
}

/// The events after `after` whose kind is one of `kinds`, in id order, and the last id read
/// (which moves past events of other kinds too). One read of at most `limit` events.
pub async fn events_after(
    mut conn: Conn<'_>,
    after: i64,
    kinds: &[&str],
    limit: i64,
) -> Result<(Vec<LoggedEvent>, i64), sqlx::Error> {
    let rows: Vec<LoggedEvent> = on!(conn, |c| sqlx::query_as(
        "SELECT id, kind, conversation_id, payload, created_at FROM events
         WHERE id > $1 ORDER BY id LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    let last = rows.last().map_or(after, |e| e.id);
    Ok((
        rows.into_iter()
            .filter(|e| kinds.contains(&e.kind.as_str()))
            .collect(),
        last,
    ))
}

/// Queues a delivery; `event_id` makes it once per endpoint and event. `next_attempt_at` None
/// keeps it out of the queue (a test sent at once).
pub async fn enqueue(
    mut conn: Conn<'_>,
    webhook_id: i64,
    event: &str,
    event_id: Option<i64>,
    payload: &str,
    next_attempt_at: Option<i64>,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (webhook_id, event, event_id, payload, status,
            next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6)
         ON CONFLICT (webhook_id, event_id) DO UPDATE SET event = excluded.event
         RETURNING id"
    )
    .bind(webhook_id)
    .bind(event)
    .bind(event_id)
    .bind(payload)
    .bind(next_attempt_at)
    .bind(now_ms())
    .fetch_one(c)
    .await)
}

/// A delivery to attempt: where, with what key, and what.
#[derive(Debug, Clone, FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

impl DueDelivery {
    /// The delivery with its endpoint's secret opened, to sign with.
    pub fn opened(mut self, secrets: &crate::server::secrets::Secrets) -> DueDelivery {
        self.secret = secrets.open(&self.secret).unwrap_or_else(|e| {
            tracing::error!(webhook = self.webhook_id, "{e}");
            String::new()
        });
        self
    }
}

/// Up to `limit` pending deliveries whose time has come, oldest first.
pub async fn due(pool: &Pool, now: i64, limit: i64) -> Result<Vec<DueDelivery>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT d.id, d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
         ORDER BY d.next_attempt_at, d.id LIMIT $2"
    )
    .bind(now)
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// One delivery as the sender needs it (for a test sent at once).
pub async fn to_send(pool: &Pool, id: i64) -> Result<Option<DueDelivery>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT d.id, d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: DeliveryStatus,
    pub response_code: Option<i64>,
    pub error: Option<String>,
    /// For a delivery still pending, when to try again.
    pub next_attempt_at: Option<i64>,
}

pub async fn record_attempt(
    mut conn: Conn<'_>,
    id: i64,
    attempt: &Attempt,
) -> Result<(), sqlx::Error> {
    let finished = (attempt.status != DeliveryStatus::Pending).then(now_ms);
    on!(conn, |c| sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1, response_code = $2,
            error = $3, next_attempt_at = $4, finished_at = $5 WHERE id = $6"
    )
    .bind(attempt.status.as_str())
    .bind(attempt.response_code)
    .bind(&attempt.error)
    .bind(attempt.next_attempt_at)
    .bind(finished)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(FromRow)]
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    event: String,
    status: String,
    attempts: i64,
    response_code: Option<i64>,
    error: Option<String>,
    created_at: i64,
    next_attempt_at: Option<i64>,
    finished_at: Option<i64>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Delivery {
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event: r.event,
            status: DeliveryStatus::parse(&r.status).unwrap_or(DeliveryStatus::Failed),
            attempts: r.attempts,
            response_code: r.response_code,
            error: r.error,
            created_at: r.created_at,
            next_attempt_at: r.next_attempt_at,
            finished_at: r.finished_at,
        }
    }
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, status, attempts, response_code, error,
    created_at, next_attempt_at, finished_at";

/// One endpoint's log, newest first, `limit` older than `before` (keyset).
pub async fn log(
    pool: &Pool,
    webhook_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    );
    let rows: Vec<DeliveryRow> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(webhook_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(rows.into_iter().map(Delivery::from).collect())
}

pub async fn delivery(pool: &Pool, id: i64) -> Result<Option<Delivery>, sqlx::Error> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1");
    let row: Option<DeliveryRow> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)?;
    Ok(row.map(Delivery::from))
}
