//! The in-process event bus. Events are published only after their transaction commits, in id
//! order (the writer lock is held until publication), so a subscriber never sees an id lower
//! than one it has already seen.

use liaison_protocol::Event;
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The outbox id; 0 for live-only events (AI deltas), which are never stored.
    pub id: i64,
    pub visitor_id: Option<i64>,
    pub event: Event,
}

/// Who a stream is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Operators: every event.
    Dashboard,
    /// One visitor: only the customer-visible events of their own conversations.
    Visitor(i64),
}

impl Scope {
    pub fn admits(self, stored: &StoredEvent) -> bool {
        match self {
            Scope::Dashboard => true,
            Scope::Visitor(v) => stored.visitor_id == Some(v) && stored.event.customer_visible(),
        }
    }
}

#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<StoredEvent>>,
}

impl Default for Bus {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Bus { sender }
    }
}

impl Bus {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.sender.subscribe()
    }

    pub fn publish(&self, event: StoredEvent) {
        // No subscriber is fine: the event is in the table for whoever connects later.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Sends a live-only event (an AI delta) to whoever is connected now.
    pub fn publish_live(&self, event: liaison_protocol::Event, visitor_id: i64) {
        debug_assert!(event.is_live_only());
        self.publish(StoredEvent {
            id: 0,
            visitor_id: Some(visitor_id),
            event,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::ConversationStatus;

    #[test]
    fn visitor_scope_sees_only_its_own_visible_events() {
        let status = StoredEvent {
            id: 1,
            visitor_id: Some(5),
            event: Event::StatusChanged {
                conversation_id: 9,
                status: ConversationStatus::Resolved,
            },
        };
        let lock = StoredEvent {
            id: 2,
            visitor_id: Some(5),
            event: Event::AssigneeChanged {
                conversation_id: 9,
                assignee_id: Some(1),
            },
        };
        assert!(Scope::Visitor(5).admits(&status));
        assert!(!Scope::Visitor(6).admits(&status));
        assert!(!Scope::Visitor(5).admits(&lock));
        assert!(Scope::Dashboard.admits(&lock));
    }
}
