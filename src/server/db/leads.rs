//! Leads: written by "Capture Lead", listed newest first in keyset pages, searched by the start
//! of the email, name or company (indexed on both backends, case-insensitive).

use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::lead::{CheckedLead, Lead};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    email: String,
    name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    message: Option<String>,
    conversation_id: Option<i64>,
    captured_by: Option<String>,
    created_at: i64,
}

impl From<Row> for Lead {
    fn from(r: Row) -> Lead {
        Lead {
            id: r.id,
            email: r.email,
            name: r.name,
            phone: r.phone,
            company: r.company,
            message: r.message,
            conversation_id: r.conversation_id,
            captured_by: r.captured_by,
            created_at: r.created_at,
        }
    }
}

pub async fn insert(
    mut conn: Conn<'_>,
    lead: &CheckedLead,
    conversation_id: i64,
    visitor_id: i64,
    captured_by: i64,
) -> Result<i64, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO leads (conversation_id, visitor_id, email, name, phone, company, message,
                captured_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(conversation_id)
        .bind(visitor_id)
        .bind(&lead.email)
        .bind(&lead.name)
        .bind(&lead.phone)
        .bind(&lead.company)
        .bind(&lead.message)
        .bind(captured_by)
        .bind(now_ms())
        .fetch_one(c)
        .await
    })
}

/// `text` as a LIKE prefix pattern, its wildcards escaped.
fn prefix_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Up to `limit` leads older than `before` (newest first), those whose email, name or company
/// starts with `search` when given.
pub async fn page(
    pool: &Pool,
    search: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Lead>, sqlx::Error> {
    let matches = match (search, pool.is_postgres()) {
        (None, _) => "CAST($2 AS TEXT) IS NULL",
        (Some(_), false) => {
            "(l.email LIKE $2 ESCAPE '\\' OR l.name LIKE $2 ESCAPE '\\'
              OR l.company LIKE $2 ESCAPE '\\')"
        }
        (Some(_), true) => {
            "(lower(l.email) LIKE $2 ESCAPE '\\' OR lower(l.name) LIKE $2 ESCAPE '\\'
              OR lower(l.company) LIKE $2 ESCAPE '\\')"
        }
    };
    let sql = format!(
        "SELECT l.id, l.email, l.name, l.phone, l.company, l.message, l.conversation_id,
            u.name AS captured_by, l.created_at
         FROM leads l LEFT JOIN users u ON u.id = l.captured_by
         WHERE l.id < $1 AND {matches} ORDER BY l.id DESC LIMIT $3"
    );
    let pattern = search.map(|s| prefix_pattern(&s.to_lowercase()));
    let rows: Vec<Row> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(&pattern)
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(rows.into_iter().map(Lead::from).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_literal() {
        assert_eq!(super::prefix_pattern("50%_off"), "50\\%\\_off%");
    }
}
