//! CSV exports: `GET /api/leads/export.csv[?q=]` (every operator; the access middleware covers
//! the path). Streamed a page at a time in keyset order, so a large export never sits in memory.

use crate::server::db;
use crate::server::http::{AppState, AuthOperator};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use liaison_protocol::lead::Lead;
use serde::Deserialize;

const ROWS_PER_CHUNK: i64 = 1000;

#[derive(Deserialize)]
pub struct ExportQuery {
    q: Option<String>,
}

/// A cell a spreadsheet will not run as a formula (`=`, `+`, `-`, `@` start one).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn rows_csv(rows: &[Lead], header: bool) -> Result<Bytes, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record([
            "email",
            "name",
            "phone",
            "company",
            "message",
            "conversation",
            "captured_by",
            "captured_at",
        ])?;
    }
    for l in rows {
        let opt = |v: &Option<String>| cell(v.as_deref().unwrap_or(""));
        w.write_record([
            cell(&l.email),
            opt(&l.name),
            opt(&l.phone),
            opt(&l.company),
            opt(&l.message),
            l.conversation_id.map(|c| c.to_string()).unwrap_or_default(),
            opt(&l.captured_by),
            crate::app::format::date_time(l.created_at),
        ])?;
    }
    Ok(Bytes::from(w.into_inner().map_err(|e| e.into_error())?))
}

pub async fn leads_csv(
    State(state): State<AppState>,
    AuthOperator(_operator): AuthOperator,
    Query(query): Query<ExportQuery>,
) -> Response {
    let search = query
        .q
        .map(|q| q.trim().chars().take(200).collect::<String>())
        .filter(|q| !q.is_empty());
    // (cursor, first chunk?, finished?)
    let start = (None::<i64>, true, false);
    let chunks = futures::stream::unfold(start, move |(before, first, done)| {
        let (pool, search) = (state.db.read.clone(), search.clone());
        async move {
            if done {
                return None;
            }
            let rows = match db::leads::page(&pool, search.as_deref(), before, ROWS_PER_CHUNK).await
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!("leads export: {e}");
                    return Some((
                        Err(std::io::Error::other("export failed")),
                        (None, false, true),
                    ));
                }
            };
            let last = rows.last().map(|r| r.id);
            let finished = (rows.len() as i64) < ROWS_PER_CHUNK;
            let bytes = rows_csv(&rows, first).map_err(std::io::Error::other);
            Some((bytes, (last, false, finished)))
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"leads.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::cell("+33 6 12"), "'+33 6 12");
        assert_eq!(super::cell("ana@example.com"), "ana@example.com");
    }
}
