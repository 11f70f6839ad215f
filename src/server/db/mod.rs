//! The database: SQLite (the embedded default) or PostgreSQL, behind the same repository
//! functions (`backend.rs`).
//!
//! On SQLite, in WAL mode, writes go through [`Db::write`], which takes the one writer
//! connection, opens `BEGIN IMMEDIATE`, and on commit publishes the transaction's events in id
//! order before letting the next writer in. The writer is a connection of its own, not a pool: a
//! pool pings a connection on every acquire and release, a round trip to SQLite's thread each,
//! and there is only ever one writer anyway. Reads use the read pool and never wait for writers.
//! On PostgreSQL, write transactions run side by side on the pool; their events get ids under a
//! transaction-scoped advisory lock held to commit, so ids become visible in id order. All SQL
//! lives in this module's files.

pub mod ai_turns;
pub mod analytics;
pub mod attachments;
mod backend;
pub mod billing;
pub mod bookings;
pub mod conversations;
pub mod copy;
pub mod documents;
pub mod events;
pub mod gaps;
pub mod invites;
pub mod kb;
pub mod leads;
pub mod messages;
pub mod operator_sessions;
pub mod overview;
pub mod password_resets;
pub mod presence;
pub mod quick_replies;
pub mod ratings;
mod relay;
pub mod search;
pub mod settings;
pub mod tickets;
pub mod usage;
pub mod users;
pub mod vectors;
pub mod visitors;
pub mod wal;
pub mod webhooks;
pub mod whatsapp;

pub(crate) use backend::on;
pub use backend::{Backend, Conn, Pool, PooledConn};

use crate::server::realtime::Bus;
use liaison_protocol::Event;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, Postgres, Sqlite, SqliteConnection, TransactionManager};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone)]
pub struct Db {
    pub read: Pool,
    writer: Backend<Arc<Mutex<SqliteConnection>>, PgPool>,
    bus: Bus,
    /// Chunk embeddings in memory, for hybrid retrieval.
    pub vectors: vectors::VectorCache,
    /// This instance among those sharing a PostgreSQL database (0 on SQLite: the only one).
    instance: i64,
    /// SQLite's write-ahead log file, which writers keep bounded (`wal::hold_to_bound`).
    log_file: Option<Arc<std::path::PathBuf>>,
    /// Stops the background task (SQLite's checkpoints, PostgreSQL's event relay) when the
    /// last handle goes.
    _background: Arc<tokio_util::sync::DropGuard>,
    /// Seals and opens the secrets stored in settings and webhooks (`secrets`). A database
    /// opened directly has a key for this process only; the server sets its own.
    secrets: Arc<crate::server::secrets::Secrets>,
}

/// SQLite's write-ahead log beside the database file `path`.
fn log_file_of(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// A random id for an instance opening a shared database (never 0).
fn new_instance_id() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    // 63 random bits: positive, so never 0.
    ((h.finish() >> 1) as i64).max(1)
}

/// Where the data lives: `LIAISON_DATABASE_URL`, or SQLite under the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…`, `sqlite://PATH`, or nothing (`default`, SQLite under
    /// the data directory). Anything else is refused with what is accepted.
    pub fn parse(url: Option<&str>, default: &Path) -> Result<Location, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Location::Sqlite(default.to_path_buf())),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Location::Postgres(u.to_string()))
            }
            Some(u) => match u
                .strip_prefix("sqlite://")
                .or_else(|| u.strip_prefix("sqlite:"))
            {
                Some(path) if !path.is_empty() => Ok(Location::Sqlite(path.into())),
                _ => Err(format!(
                    "{u:?} is not postgres://user@host/database or sqlite://path \
                     (unset: SQLite under the data directory)"
                )),
            },
        }
    }
}

