use crate::server::kb::chunk::{Chunk, to_blob};
use crate::server::now_ms;
use sqlx::{SqliteConnection, SqlitePool};

pub async fn count_articles(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM kb_articles")
        .fetch_one(pool)
        .await
}

pub async fn insert_article(
    conn: &mut SqliteConnection,
    title: &str,
    slug: &str,
    body: &str,
    published: bool,
    chunks: &[Chunk],
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO kb_articles (title, slug, body, published, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(title)
    .bind(slug)
    .bind(body)
    .bind(published)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    insert_chunks(conn, id, chunks).await?;
    Ok(id)
}

/// A chunk that matched, with its source (an article or a document) and BM25 rank (lower is
/// better).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    pub chunk_id: i64,
    pub title: String,
    pub article_slug: Option<String>,
    pub document_id: Option<i64>,
    /// For documents: 'upload', 'paste' or 'url'.
    pub source_kind: Option<String>,
    pub source: Option<String>,
    pub heading: String,
    pub body: String,
    pub rank: f64,
}

/// What a chunk may be cited from: published articles and ready documents.
const CITABLE: &str = "(a.published = 1 OR d.status = 'ready')";

/// Full-text search with an FTS5 query expression (built from `retrieval::fts_literal`s).
pub async fn search(
    pool: &SqlitePool,
    fts_query: &str,
    limit: i64,
) -> Result<Vec<Hit>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT c.id AS chunk_id, COALESCE(a.title, d.title) AS title, a.slug AS article_slug,
                d.id AS document_id, d.source_kind, d.source, c.heading, c.body,
                bm25(kb_chunks_fts) AS rank
         FROM kb_chunks_fts JOIN kb_chunks c ON c.id = kb_chunks_fts.rowid
         LEFT JOIN kb_articles a ON a.id = c.article_id
         LEFT JOIN kb_documents d ON d.id = c.document_id
         WHERE kb_chunks_fts MATCH ? AND {CITABLE} ORDER BY rank LIMIT ?"
    ))
    .bind(fts_query)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Whether any chunk matches the FTS query (one term: does the knowledge base know the word?).
pub async fn any_match(pool: &SqlitePool, fts_query: &str) -> Result<bool, sqlx::Error> {
    let hit: Option<i64> =
        sqlx::query_scalar("SELECT rowid FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? LIMIT 1")
            .bind(fts_query)
            .fetch_optional(pool)
            .await?;
    Ok(hit.is_some())
}

/// Which of `ids` match the FTS query: counts how many of a question's terms a chunk holds.
pub async fn which_match(
    pool: &SqlitePool,
    fts_query: &str,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query_scalar(&format!(
        "SELECT rowid FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? AND rowid IN ({list})"
    ))
    .bind(fts_query)
    .fetch_all(pool)
    .await
}

/// The citable chunks with these ids (for vector matches), in no particular order.
pub async fn hits_by_ids(pool: &SqlitePool, ids: &[i64]) -> Result<Vec<Hit>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query_as(&format!(
        "SELECT c.id AS chunk_id, COALESCE(a.title, d.title) AS title, a.slug AS article_slug,
                d.id AS document_id, d.source_kind, d.source, c.heading, c.body, 0.0 AS rank
         FROM kb_chunks c
         LEFT JOIN kb_articles a ON a.id = c.article_id
         LEFT JOIN kb_documents d ON d.id = c.document_id
         WHERE c.id IN ({list}) AND {CITABLE}"
    ))
    .fetch_all(pool)
    .await
}

/// Chunks without an embedding (at most `limit`): (id, heading + body).
pub async fn unembedded(pool: &SqlitePool, limit: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, heading || char(10) || body FROM kb_chunks WHERE embedding IS NULL
         ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn set_embedding(
    conn: &mut SqliteConnection,
    chunk_id: i64,
    embedding: &[f32],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE kb_chunks SET embedding = ? WHERE id = ?")
        .bind(to_blob(embedding))
        .bind(chunk_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub published: bool,
    pub updated_at: i64,
}

const ARTICLE: &str = "SELECT id, title, slug, body, published, updated_at FROM kb_articles";

pub async fn published(pool: &SqlitePool) -> Result<Vec<ArticleRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ARTICLE} WHERE published = 1 ORDER BY title"))
        .fetch_all(pool)
        .await
}

pub async fn all_articles(pool: &SqlitePool) -> Result<Vec<ArticleRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ARTICLE} ORDER BY updated_at DESC, id DESC"))
        .fetch_all(pool)
        .await
}

pub async fn find_published(
    pool: &SqlitePool,
    slug: &str,
) -> Result<Option<ArticleRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ARTICLE} WHERE slug = ? AND published = 1"))
        .bind(slug)
        .fetch_optional(pool)
        .await
}

pub async fn slug_taken(
    conn: &mut SqliteConnection,
    slug: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM kb_articles WHERE slug = ? AND id IS NOT ?")
            .bind(slug)
            .bind(except)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Replaces an article's text and passages.
pub async fn update_article(
    conn: &mut SqliteConnection,
    id: i64,
    title: &str,
    body: &str,
    published: bool,
    chunks: &[Chunk],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE kb_articles SET title = ?, body = ?, published = ?, updated_at = ? WHERE id = ?",
    )
    .bind(title)
    .bind(body)
    .bind(published)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM kb_chunks WHERE article_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_chunks(conn, id, chunks).await?;
    Ok(true)
}

async fn insert_chunks(
    conn: &mut SqliteConnection,
    article_id: i64,
    chunks: &[Chunk],
) -> Result<(), sqlx::Error> {
    for chunk in chunks {
        sqlx::query("INSERT INTO kb_chunks (article_id, heading, body) VALUES (?, ?, ?)")
            .bind(article_id)
            .bind(&chunk.heading)
            .bind(&chunk.body)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn delete_article(conn: &mut SqliteConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM kb_articles WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// Replaces a document's chunks (and their embeddings, when the model gave them).
pub async fn replace_document_chunks(
    conn: &mut SqliteConnection,
    document_id: i64,
    chunks: &[Chunk],
    embeddings: Option<&[Vec<f32>]>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM kb_chunks WHERE document_id = ?")
        .bind(document_id)
        .execute(&mut *conn)
        .await?;
    for (i, chunk) in chunks.iter().enumerate() {
        let embedding = embeddings.and_then(|e| e.get(i)).map(|v| to_blob(v));
        sqlx::query(
            "INSERT INTO kb_chunks (document_id, heading, body, embedding) VALUES (?, ?, ?, ?)",
        )
        .bind(document_id)
        .bind(&chunk.heading)
        .bind(&chunk.body)
        .bind(embedding)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A counter bumped (by triggers) whenever chunks or their embeddings change.
pub async fn generation(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT n FROM kb_generation WHERE id = 1")
        .fetch_one(pool)
        .await
}

/// Every stored chunk embedding, as (chunk id, blob).
pub async fn embeddings(pool: &SqlitePool) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT id, embedding FROM kb_chunks WHERE embedding IS NOT NULL")
        .fetch_all(pool)
        .await
}
