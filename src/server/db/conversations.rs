use crate::server::now_ms;
use liaison_protocol::ConversationStatus;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    pub id: i64,
    pub visitor_id: i64,
    pub channel: String,
    pub status: ConversationStatus,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub message_count: i64,
    pub last_message: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
}

#[derive(FromRow)]
struct Raw {
    id: i64,
    visitor_id: i64,
    channel: String,
    status: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    message_count: i64,
    last_message: Option<String>,
    created_at: i64,
    last_activity_at: i64,
}

impl From<Raw> for ConversationRow {
    fn from(r: Raw) -> Self {
        ConversationRow {
            id: r.id,
            visitor_id: r.visitor_id,
            channel: r.channel,
            // The CHECK constraint admits only known statuses.
            status: ConversationStatus::parse(&r.status).unwrap_or(ConversationStatus::Open),
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            message_count: r.message_count,
            last_message: r.last_message,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
        }
    }
}

const SELECT: &str =
    "SELECT c.id, c.visitor_id, c.channel, c.status, c.assignee_id, u.name AS assignee_name,
    c.message_count, c.last_message, c.created_at, c.last_activity_at
    FROM conversations c LEFT JOIN users u ON u.id = c.assignee_id";

pub async fn find(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let raw: Option<Raw> = sqlx::query_as(&format!("{SELECT} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(raw.map(Into::into))
}

pub async fn latest_for_visitor(
    conn: &mut SqliteConnection,
    visitor_id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let raw: Option<Raw> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.visitor_id = ? ORDER BY c.id DESC LIMIT 1"
    ))
    .bind(visitor_id)
    .fetch_optional(conn)
    .await?;
    Ok(raw.map(Into::into))
}

/// Newest activity first; `status` None means all.
pub async fn list(
    pool: &SqlitePool,
    status: Option<ConversationStatus>,
    limit: i64,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let raws: Vec<Raw> = sqlx::query_as(&format!(
        "{SELECT} WHERE (?1 IS NULL OR c.status = ?1) ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?2"
    ))
    .bind(status.map(|s| s.as_str()))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(raws.into_iter().map(Into::into).collect())
}

/// How many conversations have each status.
pub async fn count_by_status(
    pool: &SqlitePool,
) -> Result<Vec<(ConversationStatus, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM conversations GROUP BY status")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| ConversationStatus::parse(&s).map(|s| (s, n)))
        .collect())
}

pub async fn insert(conn: &mut SqliteConnection, visitor_id: i64) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    sqlx::query_scalar(
        "INSERT INTO conversations (visitor_id, status, created_at, last_activity_at)
         VALUES (?, 'open', ?, ?) RETURNING id",
    )
    .bind(visitor_id)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    status: ConversationStatus,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let resolved = status == ConversationStatus::Resolved;
    sqlx::query(
        "UPDATE conversations SET status = ?, last_activity_at = ?,
            agent_requested = agent_requested OR ?,
            resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END,
            resolved_by = CASE WHEN ? THEN ? ELSE resolved_by END,
            assignee_id = CASE WHEN ? THEN NULL ELSE assignee_id END
         WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(status == ConversationStatus::NeedsAgent)
    .bind(resolved)
    .bind(now)
    .bind(resolved)
    .bind(by)
    .bind(resolved)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_assignee(
    conn: &mut SqliteConnection,
    id: i64,
    assignee: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE conversations SET assignee_id = ?, last_activity_at = ? WHERE id = ?")
        .bind(assignee)
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
