//! Checkpoints: SQLite in WAL mode appends every commit to the write-ahead log and copies the
//! log into the database file at a checkpoint, which syncs both files to disk. Left to itself
//! SQLite checkpoints inside whichever commit fills the log past 1,000 pages: under load, several
//! times a second, that commit (and every writer queued behind it) waits for two fsyncs. So
//! automatic checkpoints are off on every connection (`Db::open`) and a task started with the
//! database checkpoints from a connection of the read pool, passively: it waits for nobody and nobody waits for it.

use sqlx::SqlitePool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the log is copied into the database. Small and often beats large and rare: with
/// every 100 ms the message path's p99 at 2,000 msg/s was 7.7 ms, with every second 10–16 ms,
/// and with SQLite's automatic checkpoint 12–13 ms (`cargo xtask bench`).
const EVERY: Duration = Duration::from_millis(100);

/// Copies what it can of the log into the database file. Returns the log's size and how much
/// of it is now in the database, in pages.
pub async fn checkpoint(pool: &SqlitePool) -> Result<(i64, i64), sqlx::Error> {
    let (_busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    Ok((log, copied))
}

/// Checkpoints every 100 ms until `stop` (the database is dropped), and once more then.
pub(super) fn spawn(pool: SqlitePool, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let stopping = tokio::select! {
                _ = stop.cancelled() => true,
                _ = every.tick() => false,
            };
            if let Err(e) = checkpoint(&pool).await {
                tracing::warn!("checkpoint failed: {e}");
            }
            if stopping {
                break;
            }
        }
    });
}
