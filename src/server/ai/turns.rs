//! One AI turn at a time per conversation. A message that arrives while the AI is still
//! answering waits; when the turn ends, the newest waiting message starts the next turn, with
//! the ones before it in its history. A visitor who sends three lines quickly gets one answer
//! that has read all three, not three racing answers (and three model calls).
//!
//! Where several instances share the database (PostgreSQL), a message may reach any of them: the
//! one answering holds a lease on the conversation (`ai_turns`), another that gets a message
//! meanwhile leaves it, and the holder, once it lets go, takes a turn on whatever came in the
//! meantime. The lease keeps the newest message a turn has read, so each is answered once.

use super::llm::AgentSettings;
use crate::server::conversations::AiReplies;
use crate::server::db::{self, Db};
use crate::server::now_ms;
use liaison_protocol::{Message, MessageKind, Sender};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};

/// The conversations with a turn in flight here, each with the message waiting for the next
/// turn; and, where instances share the database (PostgreSQL), this instance's name on the
/// leases that keep the others from answering the same conversation at the same time.
#[derive(Clone)]
pub struct Turns {
    waiting: Arc<Mutex<HashMap<i64, Option<Message>>>>,
    holder: Arc<str>,
}

impl Default for Turns {
    fn default() -> Self {
        Turns {
            waiting: Arc::default(),
            holder: hex::encode(rand::random::<[u8; 12]>()).into(),
        }
    }
}

/// How long a lease lasts if its instance dies mid-turn (a turn takes seconds).
const LEASE_MS: i64 = 5 * 60 * 1000;

/// How far back a start looks for answers a crash cut off.
const CUT_OFF_SINCE_MS: i64 = 60 * 60 * 1000;

/// What the AI needs to take a turn.
#[derive(Clone)]
pub struct Agent {
    pub db: Db,
    pub defaults: AgentSettings,
    pub replies: AiReplies,
}

impl Turns {
    /// Takes the AI's turn on `message` now, or leaves it for the turn in flight to pick up
    /// (here, or on another instance).
    pub fn take(&self, agent: Agent, visitor_id: i64, message: Message) {
        let conversation_id = message.conversation_id;
        match self.lock().entry(conversation_id) {
            Entry::Occupied(mut waiting) => {
                waiting.insert(Some(message));
                return;
            }
            Entry::Vacant(slot) => {
                slot.insert(None);
            }
        }
        let turns = self.clone();
        tokio::spawn(async move {
            let shared = agent.db.read.is_postgres();
            let mut next = Some(message);
            let mut first = true;
            while let Some(message) = next {
                // Where instances share the database: the newest message a turn has read.
                let mut read = 0;
                if shared {
                    match turns.lease(&agent.db, conversation_id).await {
                        Some(answered) => read = answered,
                        None => {
                            // Another instance is answering: it reads this message when its
                            // turn ends (it looks after letting go). One that came here
                            // meanwhile tries again, so none is left between the two.
                            next = turns.next_for(conversation_id);
                            continue;
                        }
                    }
                }
                let mut current = Some(message);
                while let Some(message) = current {
                    if message.id > read
                        && (first || turns.still_for_the_ai(&agent.db, conversation_id).await)
                    {
                        let turn = super::respond(
                            &agent.db,
                            &agent.defaults,
                            &agent.replies,
                            visitor_id,
                            &message,
                        );
                        if let Err(e) = turn.await {
                            tracing::error!(conversation = conversation_id, "AI reply failed: {e}");
                        }
                    }
                    first = false;
                    read = read.max(message.id);
                    current = turns.next_for(conversation_id);
                }
                next = None;
                if shared {
                    turns.let_go(&agent.db, conversation_id, read).await;
                    // What reached other instances while this one held the conversation.
                    if let Some(later) = turns.later(&agent.db, conversation_id, read).await {
                        turns.take(agent.clone(), visitor_id, later);
                    }
                }
            }
        });
    }

