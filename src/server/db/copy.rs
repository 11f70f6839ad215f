//! `liaison copy-database --from sqlite://… --to postgres://…`: moves an installation from its
//! embedded SQLite to PostgreSQL. Every table is copied with its ids; the target must be empty
//! (freshly migrated); its id sequences are advanced past the copied ids; the counts of every
//! table are compared at the end. Operators sign in again afterwards (sessions are not copied).
//!
//! Rows are copied as they are, so what triggers would derive from them (message counts, tab
//! counts, the knowledge-base generation) is copied too, with the triggers off for the copy.

use super::{Backend, Db, Location};
use crate::server::realtime::Bus;
use futures::TryStreamExt;
use sqlx::{PgConnection, QueryBuilder, Row, SqlitePool};

/// The tables, parents before children. `tower_sessions` is left out on purpose.
pub const TABLES: [&str; 35] = [
    "users",
    "visitors",
    "visitor_tokens",
    "conversations",
    "messages",
    "attachments",
    "events",
    "event_retention",
    "kb_articles",
    "kb_documents",
    "kb_chunks",
    "kb_generation",
    "knowledge_gaps",
    "settings",
    "llm_usage",
    "llm_usage_daily",
    "conversation_counts",
    "quick_replies",
    "leads",
    "bookings",
    "invites",
    "activity_daily",
    "operator_activity_daily",
    "open_queue",
    "password_resets",
    "tickets",
    "ticket_counts",
    "duration_buckets",
    "analytics_daily",
    "analytics_hourly",
    "operator_daily",
    "durations_daily",
    "webhooks",
    "webhook_deliveries",
    "webhook_cursor",
];

/// Tables whose triggers keep other tables (counts, rollups, search): off while copying, since
/// what they would write is copied as it is.
const TRIGGERED: [&str; 6] = [
    "conversations",
    "messages",
    "kb_chunks",
    "visitors",
    "bookings",
    "tickets",
];

/// Tables migrations fill with their first rows; the copy replaces them.
const SINGLETONS: [&str; 5] = [
    "event_retention",
    "kb_generation",
    "ticket_counts",
    "duration_buckets",
    "webhook_cursor",
];

/// Rows per INSERT (PostgreSQL takes at most 65,535 parameters a statement).
const ROWS_PER_INSERT: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Refused(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What was copied: (table, rows).
pub type Copied = Vec<(String, i64)>;

pub async fn copy(from: &Location, to: &Location) -> Result<Copied, CopyError> {
    let (Location::Sqlite(_), Location::Postgres(_)) = (from, to) else {
        return Err(CopyError::Refused(
            "copy-database copies from sqlite://… to postgres://…".into(),
        ));
    };
    let source = Db::open_at(from, Bus::default()).await?;
    let target = Db::open_at(to, Bus::default()).await?;
    let (Backend::Sqlite(source), Backend::Postgres(target)) = (&source.read, &target.read) else {
        unreachable!("checked above");
    };
    let mut pg = target.begin().await?;
    for table in tables() {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *pg)
            .await?;
        if n > 0 && !SINGLETONS.contains(&table) {
            return Err(CopyError::Refused(format!(
                "the target is not empty ({table} has {n} rows): copy into a new database"
            )));
        }
    }
    for table in TRIGGERED {
        sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .execute(&mut *pg)
            .await?;
    }
    for table in tables() {
        if SINGLETONS.contains(&table) {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *pg)
                .await?;
        }
        copy_table(source, &mut pg, table).await?;
        advance_ids(&mut pg, table).await?;
    }
    for table in TRIGGERED {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
            .execute(&mut *pg)
            .await?;
    }
    let mut copied = Vec::new();
    for table in tables() {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let from: i64 = sqlx::query_scalar(&sql).fetch_one(source).await?;
        let to: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *pg).await?;
        if from != to {
            return Err(CopyError::Refused(format!(
                "{table}: {from} rows in the source, {to} copied; nothing was committed"
            )));
        }
        copied.push((table.to_string(), to));
    }
    pg.commit().await?;
    Ok(copied)
}

fn tables() -> impl Iterator<Item = &'static str> {
    TABLES.into_iter()
}

/// A column as PostgreSQL types it, so SQLite's values are read as that.
enum Kind {
    Integer,
    Boolean,
    Real,
    Text,
    Bytes,
}

enum Value {
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

async fn columns(pg: &mut PgConnection, table: &str) -> Result<Vec<(String, Kind)>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, ty)| {
            let kind = match ty.as_str() {
                "bigint" | "integer" => Kind::Integer,
                "boolean" => Kind::Boolean,
                "double precision" | "real" => Kind::Real,
                "bytea" => Kind::Bytes,
                _ => Kind::Text,
            };
            (name, kind)
        })
        .collect())
}

async fn copy_table(
    source: &SqlitePool,
    pg: &mut PgConnection,
    table: &str,
) -> Result<(), sqlx::Error> {
    let columns = columns(pg, table).await?;
    let names = columns
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let select = format!("SELECT {names} FROM {table} ORDER BY 1");
    let mut rows = sqlx::query(&select).fetch(source);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_INSERT);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (_, kind)) in columns.iter().enumerate() {
            values.push(match kind {
                Kind::Integer => Value::Integer(row.try_get(i)?),
                Kind::Boolean => Value::Boolean(row.try_get::<Option<i64>, _>(i)?.map(|v| v != 0)),
                Kind::Real => Value::Real(row.try_get(i)?),
                Kind::Text => Value::Text(row.try_get(i)?),
                Kind::Bytes => Value::Bytes(row.try_get(i)?),
            });
        }
        batch.push(values);
        if batch.len() == ROWS_PER_INSERT {
            insert(pg, table, &names, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        insert(pg, table, &names, batch).await?;
    }
    Ok(())
}

async fn insert(
    pg: &mut PgConnection,
    table: &str,
    names: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), sqlx::Error> {
    let mut insert = QueryBuilder::new(format!("INSERT INTO {table} ({names}) "));
    // Ids are the source's: an identity column accepts them as given.
    insert.push_values(rows, |mut b, row| {
        for value in row {
            match value {
                Value::Integer(v) => b.push_bind(v),
                Value::Boolean(v) => b.push_bind(v),
                Value::Real(v) => b.push_bind(v),
                Value::Text(v) => b.push_bind(v),
                Value::Bytes(v) => b.push_bind(v),
            };
        }
    });
    insert.build().execute(&mut *pg).await?;
    Ok(())
}

/// The next id the table's identity hands out comes after the copied ones.
async fn advance_ids(pg: &mut PgConnection, table: &str) -> Result<(), sqlx::Error> {
    let sequence: Option<String> = sqlx::query_scalar(
        "SELECT pg_get_serial_sequence($1, column_name::text) FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 AND is_identity = 'YES'",
    )
    .bind(table)
    .fetch_optional(&mut *pg)
    .await?
    .flatten();
    if let Some(sequence) = sequence {
        sqlx::query(&format!(
            "SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut *pg)
        .await?;
    }
    Ok(())
}
