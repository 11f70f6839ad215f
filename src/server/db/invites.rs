//! Invitations to the team: a one-time link for an email and role. Only the token's sha256 is
//! stored; a link is usable until it expires or is accepted, once.

use super::{Conn, Pool, on};
use liaison_protocol::Role;

/// A link that can still be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: i64,
    pub email: String,
    pub role: Role,
}

/// A pending invitation as the Team page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub expires_at: i64,
}

pub async fn insert(
    mut conn: Conn<'_>,
    token_hash: &str,
    email: &str,
    role: Role,
    invited_by: i64,
    now: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO invites (token_hash, email, role, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(token_hash)
    .bind(email)
    .bind(role.as_str())
    .bind(invited_by)
    .bind(now)
    .bind(expires_at)
    .fetch_one(c)
    .await)
}

/// The invitation behind a link, if it can still be accepted at `now`.
pub async fn usable(
    mut conn: Conn<'_>,
    token_hash: &str,
    now: i64,
) -> Result<Option<Invite>, sqlx::Error> {
    let row: Option<(i64, String, String)> = on!(conn, |c| sqlx::query_as(
        "SELECT id, email, role FROM invites
         WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    Ok(row.and_then(|(id, email, role)| {
        Some(Invite {
            id,
            email,
            role: Role::parse(&role)?,
        })
    }))
}

/// Marks the invitation used; false if it was used (or expired) in the meantime.
pub async fn accept(mut conn: Conn<'_>, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE invites SET accepted_at = $2
         WHERE id = $1 AND accepted_at IS NULL AND expires_at > $2"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Invitations not accepted and not expired, newest first (a team's handful; at most 200).
pub async fn pending(pool: &Pool, now: i64) -> Result<Vec<Pending>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT i.id, i.email, i.role, u.name AS invited_by, i.expires_at
         FROM invites i JOIN users u ON u.id = i.invited_by
         WHERE i.accepted_at IS NULL AND i.expires_at > $1
         ORDER BY i.id DESC LIMIT 200"
    )
    .bind(now)
    .fetch_all(p)
    .await)
}
