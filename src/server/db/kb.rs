use super::{Conn, Pool, on};
use crate::server::kb::chunk::{Chunk, to_blob};
use crate::server::now_ms;

pub async fn count_articles(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM kb_articles"
    )
    .fetch_one(c)
    .await)
}

pub async fn insert_article(
    mut conn: Conn<'_>,
    title: &str,
    slug: &str,
    body: &str,
    published: bool,
    chunks: &[Chunk],
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let id: i64 = on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO kb_articles (title, slug, body, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(title)
    .bind(slug)
    .bind(body)
    .bind(published)
    .bind(now)
    .bind(now)
    .fetch_one(c)
    .await)?;
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
    /// For documents: whether it is published (only then is its page linked).
    pub document_published: Option<bool>,
    pub heading: String,
    pub body: String,
    pub rank: f64,
}

/// What a chunk may be cited from: published articles and ready documents.
const CITABLE: &str = "(a.published OR d.status = 'ready')";

/// Any of `terms`, as each backend's full-text query.
fn any_of(pool: &Pool, terms: &[String]) -> String {
    match pool {
        super::Backend::Sqlite(_) => fts5_any(terms),
        super::Backend::Postgres(_) => tsquery_any(terms),
    }
}

/// FTS5: string literals joined by OR, so no visitor text is ever read as query syntax.
fn fts5_any(terms: &[String]) -> String {
    let literal = |t: &String| format!("\"{}\"", t.replace('"', "\"\""));
    terms.iter().map(literal).collect::<Vec<_>>().join(" OR ")
}

/// PostgreSQL: quoted lexemes joined by `|`, likewise never query syntax.
fn tsquery_any(terms: &[String]) -> String {
    let lexeme = |t: &String| format!("'{}'", t.replace('\'', "''").replace('\\', "\\\\"));
    terms.iter().map(lexeme).collect::<Vec<_>>().join(" | ")
}

/// The chunks matching the query in `$1`, as (chunk id, rank): lower rank is better (BM25 on
/// SQLite; minus `ts_rank` over the stemmed text on PostgreSQL, the index's expression).
const MATCHING: [&str; 2] = [
    "SELECT rowid AS id, bm25(kb_chunks_fts) AS rank FROM kb_chunks_fts WHERE kb_chunks_fts MATCH $1",
    "SELECT id, CAST(-ts_rank(to_tsvector('english', heading || ' ' || body),
            to_tsquery('english', $1)) AS DOUBLE PRECISION) AS rank
     FROM kb_chunks WHERE to_tsvector('english', heading || ' ' || body) @@ to_tsquery('english', $1)",
];

fn matching(pool: &Pool) -> &'static str {
    pool.pick(MATCHING[0], MATCHING[1])
}

/// Citable chunks holding any of `terms`, best first (at most `limit`).
pub async fn search(pool: &Pool, terms: &[String], limit: i64) -> Result<Vec<Hit>, sqlx::Error> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT c.id AS chunk_id, COALESCE(a.title, d.title) AS title, a.slug AS article_slug,
                d.id AS document_id, d.source_kind, d.source, d.published AS document_published,
                c.heading, c.body, m.rank
         FROM ({}) AS m JOIN kb_chunks c ON c.id = m.id
         LEFT JOIN kb_articles a ON a.id = c.article_id
         LEFT JOIN kb_documents d ON d.id = c.document_id
         WHERE {CITABLE} ORDER BY m.rank LIMIT $2",
        matching(pool)
    );
    let query = any_of(pool, terms);
    on!(pool, |p| sqlx::query_as(&sql)
        .bind(&query)
        .bind(limit)
        .fetch_all(p)
        .await)
}

/// Whether any chunk holds `term` (does the knowledge base know the word at all?).
pub async fn any_match(pool: &Pool, term: &str) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT m.id FROM ({}) AS m LIMIT 1", matching(pool));
    let query = any_of(pool, &[term.to_string()]);
    let hit: Option<i64> = on!(pool, |p| sqlx::query_scalar(&sql)
        .bind(&query)
        .fetch_optional(p)
        .await)?;
    Ok(hit.is_some())
}

/// Which of `ids` hold `term`: counts how many of a question's terms a chunk holds.
pub async fn which_match(pool: &Pool, term: &str, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT m.id FROM ({}) AS m WHERE m.id IN ({list})",
        matching(pool)
    );
    let query = any_of(pool, &[term.to_string()]);
    on!(pool, |p| sqlx::query_scalar(&sql)
        .bind(&query)
        .fetch_all(p)
        .await)
}

/// The citable chunks with these ids (for vector matches), in no particular order.
pub async fn hits_by_ids(pool: &Pool, ids: &[i64]) -> Result<Vec<Hit>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    on!(pool, |c| sqlx::query_as(&format!(
        "SELECT c.id AS chunk_id, COALESCE(a.title, d.title) AS title, a.slug AS article_slug,
                d.id AS document_id, d.source_kind, d.source, d.published AS document_published,
                c.heading, c.body, CAST(0 AS DOUBLE PRECISION) AS rank
         FROM kb_chunks c
         LEFT JOIN kb_articles a ON a.id = c.article_id
         LEFT JOIN kb_documents d ON d.id = c.document_id
         WHERE c.id IN ({list}) AND {CITABLE}"
    ))
    .fetch_all(c)
    .await)
}

