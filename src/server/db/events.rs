use super::{Conn, Pool, on};
use crate::server::now_ms;
use crate::server::realtime::{Scope, StoredEvent};
use liaison_protocol::Event;

/// Writes `events` to the outbox in one statement per batch and returns them with their ids, in
/// the order given (ids increase in that order: the writer is alone in its transaction).
pub async fn insert_all(
    mut conn: Conn<'_>,
    events: Vec<(Event, Option<i64>)>,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // PostgreSQL: transactions commit side by side, and an id taken early could become visible
    // after a later one, which a reader resuming after the later one would skip for ever. Ids
    // are taken under a lock held until commit, so they become visible in id order. The same
    // round trip queues the notification every instance's relay waits for (`relay.rs`):
    // PostgreSQL delivers it at commit, and only if the transaction commits.
    if conn.is_postgres() {
        on!(conn, |c| sqlx::query(
            "SELECT pg_advisory_xact_lock($1), pg_notify($2, '')"
        )
        .bind(EVENT_IDS_LOCK)
        .bind(super::relay::CHANNEL)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    // Six values a row, well under SQLite's limit of bound variables per statement.
    const ROWS_PER_STATEMENT: usize = 500;
    let mut stored = Vec::with_capacity(events.len());
    let now = now_ms();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let batch: Vec<_> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
        // RETURNING's order is unspecified; the rows were inserted in the order given, so their
        // ids sorted are that order.
        let mut ids: Vec<i64> = on!(conn, |c| {
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
            insert.build_query_scalar().fetch_all(c).await
        })?;
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

/// The advisory lock under which PostgreSQL transactions take event ids (any constant: the
/// lock space is the database's).
const EVENT_IDS_LOCK: i64 = 0x4c69_6169_736f_6e01;

/// The events in `scope` after `cursor`, oldest first, at most `limit`.
pub async fn after(
    pool: &Pool,
    scope: Scope,
    cursor: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let rows: Vec<(i64, Option<i64>, String)> = match scope {
        Scope::Dashboard => on!(pool, |p| {
            sqlx::query_as(
                "SELECT id, visitor_id, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(cursor)
            .bind(limit)
            .fetch_all(p)
            .await
        })?,
        Scope::Visitor(visitor) => on!(pool, |p| {
            // Spelled as the partial index `events_visitor` is, on each backend.
            sqlx::query_as(pool.pick(
                "SELECT id, visitor_id, payload FROM events
                 WHERE visitor_id = $1 AND customer_visible = 1 AND id > $2 ORDER BY id LIMIT $3",
                "SELECT id, visitor_id, payload FROM events
                 WHERE visitor_id = $1 AND customer_visible AND id > $2 ORDER BY id LIMIT $3",
            ))
            .bind(visitor)
            .bind(cursor)
            .bind(limit)
            .fetch_all(p)
            .await
        })?,
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
pub async fn latest_id(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(LATEST).fetch_one(p).await)
}

const LATEST: &str = "SELECT COALESCE(MAX(id), 0) FROM events";

/// Events at or below this id were deleted by retention: a cursor below it cannot be replayed.
pub async fn retention_floor(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT floor FROM event_retention WHERE id = 1"
    )
    .fetch_one(p)
    .await)
}

/// The newest event created before `cutoff_ms`, the next retention floor (0: none). It reads
/// the table in id order from the oldest row and stops at the first one still kept, so it costs
/// what there is to delete, with no index on the time.
pub async fn expired_up_to(mut conn: Conn<'_>, cutoff_ms: i64) -> Result<i64, sqlx::Error> {
    let first_kept: Option<i64> = on!(conn, |c| {
        sqlx::query_scalar("SELECT id FROM events WHERE created_at >= $1 ORDER BY id LIMIT 1")
            .bind(cutoff_ms)
            .fetch_optional(c)
            .await
    })?;
    match first_kept {
        Some(id) => Ok(id - 1),
        None => on!(conn, |c| sqlx::query_scalar(LATEST).fetch_one(c).await),
    }
}

/// Deletes up to `batch` events at or below `up_to` and raises the floor to the highest id
/// deleted. Returns how many were deleted.
pub async fn delete_up_to(mut conn: Conn<'_>, up_to: i64, batch: i64) -> Result<u64, sqlx::Error> {
    let floor: Option<i64> = on!(conn, |c| {
        sqlx::query_scalar(
            "SELECT MAX(id) FROM (SELECT id FROM events WHERE id <= $1 ORDER BY id LIMIT $2) AS old",
        )
        .bind(up_to)
        .bind(batch)
        .fetch_one(c)
        .await
    })?;
    let Some(floor) = floor else {
        return Ok(0);
    };
    let deleted = on!(conn, |c| {
        sqlx::query("DELETE FROM events WHERE id <= $1")
            .bind(floor)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let raise = conn.pick(
        "UPDATE event_retention SET floor = MAX(floor, $1) WHERE id = 1",
        "UPDATE event_retention SET floor = GREATEST(floor, $1) WHERE id = 1",
    );
    on!(conn, |c| sqlx::query(raise)
        .bind(floor)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(deleted)
}
