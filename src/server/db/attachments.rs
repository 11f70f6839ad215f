//! Attachments' rows: which conversation (and so which visitor) may read a stored file.

use super::{Conn, Pool, on};
use crate::server::attachments::StoredFile;
use crate::server::now_ms;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub conversation_id: i64,
    /// The visitor whose conversation it is.
    pub visitor_id: i64,
    pub sha256: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub thumbnail: bool,
    /// When data retention removed the file.
    pub removed_at: Option<i64>,
}

pub async fn insert(
    mut conn: Conn<'_>,
    conversation_id: i64,
    file: &StoredFile,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO attachments (conversation_id, sha256, name, mime, size, thumbnail, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(conversation_id)
        .bind(&file.sha256)
        .bind(&file.name)
        .bind(&file.mime)
        .bind(file.size)
        .bind(file.thumbnail)
        .bind(now_ms())
        .fetch_one(c)
        .await
    })
}

pub async fn find(pool: &Pool, id: i64) -> Result<Option<AttachmentRow>, sqlx::Error> {
    on!(pool, |p| {
        sqlx::query_as(
            "SELECT a.id, a.conversation_id, c.visitor_id, a.sha256, a.name, a.mime, a.size,
                a.thumbnail, a.removed_at
             FROM attachments a JOIN conversations c ON c.id = a.conversation_id
             WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })
}

/// Marks up to `batch` attachments sent before `cutoff` as removed. The files whose bytes no
/// kept attachment shares any more: the caller deletes them after committing.
pub async fn expire(
    mut conn: Conn<'_>,
    cutoff: i64,
    batch: i64,
) -> Result<(u64, Vec<String>), sqlx::Error> {
    let removed: Vec<String> = on!(conn, |c| sqlx::query_scalar(
        "UPDATE attachments SET removed_at = $1
         WHERE id IN (SELECT id FROM attachments
            WHERE removed_at IS NULL AND created_at < $2 LIMIT $3)
         RETURNING sha256"
    )
    .bind(now_ms())
    .bind(cutoff)
    .bind(batch)
    .fetch_all(c)
    .await)?;
    let n = removed.len() as u64;
    let mut unused = Vec::new();
    for sha in removed {
        if unused.contains(&sha) {
            continue;
        }
        let kept: i64 = on!(conn, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE sha256 = $1 AND removed_at IS NULL"
        )
        .bind(&sha)
        .fetch_one(c)
        .await)?;
        if kept == 0 {
            unused.push(sha);
        }
    }
    Ok((n, unused))
}
