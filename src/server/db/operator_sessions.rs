//! Operators' signed-in sessions: one row per sign-in, found by the random key the dashboard
//! session holds. No row, no session: ending one is deleting its row (`server::auth`).

use super::users::{Raw, UserRow};
use super::{Conn, Pool, on};
use sqlx::FromRow;

/// At most this many sessions per operator: a new sign-in beyond it ends the least recently
/// used (each list stays short, whatever a script does with a password).
pub const MAX_PER_OPERATOR: i64 = 50;

/// The signed-in operator behind a session key, with the row's id and when it was last seen.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: i64,
    pub last_seen_at: i64,
    pub user: UserRow,
}

#[derive(FromRow)]
struct SignedInRaw {
    session: i64,
    last_seen_at: i64,
    #[sqlx(flatten)]
    user: Raw,
}

/// One session as the Profile and Team pages list it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Listed {
    pub id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub address: String,
}

/// A new session for `user_id`; beyond [`MAX_PER_OPERATOR`] the least recently seen end.
/// Returns the row's id.
pub async fn insert(
    mut conn: Conn<'_>,
    session_key: &str,
    user_id: i64,
    user_agent: &str,
    address: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id = on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO operator_sessions
             (session_key, user_id, created_at, last_seen_at, user_agent, address)
         VALUES ($1, $2, $3, $3, $4, $5) RETURNING id"
    )
    .bind(session_key)
    .bind(user_id)
    .bind(now)
    .bind(user_agent)
    .bind(address)
    .fetch_one(c)
    .await)?;
    on!(conn, |c| sqlx::query(
        "DELETE FROM operator_sessions WHERE user_id = $1 AND id NOT IN (
             SELECT id FROM operator_sessions WHERE user_id = $1
             ORDER BY last_seen_at DESC, id DESC LIMIT $2)"
    )
    .bind(user_id)
    .bind(MAX_PER_OPERATOR)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(id)
}

/// The active operator signed in with `session_key`, if the session was seen after `since`.
pub async fn signed_in(
    pool: &Pool,
    session_key: &str,
    since: i64,
) -> Result<Option<SignedIn>, sqlx::Error> {
    let raw: Option<SignedInRaw> = on!(pool, |p| sqlx::query_as(
        "SELECT s.id AS session, s.last_seen_at,
                u.id, u.email, u.name, u.password_hash, u.role
         FROM operator_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.session_key = $1 AND s.last_seen_at > $2 AND u.deactivated_at IS NULL"
    )
    .bind(session_key)
    .bind(since)
    .fetch_optional(p)
    .await)?;
    raw.map(|r| {
        Ok(SignedIn {
            session: r.session,
            last_seen_at: r.last_seen_at,
            user: UserRow::try_from(r.user)?,
        })
    })
    .transpose()
}

/// Marks a session as seen at `now`.
pub async fn seen(mut conn: Conn<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE operator_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// An operator's sessions seen after `since`, the most recently seen first (at most
/// [`MAX_PER_OPERATOR`] exist).
pub async fn of_operator(
    pool: &Pool,
    user_id: i64,
    since: i64,
) -> Result<Vec<Listed>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT id, created_at, last_seen_at, user_agent, address FROM operator_sessions
         WHERE user_id = $1 AND last_seen_at > $2
         ORDER BY last_seen_at DESC, id DESC LIMIT $3"
    )
    .bind(user_id)
    .bind(since)
    .bind(MAX_PER_OPERATOR)
    .fetch_all(p)
    .await)
}

/// Ends one session of `user_id`; false if they have none with that id.
pub async fn end(mut conn: Conn<'_>, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM operator_sessions WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Ends the session whose key is `session_key` (signing out).
pub async fn end_key(mut conn: Conn<'_>, session_key: &str) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM operator_sessions WHERE session_key = $1"
    )
    .bind(session_key)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Ends every session of `user_id` but `keep` (if any); returns the ids ended.
pub async fn end_all(
    mut conn: Conn<'_>,
    user_id: i64,
    keep: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "DELETE FROM operator_sessions WHERE user_id = $1 AND id <> $2 RETURNING id"
    )
    .bind(user_id)
    .bind(keep.unwrap_or(0))
    .fetch_all(c)
    .await)
}

/// Deletes the rows of sessions not seen after `since` (expired), at most `limit` at a time;
/// returns how many.
pub async fn delete_stale(mut conn: Conn<'_>, since: i64, limit: i64) -> Result<u64, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM operator_sessions WHERE id IN (
             SELECT id FROM operator_sessions WHERE last_seen_at <= $1 LIMIT $2)"
    )
    .bind(since)
    .bind(limit)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
