//! Knowledge-base documents: what was added, its processing status, and its chunks.

use super::{Conn, Pool, on};
use crate::server::kb::chunk::Chunk;
use crate::server::now_ms;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub source_kind: String,
    pub source: String,
    pub format: String,
    pub status: String,
    pub error: Option<String>,
    pub chunk_count: i64,
    pub size: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub published: bool,
}

const COLUMNS: &str = "id, title, source_kind, source, format, status, error, chunk_count,
    CAST(LENGTH(original) AS BIGINT) AS size, created_at, updated_at, published";

pub struct NewDocument<'a> {
    pub title: &'a str,
    pub source_kind: &'a str,
    pub source: &'a str,
    pub format: &'a str,
    pub original: &'a [u8],
    pub created_by: Option<i64>,
}

pub async fn insert(mut conn: Conn<'_>, d: NewDocument<'_>) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO kb_documents (title, source_kind, source, format, original, status,
            created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8) RETURNING id",
    )
    .bind(d.title)
    .bind(d.source_kind)
    .bind(d.source)
    .bind(d.format)
    .bind(d.original)
    .bind(d.created_by)
    .bind(now)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn list(pool: &Pool) -> Result<Vec<DocumentRow>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM kb_documents ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(c)
    .await)
}

/// Claims the oldest document waiting to be processed, or one whose processing stopped
/// renewing its claim before `stale_before` (the instance doing it died): marks it processing
/// as of `now` and returns it. Instances claiming at once get different documents (PostgreSQL:
/// `FOR UPDATE SKIP LOCKED`; SQLite's single writer runs claims one at a time).
pub async fn claim(
    mut conn: Conn<'_>,
    now: i64,
    stale_before: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let skip_locked = conn.pick("", " FOR UPDATE SKIP LOCKED");
    let sql = format!(
        "UPDATE kb_documents SET status = 'processing', updated_at = $1, attempts = attempts + 1
         WHERE id = (SELECT id FROM kb_documents
                     WHERE status = 'pending'
                        OR (status = 'processing' AND updated_at < $2 AND attempts < {MAX_ATTEMPTS})
                     ORDER BY updated_at, id LIMIT 1{skip_locked})
         RETURNING id"
    );
    on!(conn, |c| sqlx::query_scalar(&sql)
        .bind(now)
        .bind(stale_before)
        .fetch_optional(c)
        .await)
}

/// Renews the claim on a document being processed (see [`claim`]).
pub async fn renew(mut conn: Conn<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET updated_at = $1 WHERE id = $2 AND status = 'processing'"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What processing needs: the title, where it came from, the original bytes and how to read them.
#[derive(Debug, Clone, FromRow)]
pub struct Original {
    pub title: String,
    pub source_kind: String,
    pub source: String,
    pub format: String,
    pub original: Vec<u8>,
}

pub async fn original(pool: &Pool, id: i64) -> Result<Option<Original>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(
        "SELECT title, source_kind, source, format, original FROM kb_documents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The extracted text of a ready document (its public page).
pub async fn text(pool: &Pool, id: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    on!(pool, |c| {
        sqlx::query_as(
            "SELECT title, text FROM kb_documents
         WHERE id = $1 AND status = 'ready' AND published AND text IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })
}

/// Publishes a document (its page becomes public and citations link to it) or takes it back.
pub async fn set_published(
    mut conn: Conn<'_>,
    id: i64,
    published: bool,
) -> Result<bool, sqlx::Error> {
    let done = on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET published = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(published)
    .bind(now_ms())
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn set_status(
    mut conn: Conn<'_>,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET status = $1, error = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(status)
    .bind(error)
    .bind(now_ms())
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A URL document's fetched content replaces what was stored, with the format it turned out to
/// have.
pub async fn set_original(
    mut conn: Conn<'_>,
    id: i64,
    format: &str,
    original: &[u8],
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET format = $1, original = $2 WHERE id = $3"
    )
    .bind(format)
    .bind(original)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a document's text and chunks and marks it ready.
pub async fn store_ready(
    mut conn: Conn<'_>,
    id: i64,
    text: &str,
    chunks: &[Chunk],
    embeddings: Option<&[Vec<f32>]>,
) -> Result<(), sqlx::Error> {
    super::kb::replace_document_chunks(conn.on(), id, chunks, embeddings).await?;
    on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET text = $1, chunk_count = $2, status = 'ready', error = NULL,
            updated_at = $3 WHERE id = $4",
    )
    .bind(text)
    .bind(chunks.len() as i64)
    .bind(now_ms())
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(mut conn: Conn<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let done = on!(conn, |c| sqlx::query(
        "DELETE FROM kb_documents WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Documents interrupted by a restart start over.
pub async fn requeue_interrupted(mut conn: Conn<'_>) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE kb_documents SET status = 'pending' WHERE status = 'processing' AND attempts < {MAX_ATTEMPTS}"
    );
    let requeued = on!(conn, |c| sqlx::query(&sql)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    give_up_interrupted(conn, None).await?;
    Ok(requeued)
}

/// Processing is started at most this many times without a person asking (Reprocess).
pub const MAX_ATTEMPTS: i64 = 2;

/// Said of a document whose processing was cut short `MAX_ATTEMPTS` times.
pub const INTERRUPTED: &str = "Processing was cut short twice (the server stopped while reading this file). It is not retried automatically: Reprocess to try again.";

/// Marks failed the documents interrupted `MAX_ATTEMPTS` times (left in processing, their claim
/// not renewed since `stale_before`, or, with None, whatever is left in processing); the ids.
pub async fn give_up_interrupted(
    mut conn: Conn<'_>,
    stale_before: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = format!(
        "UPDATE kb_documents SET status = 'failed', error = $1, updated_at = $2
         WHERE status = 'processing' AND attempts >= {MAX_ATTEMPTS} AND updated_at < $3
         RETURNING id"
    );
    on!(conn, |c| sqlx::query_scalar(&sql)
        .bind(INTERRUPTED)
        .bind(now_ms())
        .bind(stale_before.unwrap_or(i64::MAX))
        .fetch_all(c)
        .await)
}

/// A person asked to process it again: the count starts over.
pub async fn reset_attempts(mut conn: Conn<'_>, id: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE kb_documents SET attempts = 0 WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}
