//! Knowledge-base documents: what was added, its processing status, and its chunks.

use crate::server::kb::chunk::Chunk;
use crate::server::now_ms;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

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
}

const COLUMNS: &str = "id, title, source_kind, source, format, status, error, chunk_count,
    LENGTH(original) AS size, created_at, updated_at";

pub struct NewDocument<'a> {
    pub title: &'a str,
    pub source_kind: &'a str,
    pub source: &'a str,
    pub format: &'a str,
    pub original: &'a [u8],
    pub created_by: Option<i64>,
}

pub async fn insert(conn: &mut SqliteConnection, d: NewDocument<'_>) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    sqlx::query_scalar(
        "INSERT INTO kb_documents (title, source_kind, source, format, original, status,
            created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
    )
    .bind(d.title)
    .bind(d.source_kind)
    .bind(d.source)
    .bind(d.format)
    .bind(d.original)
    .bind(d.created_by)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<DocumentRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM kb_documents ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(pool)
    .await
}

/// The oldest document waiting to be processed.
pub async fn next_pending(pool: &SqlitePool) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM kb_documents WHERE status = 'pending' ORDER BY updated_at, id LIMIT 1",
    )
    .fetch_optional(pool)
    .await
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

pub async fn original(pool: &SqlitePool, id: i64) -> Result<Option<Original>, sqlx::Error> {
    sqlx::query_as(
        "SELECT title, source_kind, source, format, original FROM kb_documents WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The extracted text of a ready document (its public page).
pub async fn text(pool: &SqlitePool, id: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT title, text FROM kb_documents WHERE id = ? AND status = 'ready' AND text IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE kb_documents SET status = ?, error = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(error)
            .bind(now_ms())
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A URL document's fetched content replaces what was stored, with the format it turned out to
/// have.
pub async fn set_original(
    conn: &mut SqliteConnection,
    id: i64,
    format: &str,
    original: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE kb_documents SET format = ?, original = ? WHERE id = ?")
        .bind(format)
        .bind(original)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a document's text and chunks and marks it ready.
pub async fn store_ready(
    conn: &mut SqliteConnection,
    id: i64,
    text: &str,
    chunks: &[Chunk],
    embeddings: Option<&[Vec<f32>]>,
) -> Result<(), sqlx::Error> {
    super::kb::replace_document_chunks(conn, id, chunks, embeddings).await?;
    sqlx::query(
        "UPDATE kb_documents SET text = ?, chunk_count = ?, status = 'ready', error = NULL,
            updated_at = ? WHERE id = ?",
    )
    .bind(text)
    .bind(chunks.len() as i64)
    .bind(now_ms())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut SqliteConnection, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM kb_documents WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Documents interrupted by a restart start over.
pub async fn requeue_interrupted(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE kb_documents SET status = 'pending' WHERE status = 'processing'")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
