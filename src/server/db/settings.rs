//! Settings saved from the dashboard, as JSON under a key.

use super::{Conn, Pool, on};
use crate::server::now_ms;
use serde::{Serialize, de::DeserializeOwned};

pub async fn get<T: DeserializeOwned>(pool: &Pool, key: &str) -> Result<Option<T>, sqlx::Error> {
    let value: Option<String> = on!(pool, |p| {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(p)
            .await
    })?;
    // A value that no longer parses (an older shape) counts as unset rather than an outage.
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

pub async fn put<T: Serialize>(
    mut conn: Conn<'_>,
    key: &str,
    value: &T,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(value).expect("settings serialize");
    on!(conn, |c| {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(&json)
        .bind(by)
        .bind(now_ms())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
