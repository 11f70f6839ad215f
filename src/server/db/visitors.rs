use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::widget_api::VisitorMetadata;
use sqlx::FromRow;

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
    pub phone: Option<String>,
    /// The WhatsApp number they write from (E.164), for a visitor from WhatsApp.
    pub whatsapp: Option<String>,
}

const COLUMNS: &str =
    "id, browser, timezone, referrer, page, language, name, email, phone, whatsapp";

/// The visitor a token belongs to: the one it was made for, or a verified user's further
/// device (`visitor_tokens`).
pub async fn find_by_token_hash(
    pool: &Pool,
    token_hash: &str,
) -> Result<Option<VisitorRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM visitors WHERE token_hash = $1
         UNION ALL
         SELECT {COLUMNS} FROM visitors WHERE id =
            (SELECT visitor_id FROM visitor_tokens WHERE token_hash = $1)
         LIMIT 1"
    );
    on!(pool, |p| sqlx::query_as(&sql)
        .bind(token_hash)
        .fetch_optional(p)
        .await)
}

pub async fn find(pool: &Pool, id: i64) -> Result<Option<VisitorRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM visitors WHERE id = $1");
    on!(pool, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn insert(
    mut conn: Conn<'_>,
    token_hash: &str,
    m: &VisitorMetadata,
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO visitors (token_hash, browser, timezone, referrer, page, language, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(token_hash)
        .bind(&m.browser)
        .bind(&m.timezone)
        .bind(&m.referrer)
        .bind(&m.page)
        .bind(&m.language)
        .bind(now)
        .fetch_one(c)
        .await
    })
}

/// The site's verified user a visitor is (identity verification), if any.
pub async fn user_id(pool: &Pool, id: i64) -> Result<Option<String>, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT user_id FROM visitors WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)
    .map(Option::flatten)
}

/// The visitor who is the site's user `user_id`.
pub async fn find_by_user_id(
    mut conn: Conn<'_>,
    user_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM visitors WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(c)
    .await)
}

/// Makes an anonymous visitor the verified user `user_id` (their conversations come along).
pub async fn set_user_id(mut conn: Conn<'_>, id: i64, user_id: &str) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE visitors SET user_id = $1 WHERE id = $2 AND user_id IS NULL"
    )
    .bind(user_id)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A further device's token for a verified visitor.
pub async fn add_token(
    mut conn: Conn<'_>,
    visitor_id: i64,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "INSERT INTO visitor_tokens (token_hash, visitor_id, created_at) VALUES ($1, $2, $3)"
    )
    .bind(token_hash)
    .bind(visitor_id)
    .bind(now_ms())
    .execute(c)
    .await
    .map(|_| ()))
}

/// Locks the visitor's row until the transaction ends, where write transactions run side by
/// side (PostgreSQL): two of them starting a conversation for one visitor then go one after
/// the other. Returns whether it locked; SQLite's single writer needs no lock.
pub async fn lock(mut conn: Conn<'_>, id: i64) -> Result<bool, sqlx::Error> {
    if !conn.is_postgres() {
        return Ok(false);
    }
    on!(conn, |c| sqlx::query_scalar::<_, i64>(
        "SELECT id FROM visitors WHERE id = $1 FOR UPDATE"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(true)
}

/// Records where the visitor is now. A field the widget did not send keeps its old value.
pub async fn touch(mut conn: Conn<'_>, id: i64, m: &VisitorMetadata) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE visitors SET browser = COALESCE($1, browser), timezone = COALESCE($2, timezone),
                referrer = COALESCE($3, referrer), page = COALESCE($4, page),
                language = COALESCE($5, language), last_seen_at = $6
             WHERE id = $7",
        )
        .bind(&m.browser)
        .bind(&m.timezone)
        .bind(&m.referrer)
        .bind(&m.page)
        .bind(&m.language)
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What the visitor gave in the pre-chat form; fields not given keep their value.
pub async fn set_contact(
    mut conn: Conn<'_>,
    id: i64,
    given: &liaison_protocol::prechat::Given,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE visitors SET name = COALESCE($1, name), email = COALESCE($2, email),
            phone = COALESCE($3, phone) WHERE id = $4"
    )
    .bind(&given.name)
    .bind(&given.email)
    .bind(&given.phone)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Clears the metadata (browser, time zone, referrer, page, language) of up to `batch` visitors
/// last seen before `cutoff`; their name, email, phone and conversations stay. How many.
pub async fn forget_metadata(
    mut conn: Conn<'_>,
    cutoff: i64,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE visitors SET browser = NULL, timezone = NULL, referrer = NULL, page = NULL,
            language = NULL
         WHERE id IN (SELECT id FROM visitors
            WHERE last_seen_at < $1 AND (browser IS NOT NULL OR timezone IS NOT NULL
                OR referrer IS NOT NULL OR page IS NOT NULL OR language IS NOT NULL)
            LIMIT $2)"
    )
    .bind(cutoff)
    .bind(batch)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}

/// The visitor who writes from WhatsApp number `phone` (E.164), made on their first message:
/// their number is also their phone on file, and their WhatsApp profile name their name
/// unless they already have one. Their token can never be presented by a widget (it is not a
/// digest of any token).
pub async fn for_whatsapp(
    mut conn: Conn<'_>,
    phone: &str,
    name: Option<&str>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO visitors (token_hash, whatsapp, phone, name, created_at, last_seen_at)
         VALUES ($1, $2, $2, $3, $4, $4)
         ON CONFLICT (whatsapp) WHERE whatsapp IS NOT NULL DO UPDATE
            SET last_seen_at = excluded.last_seen_at,
                name = COALESCE(visitors.name, excluded.name)
         RETURNING id"
    )
    .bind(format!("whatsapp:{phone}"))
    .bind(phone)
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)
}
