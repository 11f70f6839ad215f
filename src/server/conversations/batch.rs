//! Group commit: operations that arrive together are written in one transaction.
//!
//! Every statement is a round trip to SQLite's own thread, and the writer is one connection: at
//! a few thousand messages a second, opening, committing and writing the events of one
//! transaction per operation is what limits throughput, not SQLite. So the busiest operations
//! (a visitor's send, the AI's answer) queue on a [`Batcher`], and one task per queue writes
//! whatever has queued since its last commit in one transaction. A quiet server commits each
//! operation alone, as before; a busy one commits them in batches.
//!
//! A batch that fails is not anyone's error yet: each of its operations is then written in a
//! transaction of its own, so one operation's failure is only its own. Each caller is answered
//! once its operation is committed, and what follows it (the AI's turn after a send) is started
//! here, after the commit, so a caller that goes away mid-request leaves nothing half done.

use super::OpError;
use crate::server::db::{Db, WriteTx};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// At most this many operations in one transaction: each is written in well under a
/// millisecond, so the last in a full batch still waits only a few.
const MAX_BATCH: usize = 32;
/// Operations waiting for the writer before new ones wait for room.
const QUEUE: usize = 1024;

/// An operation that can share a transaction with others.
pub trait Batched: Send + Sync + 'static {
    type Done: Send + 'static;
    /// Does the operation inside `tx`, which the batch commits.
    fn apply<'a>(&'a self, tx: &'a mut WriteTx) -> BoxFuture<'a, Result<Self::Done, OpError>>;
}

/// Called with each operation and its outcome once it is committed.
pub type AfterCommit<O> = Arc<dyn Fn(&O, &<O as Batched>::Done) + Send + Sync>;

struct Request<O: Batched> {
    op: O,
    reply: oneshot::Sender<Result<O::Done, OpError>>,
}

/// A queue of operations written in batches. Cloning shares it.
pub struct Batcher<O: Batched> {
    tx: mpsc::Sender<Request<O>>,
}

impl<O: Batched> Clone for Batcher<O> {
    fn clone(&self) -> Self {
        Batcher {
            tx: self.tx.clone(),
        }
    }
}

impl<O: Batched> Batcher<O> {
    /// Starts the task that writes the queue; it ends when every handle is dropped.
    pub fn start(db: Db, after: AfterCommit<O>) -> Batcher<O> {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_queue(db, rx, after));
        Batcher { tx }
    }

    /// Runs `op` and answers once it is committed.
    pub async fn run(&self, op: O) -> Result<O::Done, OpError> {
        let (reply, answer) = oneshot::channel();
        let gone = || OpError::Invalid("The server is shutting down.");
        self.tx
            .send(Request { op, reply })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn write_queue<O: Batched>(
    db: Db,
    mut rx: mpsc::Receiver<Request<O>>,
    after: AfterCommit<O>,
) {
    let mut batch: Vec<Request<O>> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let results = match write_batch(&db, &batch).await {
            Ok(done) => done.into_iter().map(Ok).collect(),
            Err(e) => {
                if batch.len() > 1 {
                    tracing::warn!(
                        operations = batch.len(),
                        "a batch failed ({e}); writing its operations one by one"
                    );
                }
                let mut results = Vec::with_capacity(batch.len());
                for r in &batch {
                    results.push(alone(&db, &r.op).await);
                }
                results
            }
        };
        for (request, result) in batch.drain(..).zip(results) {
            if let Ok(done) = &result {
                after(&request.op, done);
            }
            // The caller may have gone; the operation is committed either way.
            let _ = request.reply.send(result);
        }
    }
}

async fn write_batch<O: Batched>(db: &Db, batch: &[Request<O>]) -> Result<Vec<O::Done>, OpError> {
    let mut tx = db.write().await?;
    let mut done = Vec::with_capacity(batch.len());
    for r in batch {
        done.push(r.op.apply(&mut tx).await?);
    }
    tx.commit().await?;
    Ok(done)
}

/// Runs `op` in a transaction of its own.
pub(super) async fn alone<O: Batched>(db: &Db, op: &O) -> Result<O::Done, OpError> {
    let mut tx = db.write().await?;
    let done = op.apply(&mut tx).await?;
    tx.commit().await?;
    Ok(done)
}
