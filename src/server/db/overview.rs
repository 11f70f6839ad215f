//! The Overview page's figures, read from what triggers maintain (`activity_daily`,
//! `operator_activity_daily`, `open_queue`, `conversation_counts`; migration 0028): a few
//! thousand rows at most whatever the number of conversations, never a count over history.

use super::{Pool, on};
use liaison_protocol::overview::{
    AgentOverview, CHART_DAYS, DayActivity, TeamOverview, chart_days, day_of,
};

type Totals = (i64, i64, i64, i64, i64, i64, i64);

/// The eight cards (all-time) and the 14 chart days ending on `now`'s UTC day.
pub async fn team(pool: &Pool, now: i64) -> Result<TeamOverview, sqlx::Error> {
    let totals: Totals = on!(pool, |p| sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT),
            CAST(COALESCE(SUM(resolved), 0) AS BIGINT),
            CAST(COALESCE(SUM(messages), 0) AS BIGINT),
            CAST(COALESCE(SUM(bookings), 0) AS BIGINT),
            CAST(COALESCE(SUM(agent_requests), 0) AS BIGINT),
            CAST(COALESCE(SUM(ratings), 0) AS BIGINT),
            CAST(COALESCE(SUM(rating_sum), 0) AS BIGINT)
         FROM activity_daily"
    )
    .fetch_one(p)
    .await)?;
    let today = day_of(now);
    let rows: Vec<(i64, i64, i64, i64, i64)> = on!(pool, |p| sqlx::query_as(
        "SELECT day, sessions, resolved, messages, bookings FROM activity_daily
         WHERE day > $1 AND day <= $2 ORDER BY day"
    )
    .bind(today - CHART_DAYS as i64)
    .bind(today)
    .fetch_all(p)
    .await)?;
    let rows: Vec<DayActivity> = rows
        .into_iter()
        .map(
            |(day, sessions, resolved, messages, bookings)| DayActivity {
                day,
                sessions,
                resolved,
                messages,
                bookings,
            },
        )
        .collect();
    let documents_ready: i64 = on!(pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM kb_documents WHERE status = 'ready'"
    )
    .fetch_one(p)
    .await)?;
    let (
        total_sessions,
        resolved,
        messages_sent,
        bookings_made,
        agent_requests,
        ratings,
        rating_sum,
    ) = totals;
    Ok(TeamOverview {
        total_sessions,
        messages_sent,
        bookings_made,
        resolved,
        documents_ready,
        agent_requests,
        ratings,
        rating_sum,
        days: chart_days(&rows, today),
    })
}

/// The four cards of one operator.
pub async fn agent(pool: &Pool, operator_id: i64) -> Result<AgentOverview, sqlx::Error> {
    // Resolving releases the lock, so what an operator holds is what is not resolved.
    let my_open: i64 = on!(pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversations WHERE assignee_id = $1"
    )
    .bind(operator_id)
    .fetch_one(p)
    .await)?;
    let resolved_by_me: i64 = on!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(resolved), 0) AS BIGINT) FROM operator_activity_daily
         WHERE operator_id = $1"
    )
    .bind(operator_id)
    .fetch_one(p)
    .await)?;
    let open_queue: i64 = on!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM open_queue"
    )
    .fetch_one(p)
    .await)?;
    let needs_agent: i64 = on!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM conversation_counts
         WHERE status = 'needs_agent'"
    )
    .fetch_one(p)
    .await)?;
    Ok(AgentOverview {
        my_open,
        resolved_by_me,
        open_queue,
        needs_agent,
    })
}
