//! Visitors' messages, written many to a transaction (group commit).
//!
//! Every statement is a round trip to SQLite's own thread, and the writer is one connection: at
//! a few thousand messages a second, opening, committing and writing the events of one
//! transaction per message is what limits throughput, not SQLite. So the widget's sends queue
//! here, and one task writes whatever has queued since its last commit in one transaction. A
//! quiet server commits each message alone, as before; a busy one commits them in batches.
//!
//! A batch that fails is not anyone's error yet: each of its messages is then written in a
//! transaction of its own, so one message's failure is only its own. A message is answered once
//! it is committed, and what happens next (the AI's turn) is started here, after the commit, so
//! a visitor who goes away mid-request does not leave a message nobody answers.

use super::{OpError, Sent, post_customer_message, send_in, validate_send};
use crate::server::db::Db;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// At most this many messages in one transaction: a batch is written in well under a
/// millisecond per message, so the last in a full batch still waits only a few.
const MAX_BATCH: usize = 32;
/// Sends waiting for the writer before new ones wait for room.
const QUEUE: usize = 1024;

/// Called with each new message once it is committed.
pub type AfterSend = Arc<dyn Fn(&Sent) + Send + Sync>;

struct Request {
    visitor_id: i64,
    client_msg_id: String,
    body: String,
    reply: oneshot::Sender<Result<Sent, OpError>>,
}

/// The queue of visitors' sends. Cloning shares it.
#[derive(Clone)]
pub struct SendQueue {
    tx: mpsc::Sender<Request>,
}

impl SendQueue {
    /// Starts the task that writes the queue; it ends when every handle is dropped.
    pub fn start(db: Db, after_send: AfterSend) -> SendQueue {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_queue(db, rx, after_send));
        SendQueue { tx }
    }

    /// Sends a visitor's message and answers once it is committed (or was already: a retry with
    /// the same client id returns the original). Invalid input is refused before it queues.
    pub async fn send(
        &self,
        visitor_id: i64,
        client_msg_id: &str,
        body: &str,
    ) -> Result<Sent, OpError> {
        let (client_msg_id, body) = validate_send(client_msg_id, body)?;
        let (reply, answer) = oneshot::channel();
        let request = Request {
            visitor_id,
            client_msg_id: client_msg_id.to_string(),
            body: body.to_string(),
            reply,
        };
        self.tx
            .send(request)
            .await
            .map_err(|_| OpError::Invalid("The server is shutting down."))?;
        answer
            .await
            .map_err(|_| OpError::Invalid("The server is shutting down."))?
    }
}

async fn write_queue(db: Db, mut rx: mpsc::Receiver<Request>, after_send: AfterSend) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let results = match write_batch(&db, &batch).await {
            Ok(sents) => sents.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::warn!(
                    messages = batch.len(),
                    "a batch of sends failed ({e}); writing them one by one"
                );
                let mut results = Vec::with_capacity(batch.len());
                for r in &batch {
                    results.push(
                        post_customer_message(&db, r.visitor_id, &r.client_msg_id, &r.body).await,
                    );
                }
                results
            }
        };
        for (request, result) in batch.drain(..).zip(results) {
            if let Ok(sent) = &result
                && sent.is_new
            {
                after_send(sent);
            }
            // The visitor may have gone; the message is stored either way.
            let _ = request.reply.send(result);
        }
    }
}

async fn write_batch(db: &Db, batch: &[Request]) -> Result<Vec<Sent>, OpError> {
    let mut tx = db.write().await?;
    let mut sents = Vec::with_capacity(batch.len());
    for r in batch {
        sents.push(send_in(&mut tx, r.visitor_id, &r.client_msg_id, &r.body).await?);
    }
    tx.commit().await?;
    Ok(sents)
}
