//! The Analytics page's figures, read from what triggers maintain (migration 0032): rows per day
//! (or hour) and channel, so a 90-day range reads a few thousand rows whatever the number of
//! conversations. Days are UTC day numbers, both ends included; `channel` None is every channel.

use super::{Pool, on};
use liaison_protocol::analytics::{BUCKETS, DayFigures, GapCount};

/// The channel condition's parameter: '' stands for every channel.
fn channel_param(channel: Option<&str>) -> String {
    channel.unwrap_or_default().to_string()
}

/// Sessions, resolved, AI-resolved and the five handover counts (in
/// `HandoverReason::ALL` order) over the range.
pub struct Totals {
    pub sessions: i64,
    pub resolved: i64,
    pub ai_resolved: i64,
    pub handovers: [i64; 5],
}

pub async fn totals(
    pool: &Pool,
    from: i64,
    to: i64,
    channel: Option<&str>,
) -> Result<Totals, sqlx::Error> {
    type Row = (i64, i64, i64, i64, i64, i64, i64, i64);
    let row: Row = on!(pool, |p| sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT),
            CAST(COALESCE(SUM(resolved), 0) AS BIGINT),
            CAST(COALESCE(SUM(ai_resolved), 0) AS BIGINT),
            CAST(COALESCE(SUM(asked_for_human), 0) AS BIGINT),
            CAST(COALESCE(SUM(out_of_scope), 0) AS BIGINT),
            CAST(COALESCE(SUM(frustrated), 0) AS BIGINT),
            CAST(COALESCE(SUM(manual), 0) AS BIGINT),
            CAST(COALESCE(SUM(ai_unavailable), 0) AS BIGINT)
         FROM analytics_daily WHERE day >= $1 AND day <= $2 AND ($3 = '' OR channel = $3)"
    )
    .bind(from)
    .bind(to)
    .bind(channel_param(channel))
    .fetch_one(p)
    .await)?;
    let (sessions, resolved, ai_resolved, a, b, c, d, e) = row;
    Ok(Totals {
        sessions,
        resolved,
        ai_resolved,
        handovers: [a, b, c, d, e],
    })
}

/// Sessions and resolutions per day that had any (the page fills the others with zeros).
pub async fn days(
    pool: &Pool,
    from: i64,
    to: i64,
    channel: Option<&str>,
) -> Result<Vec<DayFigures>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64)> = on!(pool, |p| sqlx::query_as(
        "SELECT day, CAST(SUM(sessions) AS BIGINT), CAST(SUM(resolved) AS BIGINT)
         FROM analytics_daily WHERE day >= $1 AND day <= $2 AND ($3 = '' OR channel = $3)
         GROUP BY day ORDER BY day"
    )
    .bind(from)
    .bind(to)
    .bind(channel_param(channel))
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(day, sessions, resolved)| DayFigures {
            day,
            sessions,
            resolved,
        })
        .collect())
}

/// Conversations started per hour (hours since the epoch) within the range's days.
pub async fn hours(
    pool: &Pool,
    from: i64,
    to: i64,
    channel: Option<&str>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT hour, CAST(SUM(sessions) AS BIGINT) FROM analytics_hourly
         WHERE hour >= $1 AND hour < $2 AND ($3 = '' OR channel = $3)
         GROUP BY hour ORDER BY hour"
    )
    .bind(from * 24)
    .bind((to + 1) * 24)
    .bind(channel_param(channel))
    .fetch_all(p)
    .await)
}

/// One histogram: counts per bucket of `BUCKETS`.
pub type Histogram = Vec<i64>;

/// The histograms of one metric (`first_response`, `human_response`, `resolution`) over the
/// range, per operator id (0 is everyone).
pub async fn durations(
    pool: &Pool,
    metric: &str,
    from: i64,
    to: i64,
    channel: Option<&str>,
) -> Result<Vec<(i64, Histogram)>, sqlx::Error> {
    let rows: Vec<(i64, i32, i64)> = on!(pool, |p| sqlx::query_as(
        "SELECT operator_id, bucket, CAST(SUM(n) AS BIGINT) FROM durations_daily
         WHERE day >= $1 AND day <= $2 AND ($3 = '' OR channel = $3) AND metric = $4
         GROUP BY operator_id, bucket ORDER BY operator_id, bucket"
    )
    .bind(from)
    .bind(to)
    .bind(channel_param(channel))
    .bind(metric)
    .fetch_all(p)
    .await)?;
    let mut out: Vec<(i64, Histogram)> = Vec::new();
    for (operator, bucket, n) in rows {
        if out.last().is_none_or(|(o, _)| *o != operator) {
            out.push((operator, vec![0; BUCKETS.len()]));
        }
        if let (Some((_, h)), Ok(b)) = (out.last_mut(), usize::try_from(bucket))
            && b < h.len()
        {
            h[b] = n;
        }
    }
    Ok(out)
}

/// One operator's counts over the range.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OperatorRow {
    pub operator_id: i64,
    pub name: String,
    pub conversations: i64,
    pub resolved: i64,
    pub ratings: i64,
    pub rating_sum: i64,
}

/// Every operator with activity in the range, busiest first.
pub async fn operators(
    pool: &Pool,
    from: i64,
    to: i64,
    channel: Option<&str>,
) -> Result<Vec<OperatorRow>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT o.operator_id, u.name,
            CAST(SUM(o.conversations) AS BIGINT) AS conversations,
            CAST(SUM(o.resolved) AS BIGINT) AS resolved,
            CAST(SUM(o.ratings) AS BIGINT) AS ratings,
            CAST(SUM(o.rating_sum) AS BIGINT) AS rating_sum
         FROM operator_daily o JOIN users u ON u.id = o.operator_id
         WHERE o.day >= $1 AND o.day <= $2 AND ($3 = '' OR o.channel = $3)
         GROUP BY o.operator_id, u.name
         ORDER BY SUM(o.conversations) + SUM(o.resolved) DESC, u.name"
    )
    .bind(from)
    .bind(to)
    .bind(channel_param(channel))
    .fetch_all(p)
    .await)
}

/// The questions the AI could not answer most often in the range (same words, any case).
pub async fn top_gaps(
    pool: &Pool,
    from: i64,
    to: i64,
    channel: Option<&str>,
    limit: i64,
) -> Result<Vec<GapCount>, sqlx::Error> {
    let rows: Vec<(String, i64)> = on!(pool, |p| sqlx::query_as(
        "SELECT MIN(g.question), COUNT(*) FROM knowledge_gaps g
         JOIN conversations c ON c.id = g.conversation_id
         WHERE g.created_at >= $1 AND g.created_at < $2 AND ($3 = '' OR c.channel = $3)
         GROUP BY LOWER(g.question) ORDER BY COUNT(*) DESC, MIN(g.question) LIMIT $4"
    )
    .bind(from * 86_400_000)
    .bind((to + 1) * 86_400_000)
    .bind(channel_param(channel))
    .bind(limit)
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(question, asked)| GapCount { question, asked })
        .collect())
}

/// The bucket bounds as migration 0032 stored them (a test compares them with `BUCKETS`).
pub async fn stored_buckets(pool: &Pool) -> Result<Vec<i64>, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT below_ms FROM duration_buckets ORDER BY bucket"
    )
    .fetch_all(p)
    .await)
}
