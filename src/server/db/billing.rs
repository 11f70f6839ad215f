//! The Billing page's figures, from maintained rollups: conversations per UTC day
//! (`activity_daily`), tokens and cost per UTC day (`llm_usage_daily`), and the team's size.

use super::{Pool, on};

/// Conversations started on day `first` (days since the epoch) or later.
pub async fn conversations_since(pool: &Pool, first: i64) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) FROM activity_daily WHERE day >= $1"
    )
    .bind(first)
    .fetch_one(p)
    .await)
}

/// AI tokens and cost (millionths of a dollar) from day `first` ("YYYY-MM-DD") on.
pub async fn usage_since(pool: &Pool, first: &str) -> Result<(i64, i64), sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(tokens), 0) AS BIGINT),
            CAST(COALESCE(SUM(cost_micro_usd), 0) AS BIGINT)
         FROM llm_usage_daily WHERE day >= $1"
    )
    .bind(first)
    .fetch_one(p)
    .await)
}

/// Operators who can sign in (the seats in use).
pub async fn seats(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE deactivated_at IS NULL"
    )
    .fetch_one(p)
    .await)
}
