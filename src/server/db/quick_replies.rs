//! Quick replies, listed by shortcut (a handful of rows: the whole list is one read).

use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::quick_reply::QuickReply;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    shortcut: String,
    body: String,
}

pub async fn list(pool: &Pool) -> Result<Vec<QuickReply>, sqlx::Error> {
    let rows: Vec<Row> = on!(pool, |p| sqlx::query_as(
        "SELECT id, title, shortcut, body FROM quick_replies ORDER BY shortcut"
    )
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| QuickReply {
            id: r.id,
            title: r.title,
            shortcut: r.shortcut,
            body: r.body,
        })
        .collect())
}

/// Adds one (`id` None) or changes one. False when the shortcut is taken by another.
pub async fn save(
    mut conn: Conn<'_>,
    id: Option<i64>,
    title: &str,
    shortcut: &str,
    body: &str,
) -> Result<bool, sqlx::Error> {
    let taken: Option<i64> = on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM quick_replies WHERE shortcut = $1"
    )
    .bind(shortcut)
    .fetch_optional(c)
    .await)?;
    if taken.is_some_and(|t| Some(t) != id) {
        return Ok(false);
    }
    match id {
        Some(id) => on!(conn, |c| sqlx::query(
            "UPDATE quick_replies SET title = $1, shortcut = $2, body = $3 WHERE id = $4"
        )
        .bind(title)
        .bind(shortcut)
        .bind(body)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?,
        None => on!(conn, |c| {
            sqlx::query(
            "INSERT INTO quick_replies (title, shortcut, body, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(title)
        .bind(shortcut)
        .bind(body)
        .bind(now_ms())
        .execute(c)
        .await
        .map(|_| ())
        })?,
    }
    Ok(true)
}

pub async fn delete(mut conn: Conn<'_>, id: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM quick_replies WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}
