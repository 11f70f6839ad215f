//! Settings saved from the dashboard, as JSON under a key.

use crate::server::now_ms;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{SqliteConnection, SqlitePool};

pub async fn get<T: DeserializeOwned>(
    pool: &SqlitePool,
    key: &str,
) -> Result<Option<T>, sqlx::Error> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    // A value that no longer parses (an older shape) counts as unset rather than an outage.
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

pub async fn put<T: Serialize>(
    conn: &mut SqliteConnection,
    key: &str,
    value: &T,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(value).expect("settings serialize");
    sqlx::query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
            updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(json)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
