use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::Role;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(FromRow)]
pub(super) struct Raw {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) password_hash: String,
    pub(super) role: String,
}

impl TryFrom<Raw> for UserRow {
    type Error = sqlx::Error;

    /// The CHECK constraint admits only known roles; anything else is a decode error, never a
    /// silent downgrade or upgrade.
    fn try_from(r: Raw) -> Result<Self, Self::Error> {
        let role = Role::parse(&r.role)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {:?}", r.role).into()))?;
        Ok(UserRow {
            id: r.id,
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            role,
        })
    }
}

pub async fn count(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(p)
        .await)
}

pub async fn insert(
    mut conn: Conn<'_>,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, role, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_ms())
        .fetch_one(c)
        .await
    })
}

/// An active operator by email (a deactivated one is not found: they cannot sign in).
pub async fn find_by_email(pool: &Pool, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    // Emails match whatever their case: SQLite's column is COLLATE NOCASE, PostgreSQL's unique
    // index is on lower(email).
    let sql = pool.pick(
        "SELECT id, email, name, password_hash, role FROM users
         WHERE email = $1 AND deactivated_at IS NULL",
        "SELECT id, email, name, password_hash, role FROM users
         WHERE lower(email) = lower($1) AND deactivated_at IS NULL",
    );
    let raw: Option<Raw> = on!(pool, |p| sqlx::query_as(sql)
        .bind(email)
        .fetch_optional(p)
        .await)?;
    raw.map(UserRow::try_from).transpose()
}

/// An active operator (a deactivated one is not found: their sessions are refused).
pub async fn find(pool: &Pool, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let raw: Option<Raw> = on!(pool, |p| {
        sqlx::query_as(
            "SELECT id, email, name, password_hash, role FROM users
             WHERE id = $1 AND deactivated_at IS NULL",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?;
    raw.map(UserRow::try_from).transpose()
}

/// An operator's name, read in `conn` (inside a write transaction: the target of a handoff).
pub async fn name(mut conn: Conn<'_>, id: i64) -> Result<Option<String>, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// One operator as pickers list them (Transfer, Delegate).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Teammate {
    pub id: i64,
    pub name: String,
    pub available: bool,
}

/// Every operator, the available ("online") ones first, then by name.
pub async fn teammates(pool: &Pool) -> Result<Vec<Teammate>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT id, name, available FROM users WHERE deactivated_at IS NULL
         ORDER BY available DESC, name, id"
    )
    .fetch_all(p)
    .await)
}

/// Online (true) or away: the operator's own toggle in the top bar.
pub async fn set_available(
    mut conn: Conn<'_>,
    id: i64,
    available: bool,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE users SET available = $1 WHERE id = $2"
    )
    .bind(available)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Whether any operator is online (their availability toggle): the widget offers "Leave a
/// message" instead of a live human when nobody is.
pub async fn anyone_available(pool: &Pool) -> Result<bool, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE available = TRUE AND deactivated_at IS NULL)"
    )
    .fetch_one(p)
    .await)
}

/// An operator as the Team page lists them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub available: bool,
    pub deactivated: bool,
    pub avatar_colour: String,
}

/// The team: Owner, Admins, then Agents, each by name (a team's size; at most 1,000).
pub async fn members(pool: &Pool) -> Result<Vec<Member>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT id, name, email, role, available, deactivated_at IS NOT NULL AS deactivated,
                avatar_colour
         FROM users
         ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name, id
         LIMIT 1000"
    )
    .fetch_all(p)
    .await)
}

/// Deactivates an operator and signs them out everywhere (their sessions' rows go in the same
/// transaction); false if there was none active with that id.
pub async fn deactivate(mut conn: Conn<'_>, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = on!(conn, |c| sqlx::query(
        "UPDATE users SET deactivated_at = $2, available = FALSE
         WHERE id = $1 AND deactivated_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?;
    super::operator_sessions::end_all(conn, id, None).await?;
    Ok(done)
}

/// Changes an active operator's role.
pub async fn set_role(mut conn: Conn<'_>, id: i64, role: Role) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE users SET role = $2 WHERE id = $1 AND deactivated_at IS NULL"
    )
    .bind(id)
    .bind(role.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// An operator's own profile: name and avatar colour.
pub async fn set_profile(
    mut conn: Conn<'_>,
    id: i64,
    name: &str,
    colour: &str,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE users SET name = $2, avatar_colour = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(colour)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A new password: every session signed in with the old one ends with it (their rows go in the
/// same transaction), so no caller can leave one signed in.
pub async fn set_password_hash(
    mut conn: Conn<'_>,
    id: i64,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE users SET password_hash = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(password_hash)
    .execute(c)
    .await
    .map(|_| ()))?;
    super::operator_sessions::end_all(conn, id, None).await?;
    Ok(())
}

/// What the top bar shows of the signed-in operator: their availability and avatar colour.
pub async fn presence_and_colour(pool: &Pool, id: i64) -> Result<(bool, String), sqlx::Error> {
    let row: Option<(bool, String)> = on!(pool, |p| sqlx::query_as(
        "SELECT available, avatar_colour FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?;
    Ok(row.unwrap_or((false, String::new())))
}