impl Db {
    pub async fn open(path: &Path, bus: Bus) -> Result<Db, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Committed transactions survive a process crash; only a power loss can lose the last.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Checkpoints run in the background (`wal.rs`), never inside a writer's commit.
            .pragma("wal_autocheckpoint", "0")
            // A log that started over is cut back to this on disk (`wal::hold_to_bound`).
            .pragma("journal_size_limit", wal::FILE_LIMIT_BYTES.to_string())
            .busy_timeout(Duration::from_secs(10));
        let mut writer = SqliteConnection::connect_with(&options).await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&mut writer)
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            // Connections are tested when they go back to the pool; testing them again on the
            // way out would cost every read a second round trip.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let writer = Arc::new(Mutex::new(writer));
        let checkpoints = tokio_util::sync::CancellationToken::new();
        wal::spawn(read.clone(), writer.clone(), checkpoints.clone());
        Ok(Db {
            secrets: Arc::new(crate::server::secrets::Secrets::ephemeral()),
            _background: Arc::new(checkpoints.drop_guard()),
            read: Backend::Sqlite(read),
            writer: Backend::Sqlite(writer),
            bus,
            vectors: Default::default(),
            instance: 0,
            log_file: Some(Arc::new(log_file_of(path))),
        })
    }

    /// PostgreSQL at `url`, migrated (sqlx takes an advisory lock, so instances starting
    /// together migrate once).
    pub async fn open_postgres(url: &str, bus: Bus) -> Result<Db, sqlx::Error> {
        // Short queries: compiling one (JIT, for plans the planner thinks costly) takes longer
        // than running it; search sorts and GIN bitmaps stay exact and in memory.
        let options =
            PgConnectOptions::from_str(url)?.options([("jit", "off"), ("work_mem", "32MB")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let relay = tokio_util::sync::CancellationToken::new();
        let cursor = events::latest_id(&Backend::Postgres(pool.clone())).await?;
        let instance = new_instance_id();
        relay::spawn(pool.clone(), bus.clone(), cursor, instance, relay.clone()).await;
        Ok(Db {
            secrets: Arc::new(crate::server::secrets::Secrets::ephemeral()),
            _background: Arc::new(relay.drop_guard()),
            read: Backend::Postgres(pool.clone()),
            writer: Backend::Postgres(pool),
            bus,
            vectors: Default::default(),
            instance,
            log_file: None,
        })
    }

    pub async fn open_at(location: &Location, bus: Bus) -> Result<Db, sqlx::Error> {
        match location {
            Location::Sqlite(path) => Db::open(path, bus).await,
            Location::Postgres(url) => Db::open_postgres(url, bus).await,
        }
    }

    /// This instance among those sharing the database (0 on SQLite).
    pub fn instance(&self) -> i64 {
        self.instance
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    pub fn secrets(&self) -> &crate::server::secrets::Secrets {
        &self.secrets
    }

    /// This handle with the server's key for secrets (set before the handle is shared).
    pub fn with_secrets(mut self, secrets: crate::server::secrets::Secrets) -> Db {
        self.secrets = Arc::new(secrets);
        self
    }

    /// The right to run the background job `job` now, held until the value is dropped: with
    /// several instances on PostgreSQL, one of them gets it and the others get `None` (and try
    /// again later). An instance that dies lets it go with its connection. On SQLite there is
    /// one instance, which always gets it.
    pub async fn exclusive(&self, job: &str) -> Result<Option<Exclusive>, sqlx::Error> {
        let Backend::Postgres(pool) = &self.read else {
            return Ok(Some(Exclusive { _held: None }));
        };
        let mut conn = pool.acquire().await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(JOB_LOCKS)
            .bind(job)
            .fetch_one(&mut *conn)
            .await?;
        if !got {
            return Ok(None);
        }
        // Closing the connection releases the lock, however the holder ends.
        conn.close_on_drop();
        Ok(Some(Exclusive { _held: Some(conn) }))
    }

    /// Starts a write transaction: on SQLite, the one that may run now.
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let conn = match &self.writer {
            Backend::Sqlite(writer) => {
                let mut conn = writer.clone().lock_owned().await;
                if let Some(log_file) = &self.log_file {
                    wal::hold_to_bound(&mut conn, log_file).await?;
                }
                <Sqlite as sqlx::Database>::TransactionManager::begin(
                    &mut conn,
                    Some("BEGIN IMMEDIATE".into()),
                )
                .await?;
                Backend::Sqlite(conn)
            }
            Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                <Postgres as sqlx::Database>::TransactionManager::begin(&mut conn, None).await?;
                Backend::Postgres(conn)
            }
        };
        Ok(WriteTx {
            conn,
            open: true,
            pending: Vec::new(),
            touched: Vec::new(),
            bus: self.bus.clone(),
        })
    }
}

