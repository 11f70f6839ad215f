//! Tokens used by LLM calls and their estimated cost.

use super::{Conn, Pool, on};
use crate::server::now_ms;
use sqlx::FromRow;

pub struct NewUsage<'a> {
    pub conversation_id: Option<i64>,
    pub purpose: &'a str,
    pub model: &'a str,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub cost_micro_usd: i64,
}

/// The UTC day of a time in milliseconds, as YYYY-MM-DD.
pub fn day_of(ms: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub async fn record(mut conn: Conn<'_>, u: NewUsage<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    on!(conn, |c| {
        sqlx::query(
            "INSERT INTO llm_usage (conversation_id, purpose, model, prompt_tokens, completion_tokens,
                cost_micro_usd, day, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(u.conversation_id)
        .bind(u.purpose)
        .bind(u.model)
        .bind(i64::from(u.prompt_tokens))
        .bind(i64::from(u.completion_tokens))
        .bind(u.cost_micro_usd)
        .bind(day_of(now))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    on!(conn, |c| {
        sqlx::query(
            "INSERT INTO llm_usage_daily (day, tokens, cost_micro_usd) VALUES ($1, $2, $3)
             ON CONFLICT (day) DO UPDATE SET tokens = llm_usage_daily.tokens + excluded.tokens,
                cost_micro_usd = llm_usage_daily.cost_micro_usd + excluded.cost_micro_usd",
        )
        .bind(day_of(now))
        .bind(i64::from(u.prompt_tokens) + i64::from(u.completion_tokens))
        .bind(u.cost_micro_usd)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Tokens and cost of a UTC day (the rollup row: one read).
pub async fn day_totals(pool: &Pool, day: &str) -> Result<(i64, i64), sqlx::Error> {
    let row: Option<(i64, i64)> = on!(pool, |p| sqlx::query_as(
        "SELECT tokens, cost_micro_usd FROM llm_usage_daily WHERE day = $1"
    )
    .bind(day)
    .fetch_optional(p)
    .await)?;
    Ok(row.unwrap_or((0, 0)))
}

/// Tokens a conversation's calls have used (its own rows, by index).
pub async fn conversation_tokens(pool: &Pool, conversation_id: i64) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT)
         FROM llm_usage WHERE conversation_id = $1"
    )
    .bind(conversation_id)
    .fetch_one(p)
    .await)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub key: String,
    pub calls: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_micro_usd: i64,
}

/// Sums cast back to integers (PostgreSQL sums BIGINTs as NUMERIC).
const SUMS: &str = "COUNT(*) AS calls,
    CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS prompt_tokens,
    CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS completion_tokens,
    CAST(COALESCE(SUM(cost_micro_usd), 0) AS BIGINT) AS cost_micro_usd";

/// The rows that are model calls.
const CALLS: &str = "purpose NOT IN ('ungrounded', 'over_budget')";

/// Totals per UTC day, newest first.
pub async fn per_day(pool: &Pool, days: i64) -> Result<Vec<Totals>, sqlx::Error> {
    let sql = format!(
        "SELECT day AS key, {SUMS} FROM llm_usage WHERE purpose <> '{UNGROUNDED}'
                 GROUP BY day ORDER BY day DESC LIMIT $1"
    );
    on!(pool, |p| sqlx::query_as(&sql).bind(days).fetch_all(p).await)
}

/// Totals per conversation, most expensive first.
pub async fn per_conversation(pool: &Pool, limit: i64) -> Result<Vec<Totals>, sqlx::Error> {
    let sql = format!(
        "SELECT CAST(conversation_id AS TEXT) AS key, {SUMS} FROM llm_usage
         WHERE conversation_id IS NOT NULL AND {CALLS} GROUP BY conversation_id
         ORDER BY SUM(cost_micro_usd) DESC, SUM(prompt_tokens + completion_tokens) DESC LIMIT $1"
    );
    on!(pool, |p| sqlx::query_as(&sql)
        .bind(limit)
        .fetch_all(p)
        .await)
}

/// The purpose recorded for an answer replaced by its passage (not a call: no tokens, left out
/// of the call totals).
pub const UNGROUNDED: &str = "ungrounded";

/// The purpose recorded when the AI handed over instead of calling the model because the AI
/// budget was spent (not a call either).
pub const OVER_BUDGET: &str = "over_budget";

/// How many rows were recorded for a purpose that is not a call (`UNGROUNDED`, `OVER_BUDGET`).
pub async fn events(pool: &Pool, purpose: &str) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM llm_usage WHERE purpose = $1"
    )
    .bind(purpose)
    .fetch_one(p)
    .await)
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_utc_dates() {
        assert_eq!(super::day_of(0), "1970-01-01");
        assert_eq!(super::day_of(1_763_683_200_000), "2025-11-21");
    }
}
