//! Knowledge gaps: questions the AI could not answer.

use super::{Conn, Pool, on};
use crate::server::now_ms;
use sqlx::FromRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapReason {
    OutOfScope,
    NoGoodAnswer,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::OutOfScope => "out_of_scope",
            GapReason::NoGoodAnswer => "no_good_answer",
        }
    }
}

pub async fn record(
    mut conn: Conn<'_>,
    conversation_id: i64,
    question: &str,
    reason: GapReason,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO knowledge_gaps (conversation_id, question, reason, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(conversation_id)
        .bind(question)
        .bind(reason.as_str())
        .bind(now_ms())
        .fetch_one(c)
        .await
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct GapRow {
    pub id: i64,
    pub conversation_id: i64,
    pub question: String,
    pub reason: String,
    pub created_at: i64,
}

/// Open gaps, newest first (at most `limit`).
pub async fn open(pool: &Pool, limit: i64) -> Result<Vec<GapRow>, sqlx::Error> {
    on!(pool, |p| {
        sqlx::query_as(
            "SELECT id, conversation_id, question, reason, created_at FROM knowledge_gaps
             WHERE closed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(p)
        .await
    })
}

/// Closes gaps, linking them to the article that now answers them.
pub async fn close(
    mut conn: Conn<'_>,
    ids: &[i64],
    article_id: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let mut closed = 0;
    for id in ids {
        closed += on!(conn, |c| {
            sqlx::query(
                "UPDATE knowledge_gaps SET closed_at = $1, article_id = $2 WHERE id = $3 AND closed_at IS NULL",
            )
            .bind(now_ms())
            .bind(article_id)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(closed)
}
