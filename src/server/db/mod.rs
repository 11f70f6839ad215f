//! The database: SQLite in WAL mode with one writer and a read pool.
//!
//! Writes go through [`Db::write`], which takes the writer lock, opens `BEGIN IMMEDIATE`, and on
//! commit publishes the transaction's events in id order before letting the next writer in.
//! Reads use the read pool and never wait for writers. All SQL lives in this module's files, so a
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

use crate::server::realtime::{Bus, StoredEvent};
use liaison_protocol::Event;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone)]
pub struct Db {
    pub read: SqlitePool,
    write: SqlitePool,
    write_lock: Arc<Mutex<()>>,
    bus: Bus,
    /// Chunk embeddings in memory, for hybrid retrieval.
    pub vectors: vectors::VectorCache,
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
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(false))
            .await?;
        Ok(Db {
            read,
            write,
            write_lock: Arc::new(Mutex::new(())),
            bus,
            vectors: Default::default(),
        })
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// Starts the one write transaction that may run now.
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = self.write_lock.clone().lock_owned().await;
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            pending: Vec::new(),
            touched: Vec::new(),
            bus: self.bus.clone(),
            _guard: guard,
        })
    }
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back and
/// publishes nothing.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    pending: Vec<StoredEvent>,
    /// Conversations this transaction changed: each gets one `conversation_updated` at commit.
    touched: Vec<i64>,
    bus: Bus,
    _guard: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Records `event` in the outbox, in this transaction.
    pub async fn emit(
        &mut self,
        event: Event,
        visitor_id: Option<i64>,
    ) -> Result<i64, sqlx::Error> {
        if let Some(c) = event.conversation_id()
            && !self.touched.contains(&c)
        {
            self.touched.push(c);
        }
        self.record(event, visitor_id).await
    }

    async fn record(&mut self, event: Event, visitor_id: Option<i64>) -> Result<i64, sqlx::Error> {
        let id = events::insert(&mut self.tx, &event, visitor_id).await?;
        self.pending.push(StoredEvent {
            id,
            visitor_id,
            event,
        });
        Ok(id)
    }

    /// Commits, then publishes the events in id order. Every conversation an event was about
    /// gets a last `conversation_updated` event with its row as committed and the tab counts, so
    /// dashboards patch their lists from the stream alone: no change can forget to send it.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let touched = std::mem::take(&mut self.touched);
        if !touched.is_empty() {
            let counts = conversations::counts(&mut self.tx).await?;
            for id in touched {
                if let Some(row) = conversations::find(&mut self.tx, id).await? {
                    let event = Event::ConversationUpdated {
                        conversation: Box::new(row.summary()),
                        counts,
                    };
                    self.record(event, Some(row.visitor_id)).await?;
                }
            }
        }
        let WriteTx {
            tx,
            pending,
            bus,
            _guard,
            ..
        } = self;
        tx.commit().await?;
        for event in pending {
            bus.publish(event);
        }
        Ok(())
    }
}
