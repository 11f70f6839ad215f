//! Checkpoints: SQLite in WAL mode appends every commit to the write-ahead log and copies the
//! log into the database file at a checkpoint, which syncs both files to disk. Left to itself
//! SQLite checkpoints inside whichever commit fills the log past 1,000 pages: under load, several
//! times a second, that commit (and every writer queued behind it) waits for two fsyncs. So
//! automatic checkpoints are off on every connection (`Db::open`) and a task started with the
//! database checkpoints from a connection of the read pool, passively: it waits for nobody and
//! nobody waits for it.
//!
//! The log only starts over from its beginning when a writer begins while all of it is in the
//! database. Under steady writes that never happens by itself (a commit always lands between a
//! checkpoint and the next writer): the log grew to 120 MB in four seconds of the message bench,
//! and to 520 MB in another run, without bound. So once the log is past [`RESTART_AFTER`], the
//! task takes the writer between two transactions and copies the rest (only what was committed
//! since its passive checkpoints: little), and the next writer starts the log over. That costs
//! the writer a millisecond or two about once a second at 2,000 msg/s. Should the task fall
//! behind all the same, writers copy the log themselves past twice that ([`hold_to_bound`]).

use sqlx::{SqliteConnection, SqliteExecutor, SqlitePool};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// How often the log is copied into the database. Small and often beats large and rare: with
/// every 100 ms the message path's p99 at 2,000 msg/s was 7.7 ms, with every second 10–16 ms,
/// and with SQLite's automatic checkpoint 12–13 ms (`cargo xtask bench`, before the log was made
/// to start over).
const EVERY: Duration = Duration::from_millis(100);

/// The log's size, in pages (16 MiB at SQLite's 4 KiB pages), past which it is made to start
/// over.
pub const RESTART_AFTER: i64 = 4_096;

/// The log's size, in bytes, past which a writer copies it into the database itself before it
/// begins ([`hold_to_bound`]): twice [`RESTART_AFTER`] pages at SQLite's 4 KiB.
const BOUND_BYTES: u64 = 2 * RESTART_AFTER as u64 * 4096;

/// What the log file is cut back to when the log starts over (`journal_size_limit`), so its
/// size on disk is the log's own size past that.
pub const FILE_LIMIT_BYTES: i64 = RESTART_AFTER * 4096;

/// The writer's own bound, for when the task falls behind (a slow disk, a starved machine): the
/// log grew to three times its limit beside a build. Before a write begins, a log file past
/// [`BOUND_BYTES`] is copied into the database with the writer held, so that write starts the
/// log over. The file is cut back when the log starts over ([`FILE_LIMIT_BYTES`]), so its size
/// is the log's; a `stat` costs microseconds.
pub async fn hold_to_bound(
    writer: &mut SqliteConnection,
    log_file: &std::path::Path,
) -> Result<(), sqlx::Error> {
    let size = std::fs::metadata(log_file).map_or(0, |m| m.len());
    if size <= BOUND_BYTES {
        return Ok(());
    }
    // The task's own checkpoint may be running (slowly: that is why the log is long), and
    // SQLite answers a second one with "busy" at once. The writer is held, so the log cannot
    // grow meanwhile: ask again until all of it is in the database, for at most two seconds
    // (a reader holding an old snapshot can keep the end of it from being copied).
    for _ in 0..200 {
        let (log, copied) = checkpoint(&mut *writer).await?;
        if log >= 0 && copied >= log {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Copies what it can of the log into the database file. Returns the log's size and how much
/// of it is now in the database, in pages.
pub async fn checkpoint<'c>(on: impl SqliteExecutor<'c>) -> Result<(i64, i64), sqlx::Error> {
    let (_busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(on)
        .await?;
    Ok((log, copied))
}

/// One round: a passive checkpoint; then, if the log is long, passive ones again while each
/// still had much to copy (each copies what was committed while the one before ran: less and
/// less), and the last few pages with the writer held, so it waits for one short copy.
async fn round(pool: &SqlitePool, writer: &Mutex<SqliteConnection>) -> Result<(), sqlx::Error> {
    let (mut log, _) = checkpoint(pool).await?;
    if log <= RESTART_AFTER {
        return Ok(());
    }
    for _ in 0..4 {
        let before = log;
        (log, _) = checkpoint(pool).await?;
        if log - before < CATCH_UP {
            break;
        }
    }
    let mut writer = writer.lock().await;
    checkpoint(&mut *writer).await?;
    Ok(())
}

/// Few enough pages that copying them holds the writer for about a millisecond.
const CATCH_UP: i64 = 64;

/// Checkpoints every 100 ms until `stop` (the database is dropped), and once more then.
pub(super) fn spawn(
    pool: SqlitePool,
    writer: Arc<Mutex<SqliteConnection>>,
    stop: CancellationToken,
) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let stopping = tokio::select! {
                _ = stop.cancelled() => true,
                _ = every.tick() => false,
            };
            if let Err(e) = round(&pool, &writer).await {
                tracing::warn!("checkpoint failed: {e}");
            }
            if stopping {
                break;
            }
        }
    });
}
