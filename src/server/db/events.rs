use crate::server::now_ms;
use crate::server::realtime::{Scope, StoredEvent};
use liaison_protocol::Event;
use sqlx::{SqliteConnection, SqlitePool};

/// Writes `events` to the outbox in one statement per batch and returns them with their ids, in
/// the order given (ids increase in that order: the writer is alone in its transaction).
pub async fn insert_all(
    conn: &mut SqliteConnection,
    events: Vec<(Event, Option<i64>)>,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    // Six values a row, well under SQLite's limit of bound variables per statement.
    const ROWS_PER_STATEMENT: usize = 500;
    let mut stored = Vec::with_capacity(events.len());
    let now = now_ms();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let batch: Vec<_> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO events (kind, conversation_id, visitor_id, customer_visible, payload, created_at) ",
        );
        insert.push_values(&batch, |mut row, (event, visitor_id)| {
            let payload = serde_json::to_string(event).expect("events always serialize");
            row.push_bind(event.kind())
                .push_bind(event.conversation_id())
                .push_bind(*visitor_id)
                .push_bind(event.customer_visible())
                .push_bind(payload)
                .push_bind(now);
        });
        insert.push(" RETURNING id");
        // RETURNING's order is unspecified; the rows were inserted in the order given, so their
        // ids sorted are that order.
        let mut ids: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *conn).await?;
        ids.sort_unstable();
        if ids.len() != batch.len() {
            return Err(sqlx::Error::Protocol(format!(
                "{} events written, {} ids returned",
                batch.len(),
                ids.len()
            )));
        }
        stored.extend(
            ids.into_iter()
                .zip(batch)
                .map(|(id, (event, visitor_id))| StoredEvent {
                    id,
                    visitor_id,
                    event,
                }),
        );
    }
    Ok(stored)
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