/// Chunks without an embedding (at most `limit`): (id, heading + body).
pub async fn unembedded(pool: &Pool, limit: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(
        "SELECT id, heading || '\n' || body FROM kb_chunks WHERE embedding IS NULL
         ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)
}

pub async fn set_embedding(
    mut conn: Conn<'_>,
    chunk_id: i64,
    embedding: &[f32],
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE kb_chunks SET embedding = $1 WHERE id = $2"
    )
    .bind(to_blob(embedding))
    .bind(chunk_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
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

pub async fn published(pool: &Pool) -> Result<Vec<ArticleRow>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(&format!(
        "{ARTICLE} WHERE published ORDER BY title"
    ))
    .fetch_all(c)
    .await)
}

pub async fn all_articles(pool: &Pool) -> Result<Vec<ArticleRow>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(&format!(
        "{ARTICLE} ORDER BY updated_at DESC, id DESC"
    ))
    .fetch_all(c)
    .await)
}

pub async fn find_published(pool: &Pool, slug: &str) -> Result<Option<ArticleRow>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(&format!(
        "{ARTICLE} WHERE slug = $1 AND published"
    ))
    .bind(slug)
    .fetch_optional(c)
    .await)
}

pub async fn slug_taken(
    mut conn: Conn<'_>,
    slug: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM kb_articles WHERE slug = $1 AND id IS DISTINCT FROM $2"
    )
    .bind(slug)
    .bind(except)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Replaces an article's text and passages.
pub async fn update_article(
    mut conn: Conn<'_>,
    id: i64,
    title: &str,
    body: &str,
    published: bool,
    chunks: &[Chunk],
) -> Result<bool, sqlx::Error> {
    let done = on!(conn, |c| {
        sqlx::query(
        "UPDATE kb_articles SET title = $1, body = $2, published = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(title)
    .bind(body)
    .bind(published)
    .bind(now_ms())
    .bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Ok(false);
    }
    on!(conn, |c| sqlx::query(
        "DELETE FROM kb_chunks WHERE article_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    insert_chunks(conn.on(), id, chunks).await?;
    Ok(true)
}

async fn insert_chunks(
    mut conn: Conn<'_>,
    article_id: i64,
    chunks: &[Chunk],
) -> Result<(), sqlx::Error> {
    for chunk in chunks {
        on!(conn, |c| sqlx::query(
            "INSERT INTO kb_chunks (article_id, heading, body) VALUES ($1, $2, $3)"
        )
        .bind(article_id)
        .bind(&chunk.heading)
        .bind(&chunk.body)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn delete_article(mut conn: Conn<'_>, id: i64) -> Result<bool, sqlx::Error> {
    Ok(on!(conn, |c| sqlx::query(
        "DELETE FROM kb_articles WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?
        == 1)
}

/// Replaces a document's chunks (and their embeddings, when the model gave them).
pub async fn replace_document_chunks(
    mut conn: Conn<'_>,
    document_id: i64,
    chunks: &[Chunk],
    embeddings: Option<&[Vec<f32>]>,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM kb_chunks WHERE document_id = $1"
    )
    .bind(document_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (i, chunk) in chunks.iter().enumerate() {
        let embedding = embeddings.and_then(|e| e.get(i)).map(|v| to_blob(v));
        on!(conn, |c| sqlx::query(
            "INSERT INTO kb_chunks (document_id, heading, body, embedding) VALUES ($1, $2, $3, $4)",
        )
        .bind(document_id)
        .bind(&chunk.heading)
        .bind(&chunk.body)
        .bind(embedding)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A counter bumped (by triggers) whenever chunks or their embeddings change.
pub async fn generation(pool: &Pool) -> Result<i64, sqlx::Error> {
    on!(pool, |c| sqlx::query_scalar(
        "SELECT n FROM kb_generation WHERE id = 1"
    )
    .fetch_one(c)
    .await)
}

/// Every stored chunk embedding, as (chunk id, blob).
pub async fn embeddings(pool: &Pool) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    on!(pool, |c| sqlx::query_as(
        "SELECT id, embedding FROM kb_chunks WHERE embedding IS NOT NULL"
    )
    .fetch_all(c)
    .await)
}

#[cfg(test)]
mod tests {
    use super::{fts5_any, tsquery_any};

    #[test]
    fn terms_are_quoted_for_each_backend() {
        let terms = ["reset".to_string(), "a\"b".to_string(), "don't".to_string()];
        assert_eq!(fts5_any(&terms), "\"reset\" OR \"a\"\"b\" OR \"don't\"");
        assert_eq!(fts5_any(&["NEAR".to_string()]), "\"NEAR\"");
        assert_eq!(tsquery_any(&terms), "'reset' | 'a\"b' | 'don''t'");
        assert_eq!(tsquery_any(&["a\\b".to_string()]), "'a\\\\b'");
    }
}
