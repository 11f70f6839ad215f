use crate::server::now_ms;
use liaison_protocol::widget_api::VisitorMetadata;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VisitorRow {
    pub id: i64,
    pub browser: Option<String>,
    pub timezone: Option<String>,
    pub referrer: Option<String>,
    pub page: Option<String>,
    pub language: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

const COLUMNS: &str = "id, browser, timezone, referrer, page, language, name, email";

pub async fn find_by_token_hash(
    pool: &SqlitePool,
    token_hash: &str,
) -> Result<Option<VisitorRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM visitors WHERE token_hash = ?"
    ))
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

pub async fn find(pool: &SqlitePool, id: i64) -> Result<Option<VisitorRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM visitors WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn insert(
    conn: &mut SqliteConnection,
    token_hash: &str,
    m: &VisitorMetadata,
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    sqlx::query_scalar(
        "INSERT INTO visitors (token_hash, browser, timezone, referrer, page, language, created_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash)
    .bind(&m.browser)
    .bind(&m.timezone)
    .bind(&m.referrer)
    .bind(&m.page)
    .bind(&m.language)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Records where the visitor is now. A field the widget did not send keeps its old value.
pub async fn touch(
    conn: &mut SqliteConnection,
    id: i64,
    m: &VisitorMetadata,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE visitors SET browser = COALESCE(?, browser), timezone = COALESCE(?, timezone),
            referrer = COALESCE(?, referrer), page = COALESCE(?, page),
            language = COALESCE(?, language), last_seen_at = ?
         WHERE id = ?",
    )
    .bind(&m.browser)
    .bind(&m.timezone)
    .bind(&m.referrer)
    .bind(&m.page)
    .bind(&m.language)
    .bind(now_ms())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