/// The key space of background jobs' advisory locks (the first of PostgreSQL's two keys).
const JOB_LOCKS: i32 = 0x4c69_6169;

/// The right to run a background job; see [`Db::exclusive`]. On PostgreSQL it holds the
/// connection whose session holds the lock; dropping it closes that connection.
pub struct Exclusive {
    _held: Option<PoolConnection<Postgres>>,
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back and
/// publishes nothing.
pub struct WriteTx {
    conn: Backend<OwnedMutexGuard<SqliteConnection>, PoolConnection<Postgres>>,
    /// Until commit: dropping the transaction then rolls it back.
    open: bool,
    /// Events to write at commit, with the visitor they concern.
    pending: Vec<(Event, Option<i64>)>,
    /// Conversations this transaction changed: each gets one `conversation_updated` at commit.
    touched: Vec<i64>,
    bus: Bus,
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if self.open {
            // Queued on the connection ahead of the next writer's BEGIN.
            match &mut self.conn {
                Backend::Sqlite(c) => {
                    <Sqlite as sqlx::Database>::TransactionManager::start_rollback(c)
                }
                Backend::Postgres(c) => {
                    <Postgres as sqlx::Database>::TransactionManager::start_rollback(c)
                }
            }
        }
    }
}

impl WriteTx {
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.conn {
            Backend::Sqlite(c) => Backend::Sqlite(&mut **c),
            Backend::Postgres(c) => Backend::Postgres(&mut **c),
        }
    }

    /// Records `event` in the outbox, in this transaction: it is written with the others at
    /// commit, in one statement.
    pub fn emit(&mut self, event: Event, visitor_id: Option<i64>) {
        if let Some(c) = event.conversation_id()
            && !self.touched.contains(&c)
        {
            self.touched.push(c);
        }
        self.pending.push((event, visitor_id));
    }

    /// Commits, then publishes the events in id order. Every conversation an event was about
    /// gets a last `conversation_updated` event with its row as committed and the tab counts, so
    /// dashboards patch their lists from the stream alone: no change can forget to send it.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let touched = std::mem::take(&mut self.touched);
        let (rows, counts) = conversations::touched_with_counts(self.conn(), &touched).await?;
        for row in rows {
            let event = Event::ConversationUpdated {
                conversation: Box::new(row.summary()),
                counts,
            };
            self.pending.push((event, Some(row.visitor_id)));
        }
        let pending = std::mem::take(&mut self.pending);
        let stored = events::insert_all(self.conn(), pending).await?;
        match &mut self.conn {
            Backend::Sqlite(c) => {
                <Sqlite as sqlx::Database>::TransactionManager::commit(c).await?;
                self.open = false;
                for event in stored {
                    self.bus.publish(event);
                }
            }
            Backend::Postgres(c) => {
                // Every instance's relay publishes them, this one's too: `insert_all` queued
                // the notification (`relay.rs`).
                <Postgres as sqlx::Database>::TransactionManager::commit(c).await?;
                self.open = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instance_ids_are_positive_and_distinct() {
        let ids: std::collections::HashSet<i64> =
            (0..10_000).map(|_| super::new_instance_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|id| *id > 0));
    }
}
