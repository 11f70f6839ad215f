//! One AI turn at a time per conversation. A message that arrives while the AI is still
//! answering waits; when the turn ends, the newest waiting message starts the next turn, with
//! the ones before it in its history. A visitor who sends three lines quickly gets one answer
//! that has read all three, not three racing answers (and three model calls).

use super::llm::AgentSettings;
use crate::server::conversations::AiReplies;
use crate::server::db::{self, Db};
use liaison_protocol::Message;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};

/// The conversations with a turn in flight, each with the message waiting for the next turn.
#[derive(Clone, Default)]
pub struct Turns {
    waiting: Arc<Mutex<HashMap<i64, Option<Message>>>>,
}

/// What the AI needs to take a turn.
#[derive(Clone)]
pub struct Agent {
    pub db: Db,
    pub defaults: AgentSettings,
    pub replies: AiReplies,
}

impl Turns {
    /// Takes the AI's turn on `message` now, or leaves it for the turn in flight to pick up.
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
            let mut next = Some(message);
            let mut first = true;
            while let Some(message) = next {
                if first || turns.still_for_the_ai(&agent.db, conversation_id).await {
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
                next = turns.next_for(conversation_id);
            }
        });
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

    /// Conversations with a turn in flight (for tests and the bench).
    pub fn in_flight(&self) -> usize {
        self.lock().len()
    }
}
