//! Password reset links: one-time, for one operator, made by someone above them. Only the
//! token's sha256 is stored; a link works until it expires, is used, or a newer one is made.

use super::{Conn, Pool, on};

/// A link that can still be used: whose password it resets.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Usable {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

/// A new link for `user_id`; earlier unused ones stop working.
pub async fn insert(
    mut conn: Conn<'_>,
    token_hash: &str,
    user_id: i64,
    created_by: i64,
    now: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(created_by)
    .bind(now)
    .bind(expires_at)
    .fetch_one(c)
    .await)
}

/// The link behind `token_hash`, if it still works at `now` for an active operator.
pub async fn usable(
    pool: &Pool,
    token_hash: &str,
    now: i64,
) -> Result<Option<Usable>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT r.id, r.user_id, u.name, u.email FROM password_resets r
         JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2
            AND u.deactivated_at IS NULL"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(p)
    .await)
}

/// Spends the link; false if it was used, replaced or expired in the meantime.
pub async fn spend(mut conn: Conn<'_>, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE password_resets SET used_at = $2
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}
