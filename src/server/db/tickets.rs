//! Tickets (migration 0030): keyset pages newest first on `(status, id)` or the assignee's
//! index, per-status counts kept by trigger, full-text search (FTS5 on SQLite, a GIN index
//! on PostgreSQL).

use super::search::{fts_query, ts_words, tsquery};
use super::{Conn, Pool, on};
use liaison_protocol::ticket::{
    Priority, Ticket, TicketCounts, TicketFields, TicketFilter, TicketStatus,
};
use sqlx::FromRow;

const SELECT: &str = "SELECT t.id, t.subject, t.description, t.priority, t.status, t.assignee_id,
        a.name AS assignee_name, t.conversation_id, c.name AS created_by, t.created_at,
        t.updated_at
     FROM tickets t LEFT JOIN users a ON a.id = t.assignee_id JOIN users c ON c.id = t.created_by";

#[derive(FromRow)]
struct Raw {
    id: i64,
    subject: String,
    description: String,
    priority: String,
    status: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    conversation_id: Option<i64>,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Raw> for Ticket {
    type Error = sqlx::Error;

    fn try_from(r: Raw) -> Result<Ticket, sqlx::Error> {
        let unknown =
            |what: &str, v: &str| sqlx::Error::Decode(format!("unknown {what} {v:?}").into());
        Ok(Ticket {
            priority: Priority::parse(&r.priority)
                .ok_or_else(|| unknown("priority", &r.priority))?,
            status: TicketStatus::parse(&r.status).ok_or_else(|| unknown("status", &r.status))?,
            id: r.id,
            subject: r.subject,
            description: r.description,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            conversation_id: r.conversation_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn tickets(raws: Vec<Raw>) -> Result<Vec<Ticket>, sqlx::Error> {
    raws.into_iter().map(Ticket::try_from).collect()
}

pub async fn insert(
    mut conn: Conn<'_>,
    t: &TicketFields,
    created_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO tickets (subject, description, priority, status, assignee_id, conversation_id,
            created_by, created_at, updated_at, solved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, CASE WHEN $4 = 'solved' THEN $8 END)
         RETURNING id"
    )
    .bind(&t.subject)
    .bind(&t.description)
    .bind(t.priority.as_str())
    .bind(t.status.as_str())
    .bind(t.assignee_id)
    .bind(t.conversation_id)
    .bind(created_by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Replaces the ticket's fields; false when there is no such ticket.
pub async fn update(
    mut conn: Conn<'_>,
    id: i64,
    t: &TicketFields,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE tickets SET subject = $2, description = $3, priority = $4, status = $5,
            assignee_id = $6, conversation_id = $7, updated_at = $8,
            solved_at = CASE WHEN $5 = 'solved' THEN COALESCE(solved_at, $8) END
         WHERE id = $1"
    )
    .bind(id)
    .bind(&t.subject)
    .bind(&t.description)
    .bind(t.priority.as_str())
    .bind(t.status.as_str())
    .bind(t.assignee_id)
    .bind(t.conversation_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// One ticket, read in `conn` (a write transaction sees its own change).
pub async fn find(mut conn: Conn<'_>, id: i64) -> Result<Option<Ticket>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.id = $1");
    let raw: Option<Raw> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    raw.map(Ticket::try_from).transpose()
}

/// The conditions of a filter; `$2` is the operator looking, `$3` the status, `$4` the
/// priority (NULL for any).
const FILTER: &str = "(CAST($3 AS TEXT) IS NULL OR t.status = $3)
    AND (CAST($4 AS TEXT) IS NULL OR t.priority = $4)
    AND (NOT $5 OR t.assignee_id = $2)";

/// A page of tickets below `before`, newest first.
pub async fn page(
    pool: &Pool,
    filter: TicketFilter,
    me: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    list(pool, None, filter, me, before, limit).await
}

/// Tickets whose subject or description match `text` (every word, the last as a prefix),
/// below `before`, newest first.
pub async fn search(
    pool: &Pool,
    text: &str,
    filter: TicketFilter,
    me: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    match pool.pick(fts_query(text), ts_words(text)) {
        Some(query) => list(pool, Some(query), filter, me, before, limit).await,
        None => Ok(Vec::new()),
    }
}

/// The search condition on `$7`: FTS5's index, or the GIN index's expression (`tickets_search`).
const MATCHES: [&str; 2] = [
    "t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH $7)",
    concat!(
        "to_tsvector('simple', liaison_fold(t.subject || ' ' || t.description)) @@ ",
        tsquery!("$7")
    ),
];

async fn list(
    pool: &Pool,
    query: Option<String>,
    filter: TicketFilter,
    me: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    let matches = match query {
        Some(_) => MATCHES[pool.pick(0, 1)],
        None => "CAST($7 AS TEXT) IS NULL",
    };
    let sql =
        format!("{SELECT} WHERE t.id < $1 AND {FILTER} AND {matches} ORDER BY t.id DESC LIMIT $6");
    let raws: Vec<Raw> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(me)
        .bind(filter.status.map(TicketStatus::as_str))
        .bind(filter.priority.map(Priority::as_str))
        .bind(filter.mine)
        .bind(limit)
        .bind(&query)
        .fetch_all(p)
        .await)?;
    tickets(raws)
}

/// Tickets per status: three rows kept by trigger.
pub async fn counts(mut conn: Conn<'_>) -> Result<TicketCounts, sqlx::Error> {
    let rows: Vec<(String, i64)> = on!(conn, |c| sqlx::query_as(
        "SELECT status, n FROM ticket_counts"
    )
    .fetch_all(c)
    .await)?;
    let mut counts = TicketCounts::default();
    for (status, n) in rows {
        if let Some(s) = TicketStatus::parse(&status) {
            counts.add(s, n);
        }
    }
    Ok(counts)
}

/// The tickets made from a conversation, newest first (a handful).
pub async fn for_conversation(
    pool: &Pool,
    conversation_id: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.conversation_id = $1 ORDER BY t.id DESC LIMIT 20");
    let raws: Vec<Raw> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(conversation_id)
        .fetch_all(p)
        .await)?;
    tickets(raws)
}