    /// Takes the conversation's lease for this instance: the newest message a turn has read
    /// in it; None if another instance holds it.
    async fn lease(&self, db: &Db, conversation_id: i64) -> Option<i64> {
        let now = crate::server::now_ms();
        let claimed = async {
            let mut tx = db.write().await?;
            let claimed = db::ai_turns::claim(
                tx.conn(),
                conversation_id,
                &self.holder,
                now,
                now + LEASE_MS,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(claimed)
        };
        claimed.await.unwrap_or_else(|e| {
            // Better two answers than none.
            tracing::warn!(conversation = conversation_id, "AI turn lease failed: {e}");
            Some(0)
        })
    }

    async fn let_go(&self, db: &Db, conversation_id: i64, read: i64) {
        let released = async {
            let mut tx = db.write().await?;
            db::ai_turns::release(tx.conn(), conversation_id, &self.holder, read).await?;
            tx.commit().await
        };
        if let Err(e) = released.await {
            tracing::warn!(
                conversation = conversation_id,
                "AI turn release failed: {e}"
            );
        }
    }

    /// The visitor's newest message after `read`, if any.
    async fn later(&self, db: &Db, conversation_id: i64, read: i64) -> Option<Message> {
        let mut conn = db.read.acquire().await.ok()?;
        db::messages::newest_from_visitor_after(conn.conn(), conversation_id, read)
            .await
            .ok()?
    }

    /// The message that waited for this turn, if any; otherwise the conversation has no turn in
    /// flight any more.
    fn next_for(&self, conversation_id: i64) -> Option<Message> {
        let mut waiting = self.lock();
        match waiting.get_mut(&conversation_id) {
            Some(slot @ Some(_)) => slot.take(),
            _ => {
                waiting.remove(&conversation_id);
                None
            }
        }
    }

    /// Whether the AI may still answer (the last turn may have handed over or resolved).
    async fn still_for_the_ai(&self, db: &Db, conversation_id: i64) -> bool {
        let Ok(mut conn) = db.read.acquire().await else {
            return false;
        };
        match db::conversations::find(conn.conn(), conversation_id).await {
            Ok(Some(c)) => liaison_protocol::status::ai_may_reply(c.status, c.assignee_id),
            _ => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Option<Message>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers what a crash left unanswered. At start: each open conversation nobody holds,
    /// active in the last hour, whose newest message the customer can see is their own text,
    /// gets its turn (a kill -9 between storing a message and answering it). Then, where
    /// instances share the database, at once and every minute: the conversations whose lease
    /// ran out because the instance holding it died mid-turn, however long ago.
    pub fn recover(&self, agent: Agent, shutdown: tokio_util::sync::CancellationToken) {
        let turns = self.clone();
        tokio::spawn(async move {
            if let Err(e) = turns.answer_cut_off(&agent).await {
                tracing::warn!("AI turns cut off by a crash: {e}");
            }
            if !agent.db.read.is_postgres() {
                return;
            }
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = every.tick() => {
                        if let Err(e) = turns.answer_abandoned(&agent).await {
                            tracing::warn!("AI turns abandoned by an instance: {e}");
                        }
                    }
                }
            }
        });
    }

    async fn answer_cut_off(&self, agent: &Agent) -> Result<(), sqlx::Error> {
        let mut conn = agent.db.read.acquire().await?;
        let open = db::conversations::open_for_the_ai_since(
            conn.conn(),
            now_ms() - CUT_OFF_SINCE_MS,
            1000,
        )
        .await?;
        for (conversation_id, visitor_id) in open {
            if let Some(m) = db::messages::newest_visible(conn.conn(), conversation_id).await?
                && m.sender == Sender::Customer
                && m.kind == MessageKind::Text
            {
                tracing::info!(
                    conversation = conversation_id,
                    "answering what a crash cut off"
                );
                self.take(agent.clone(), visitor_id, m);
            }
        }
        Ok(())
    }

    async fn answer_abandoned(&self, agent: &Agent) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let abandoned = {
            let mut conn = agent.db.read.acquire().await?;
            db::ai_turns::abandoned(conn.conn(), now).await?
        };
        for (conversation_id, answered) in abandoned {
            let mut conn = agent.db.read.acquire().await?;
            let waiting =
                db::messages::newest_from_visitor_after(conn.conn(), conversation_id, answered)
                    .await?;
            let conversation = db::conversations::find(conn.conn(), conversation_id).await?;
            drop(conn);
            match (waiting, conversation) {
                (Some(m), Some(c))
                    if liaison_protocol::status::ai_may_reply(c.status, c.assignee_id) =>
                {
                    self.take(agent.clone(), c.visitor_id, m);
                }
                _ => {
                    let mut tx = agent.db.write().await?;
                    db::ai_turns::settle(tx.conn(), conversation_id, now).await?;
                    tx.commit().await?;
                }
            }
        }
        Ok(())
    }

    /// Conversations with a turn in flight (for tests and the bench).
    pub fn in_flight(&self) -> usize {
        self.lock().len()
    }
}
