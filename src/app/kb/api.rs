//! Server functions of the knowledge pages (Documents, Help Center, Knowledge Gaps). They live
//! under `/api/admin/`, which the access middleware keeps for Admins and Owners, and each also
//! starts with `operator_with(Role::Admin)`.

use crate::app::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator_with, state};
#[cfg(feature = "ssr")]
use liaison_protocol::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub title: String,
    pub source_kind: String,
    pub source: String,
    pub format: String,
    pub status: String,
    pub error: Option<String>,
    pub chunk_count: i64,
    pub size: i64,
    pub updated_at: i64,
    /// Public page and cited link (documents are private until published).
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Documents {
    pub documents: Vec<DocumentView>,
    /// "Documents Ready", as the overview shows it.
    pub ready: i64,
}

#[server(prefix = "/api/admin")]
pub async fn list_documents() -> Result<Documents, AppError> {
    use crate::server::db;
    operator_with(Role::Admin).await?;
    let state = state()?;
    let rows = db::documents::list(&state.db.read).await?;
    Ok(Documents {
        ready: rows.iter().filter(|d| d.status == "ready").count() as i64,
        documents: rows
            .into_iter()
            .map(|d| DocumentView {
                id: d.id,
                title: d.title,
                source_kind: d.source_kind,
                source: d.source,
                format: d.format,
                status: d.status,
                error: d.error,
                chunk_count: d.chunk_count,
                size: d.size,
                updated_at: d.updated_at,
                published: d.published,
            })
            .collect(),
    })
}

#[server(prefix = "/api/admin")]
pub async fn add_pasted_document(title: String, text: String) -> Result<i64, AppError> {
    let me = operator_with(Role::Admin).await?;
    let state = state()?;
    Ok(
        crate::server::kb::documents::add_paste(&state.db, &state.documents, &title, &text, me.id)
            .await?,
    )
}

#[server(prefix = "/api/admin")]
pub async fn add_url_document(url: String, title: String) -> Result<i64, AppError> {
    let me = operator_with(Role::Admin).await?;
    let state = state()?;
    Ok(
        crate::server::kb::documents::add_url(&state.db, &state.documents, &url, &title, me.id)
            .await?,
    )
}

#[server(prefix = "/api/admin")]
pub async fn reprocess_document(id: i64) -> Result<(), AppError> {
    operator_with(Role::Admin).await?;
    let state = state()?;
    Ok(crate::server::kb::documents::reprocess(&state.db, &state.documents, id).await?)
}

/// Publishes a document (a public page at /help/documents/{id}, linked from citations) or
/// makes it private again (cited by title only).
#[server(prefix = "/api/admin")]
pub async fn publish_document(id: i64, published: bool) -> Result<(), AppError> {
    operator_with(Role::Admin).await?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    if !crate::server::db::documents::set_published(tx.conn(), id, published).await? {
        return Err(AppError::NotFound.respond());
    }
    tx.emit(
        liaison_protocol::Event::DocumentChanged {
            document_id: id,
            status: if published { "published" } else { "private" }.into(),
        },
        None,
    );
    tx.commit().await?;
    Ok(())
}

#[server(prefix = "/api/admin")]
pub async fn delete_document(id: i64) -> Result<(), AppError> {
    operator_with(Role::Admin).await?;
    Ok(crate::server::kb::documents::delete(&state()?.db, id).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub published: bool,
    pub updated_at: i64,
}

#[server(prefix = "/api/admin")]
pub async fn list_articles() -> Result<Vec<ArticleView>, AppError> {
    operator_with(Role::Admin).await?;
    let rows = crate::server::db::kb::all_articles(&state()?.db.read).await?;
    Ok(rows
        .into_iter()
        .map(|a| ArticleView {
            id: a.id,
            title: a.title,
            slug: a.slug,
            body: a.body,
            published: a.published,
            updated_at: a.updated_at,
        })
        .collect())
}

/// Creates (empty id) or updates an article. `published` is a checkbox: present means on.
#[server(prefix = "/api/admin")]
pub async fn save_article(
    id: String,
    title: String,
    body: String,
    published: Option<String>,
) -> Result<i64, AppError> {
    use crate::server::kb::articles::{ArticleInput, save_article};
    operator_with(Role::Admin).await?;
    let id = match id.trim() {
        "" => None,
        n => Some(
            n.parse::<i64>()
                .map_err(|_| AppError::Invalid("Bad article id.".into()).respond())?,
        ),
    };
    let input = ArticleInput {
        id,
        title: &title,
        body: &body,
        published: published.is_some(),
    };
    let state = state()?;
    let id = save_article(&state.db, input).await?;
    // New passages get their embeddings (when configured) now rather than at the next sweep.
    state.documents.wake();
    Ok(id)
}

#[server(prefix = "/api/admin")]
pub async fn delete_article(id: i64) -> Result<(), AppError> {
    operator_with(Role::Admin).await?;
    Ok(crate::server::kb::articles::delete_article(&state()?.db, id).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapGroupView {
    pub question: String,
    pub count: usize,
    /// Comma-separated gap ids, for the form that answers them.
    pub ids: String,
    pub examples: Vec<(i64, String)>,
    pub out_of_scope: usize,
    pub last_at: i64,
}

#[server(prefix = "/api/admin")]
pub async fn list_gaps() -> Result<Vec<GapGroupView>, AppError> {
    operator_with(Role::Admin).await?;
    let gaps = crate::server::db::gaps::open(&state()?.db.read, 2000).await?;
    Ok(crate::server::kb::gaps::group(&gaps)
        .into_iter()
        .map(|g| GapGroupView {
            question: g.question,
            count: g.count,
            ids: g
                .ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            examples: g.examples,
            out_of_scope: g.out_of_scope,
            last_at: g.last_at,
        })
        .collect())
}

/// Answers a group of gaps with a new published Help Center article.
#[server(prefix = "/api/admin")]
pub async fn answer_gaps(ids: String, title: String, body: String) -> Result<i64, AppError> {
    operator_with(Role::Admin).await?;
    let ids: Vec<i64> = ids
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::Invalid("Bad gap list.".into()).respond())?;
    let state = state()?;
    let id = crate::server::kb::gaps::answer_gaps(&state.db, &ids, &title, &body).await?;
    state.documents.wake();
    Ok(id)
}
