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

/// Events at or below this id were deleted by retention: a cursor below it cannot be replayed.
pub async fn retention_floor(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT floor FROM event_retention WHERE id = 1")
        .fetch_one(pool)
        .await
}

/// The newest event created before `cutoff_ms`, the next retention floor (0: none). It reads
/// the table in id order from the oldest row and stops at the first one still kept, so it costs
/// what there is to delete, with no index on the time.
pub async fn expired_up_to(
    conn: &mut SqliteConnection,
    cutoff_ms: i64,
) -> Result<i64, sqlx::Error> {
    let first_kept: Option<i64> =
        sqlx::query_scalar("SELECT id FROM events WHERE created_at >= ? ORDER BY id LIMIT 1")
            .bind(cutoff_ms)
            .fetch_optional(&mut *conn)
            .await?;
    match first_kept {
        Some(id) => Ok(id - 1),
        None => latest_id_in(conn).await,
    }
}

async fn latest_id_in(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
        .fetch_one(conn)
        .await
}

/// Deletes up to `batch` events at or below `up_to` and raises the floor to the highest id
/// deleted. Returns how many were deleted.
pub async fn delete_up_to(
    conn: &mut SqliteConnection,
    up_to: i64,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    let floor: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(id) FROM (SELECT id FROM events WHERE id <= ? ORDER BY id LIMIT ?)",
    )
    .bind(up_to)
    .bind(batch)
    .fetch_one(&mut *conn)
    .await?;
    let Some(floor) = floor else {
        return Ok(0);
    };
    let deleted = sqlx::query("DELETE FROM events WHERE id <= ?")
        .bind(floor)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query("UPDATE event_retention SET floor = MAX(floor, ?) WHERE id = 1")
        .bind(floor)
        .execute(conn)
        .await?;
    Ok(deleted)
}
