//! Visitors on the site now, per instance (migration 0016), for instances sharing PostgreSQL:
//! each writes its own, any reads them all (`server/presence.rs` decides when).

use super::{Pool, on};
use liaison_protocol::LiveVisitor;

/// `visitor` is on the site through `instance`'s widget streams, as of `now`.
pub async fn here(
    pool: &Pool,
    instance: i64,
    visitor: &LiveVisitor,
    now: i64,
) -> Result<(), sqlx::Error> {
    on!(pool, |p| {
        sqlx::query(
        "INSERT INTO live_visitors (instance, visitor_id, visitor, page, browser, since, refreshed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (instance, visitor_id) DO UPDATE SET visitor = excluded.visitor,
            page = excluded.page, browser = excluded.browser, refreshed_at = excluded.refreshed_at"
    )
    .bind(instance)
    .bind(visitor.visitor_id)
    .bind(&visitor.visitor)
    .bind(&visitor.page)
    .bind(&visitor.browser)
    .bind(visitor.since)
    .bind(now)
    .execute(p)
    .await
    .map(|_| ())
    })
}

/// `visitor_id` left `instance`; whether another instance still has them (refreshed after
/// `fresh_after`).
pub async fn gone(
    pool: &Pool,
    instance: i64,
    visitor_id: i64,
    fresh_after: i64,
) -> Result<bool, sqlx::Error> {
    on!(pool, |p| sqlx::query(
        "DELETE FROM live_visitors WHERE instance = $1 AND visitor_id = $2"
    )
    .bind(instance)
    .bind(visitor_id)
    .execute(p)
    .await
    .map(|_| ()))?;
    elsewhere(pool, visitor_id, fresh_after).await
}

/// Whether any instance has `visitor_id` (refreshed after `fresh_after`).
pub async fn elsewhere(
    pool: &Pool,
    visitor_id: i64,
    fresh_after: i64,
) -> Result<bool, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM live_visitors WHERE visitor_id = $1 AND refreshed_at > $2)"
    )
    .bind(visitor_id)
    .bind(fresh_after)
    .fetch_one(p)
    .await)
}

/// `instance` still has all its visitors, as of `now`.
pub async fn refresh(pool: &Pool, instance: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(pool, |p| sqlx::query(
        "UPDATE live_visitors SET refreshed_at = $2 WHERE instance = $1"
    )
    .bind(instance)
    .bind(now)
    .execute(p)
    .await
    .map(|_| ()))
}

/// Removes the rows of instances that stopped refreshing before `stale_before` (killed, cut
/// off); the visitors they held.
pub async fn sweep(pool: &Pool, stale_before: i64) -> Result<Vec<i64>, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "DELETE FROM live_visitors WHERE refreshed_at < $1 RETURNING visitor_id"
    )
    .bind(stale_before)
    .fetch_all(p)
    .await)
}

/// Removes all of `instance`'s rows (it is stopping).
pub async fn leave(pool: &Pool, instance: i64) -> Result<(), sqlx::Error> {
    on!(pool, |p| sqlx::query(
        "DELETE FROM live_visitors WHERE instance = $1"
    )
    .bind(instance)
    .execute(p)
    .await
    .map(|_| ()))
}

#[derive(sqlx::FromRow)]
struct Row {
    visitor_id: i64,
    visitor: String,
    page: Option<String>,
    browser: Option<String>,
    since: i64,
}

/// Everyone on the site through any instance (refreshed after `fresh_after`), the longest
/// visit first; a visitor on two instances once, with the earlier start.
pub async fn list(pool: &Pool, fresh_after: i64) -> Result<Vec<LiveVisitor>, sqlx::Error> {
    let rows: Vec<Row> = on!(pool, |p| sqlx::query_as(
        "SELECT visitor_id, visitor, page, browser, since FROM live_visitors
         WHERE refreshed_at > $1 ORDER BY since, visitor_id"
    )
    .bind(fresh_after)
    .fetch_all(p)
    .await)?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.visitor_id))
        .map(|r| LiveVisitor {
            visitor_id: r.visitor_id,
            visitor: r.visitor,
            page: r.page,
            browser: r.browser,
            since: r.since,
        })
        .collect())
}
