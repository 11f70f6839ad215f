//! The two backends' migrations describe the same schema: the same tables with the same columns,
//! of the same kind and nullability. Search is the one place they differ by design (FTS5 tables
//! on SQLite; stored `tsvector` columns with GIN indexes on PostgreSQL), and indexes and
//! triggers are each backend's own.

use crate::common::postgres;
use liaison::server::db::Db;
use liaison::server::realtime::Bus;
use std::collections::BTreeMap;

/// table -> column -> (kind, not null)
type Schema = BTreeMap<String, BTreeMap<String, (&'static str, bool)>>;

/// Booleans are 0/1 integers on SQLite, so they count as integers here.
fn kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "boolean" => "integer",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        "real" | "double precision" => "real",
        _ => "other",
    }
}

async fn sqlite_schema() -> Schema {
    let dir = std::env::temp_dir().join(format!("liaison-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&dir.join("liaison.db"), Bus::default())
        .await
        .unwrap();
    let rows: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT m.name, c.name, c.type, c.\"notnull\", c.pk > 0
         FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE '%fts%' AND m.name NOT LIKE 'sqlite_%'
           AND m.name NOT IN ('_sqlx_migrations', 'tower_sessions')",
    )
    .fetch_all(db.read.sqlite().unwrap())
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (table, column, declared, not_null, pk) in rows {
        schema
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), not_null || pk));
    }
    schema
}

async fn postgres_schema() -> Schema {
    let url = postgres::fresh_database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .unwrap();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'
           AND data_type <> 'tsvector'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (table, column, declared, nullable) in rows {
        schema
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), nullable == "NO"));
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = sqlite_schema().await;
    let postgres = postgres_schema().await;
    assert!(sqlite.contains_key("conversations") && sqlite.len() > 10);
    let tables = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres), "tables differ");
    for (table, columns) in &sqlite {
        assert_eq!(
            columns, &postgres[table],
            "columns of {table} differ (left SQLite, right PostgreSQL)"
        );
    }
}
