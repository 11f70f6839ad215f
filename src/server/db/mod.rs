//! The database: SQLite in WAL mode with one writer and a read pool.
//!
//! Writes go through [`Db::write`], which takes the one writer connection, opens `BEGIN
//! IMMEDIATE`, and on commit publishes the transaction's events in id order before letting the
//! next writer in. The writer is a connection of its own, not a pool: a pool pings a connection
//! on every acquire and release, a round trip to SQLite's thread each, and there is only ever one
//! writer anyway. Reads use the read pool and never wait for writers. All SQL lives in this module's files, so a
//! Postgres backend is a contained change.

pub mod conversations;
pub mod documents;
pub mod events;
pub mod gaps;
pub mod kb;
pub mod messages;
pub mod search;
pub mod settings;
pub mod usage;
pub mod users;
pub mod vectors;
pub mod visitors;
pub mod wal;

use crate::server::realtime::Bus;
use liaison_protocol::Event;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool, TransactionManager};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone)]
pub struct Db {
    pub read: SqlitePool,
    writer: Arc<Mutex<SqliteConnection>>,
    bus: Bus,
    /// Chunk embeddings in memory, for hybrid retrieval.
    pub vectors: vectors::VectorCache,
    /// Stops the checkpoint task when the last handle goes.
    _checkpoints: Arc<tokio_util::sync::DropGuard>,
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
            _checkpoints: Arc::new(checkpoints.drop_guard()),
            read,
            writer,
            bus,
            vectors: Default::default(),
        })
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// Starts the one write transaction that may run now.
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let mut conn = self.writer.clone().lock_owned().await;
        <Sqlite as sqlx::Database>::TransactionManager::begin(
            &mut conn,
            Some("BEGIN IMMEDIATE".into()),
        )
        .await?;
        Ok(WriteTx {
            conn,
            open: true,
            pending: Vec::new(),
            touched: Vec::new(),
            bus: self.bus.clone(),
        })
    }
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back and
/// publishes nothing.
pub struct WriteTx {
    conn: OwnedMutexGuard<SqliteConnection>,
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
            <Sqlite as sqlx::Database>::TransactionManager::start_rollback(&mut self.conn);
        }
    }
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
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
        let (rows, counts) = conversations::touched_with_counts(&mut self.conn, &touched).await?;
        for row in rows {
            let event = Event::ConversationUpdated {
                conversation: Box::new(row.summary()),
                counts,
            };
            self.pending.push((event, Some(row.visitor_id)));
        }
        let pending = std::mem::take(&mut self.pending);
        let stored = events::insert_all(&mut self.conn, pending).await?;
        <Sqlite as sqlx::Database>::TransactionManager::commit(&mut self.conn).await?;
        self.open = false;
        for event in stored {
            self.bus.publish(event);
        }
        Ok(())
    }
}
