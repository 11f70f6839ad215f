use crate::server::now_ms;
use crate::server::realtime::{Scope, StoredEvent};
use liaison_protocol::Event;
use sqlx::{SqliteConnection, SqlitePool};

pub async fn insert(
    conn: &mut SqliteConnection,
    event: &Event,
    visitor_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let payload = serde_json::to_string(event).expect("events always serialize");
    let id = sqlx::query_scalar(
        "INSERT INTO events (kind, conversation_id, visitor_id, customer_visible, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(event.kind())
    .bind(event.conversation_id())
    .bind(visitor_id)
    .bind(event.customer_visible())
    .bind(payload)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The events in `scope` after `cursor`, oldest first, at most `limit`.
pub async fn after(
    pool: &SqlitePool,
    scope: Scope,
    cursor: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let rows: Vec<(i64, Option<i64>, String)> = match scope {
        Scope::Dashboard => {
            sqlx::query_as(
                "SELECT id, visitor_id, payload FROM events WHERE id > ? ORDER BY id LIMIT ?",
            )
            .bind(cursor)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        Scope::Visitor(visitor) => {
            sqlx::query_as(
                "SELECT id, visitor_id, payload FROM events
                 WHERE visitor_id = ? AND customer_visible = 1 AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(visitor)
            .bind(cursor)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    rows.into_iter()
        .map(|(id, visitor_id, payload)| {
            let event =
                serde_json::from_str(&payload).map_err(|e| sqlx::Error::Decode(e.into()))?;
            Ok(StoredEvent {
                id,
                visitor_id,
                event,
            })
        })
        .collect()
}

/// The newest event id, or 0: where a fresh view's stream starts.
pub async fn latest_id(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
        .fetch_one(pool)
        .await
}
