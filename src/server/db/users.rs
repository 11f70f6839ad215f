use crate::server::now_ms;
use liaison_protocol::Role;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(FromRow)]
struct Raw {
    id: i64,
    email: String,
    name: String,
    password_hash: String,
    role: String,
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

pub async fn count(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await
}

pub async fn insert(
    conn: &mut SqliteConnection,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now_ms())
    .fetch_one(conn)
    .await
}

pub async fn find_by_email(pool: &SqlitePool, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let raw: Option<Raw> =
        sqlx::query_as("SELECT id, email, name, password_hash, role FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    raw.map(UserRow::try_from).transpose()
}

pub async fn find(pool: &SqlitePool, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let raw: Option<Raw> =
        sqlx::query_as("SELECT id, email, name, password_hash, role FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    raw.map(UserRow::try_from).transpose()
}
