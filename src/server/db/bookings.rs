//! Meetings booked through the widget. The unique start is the rule "one meeting per slot":
//! a second booking of the same time inserts nothing, in any race.

use super::{Conn, on};
use crate::server::now_ms;
use liaison_protocol::booking::Slot;

/// Books `slot` for the conversation; `None` when the slot was already taken.
pub async fn insert(
    mut conn: Conn<'_>,
    conversation_id: i64,
    visitor_id: i64,
    slot: Slot,
) -> Result<Option<i64>, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO bookings (conversation_id, visitor_id, starts_at, ends_at, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (starts_at) DO NOTHING RETURNING id",
        )
        .bind(conversation_id)
        .bind(visitor_id)
        .bind(slot.start)
        .bind(slot.end)
        .bind(now_ms())
        .fetch_optional(c)
        .await
    })
}

/// Starts of the meetings booked in `[from, to)`, by the unique index.
pub async fn taken(mut conn: Conn<'_>, from: i64, to: i64) -> Result<Vec<i64>, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "SELECT starts_at FROM bookings WHERE starts_at >= $1 AND starts_at < $2
             ORDER BY starts_at",
        )
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })
}

/// Marks the conversation Booked (its tab and counts follow by trigger).
pub async fn mark_booked(mut conn: Conn<'_>, conversation_id: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query("UPDATE conversations SET booked = $1 WHERE id = $2")
            .bind(true)
            .bind(conversation_id)
            .execute(c)
            .await
            .map(|_| ())
    })
}
