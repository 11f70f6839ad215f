//! The in-process event bus. Events are published only after their transaction commits, in id
//! order (the writer lock is held until publication), so a subscriber never sees an id lower
//! than one it has already seen.

use liaison_protocol::Event;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

/// Routes each event to the streams that admit it: every operator's stream gets every event,
/// and a visitor's stream gets only what is sent to that visitor's own channel, so one message
/// wakes its visitor and the operators, not every connected widget.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    dashboard: broadcast::Sender<Arc<StoredEvent>>,
    /// One channel per visitor with an open stream; removed when their last stream ends.
    visitors: Mutex<HashMap<i64, broadcast::Sender<Arc<StoredEvent>>>>,
    /// Where live-only events and sign-outs also go when other instances share the database
    /// (the PostgreSQL relay, `db/relay.rs`): they are stored nowhere, so they travel by
    /// themselves.
    elsewhere: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Outgoing>>,
    /// Sessions that signed out, on this instance or another (keys: [`session_key`]).
    ended_sessions: broadcast::Sender<String>,
}

/// What goes to the other instances sharing the database.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A live-only event for a visitor's conversation.
    Live(Event, i64),
    /// A session signed out: its streams end everywhere.
    SessionEnded(String),
}

/// A session as sign-outs name it between instances: a digest, not the cookie's secret.
pub fn session_key(id: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(id.as_bytes()))
}

/// Events a visitor's channel holds for a slow stream before it lags (and then replays from the
/// table): a visitor's conversation moves slowly, so a few are plenty.
const VISITOR_BUFFER: usize = 16;
const DASHBOARD_BUFFER: usize = 1024;

impl Default for Bus {
    fn default() -> Self {
        let (dashboard, _) = broadcast::channel(DASHBOARD_BUFFER);
        Bus {
            inner: Arc::new(Inner {
                dashboard,
                visitors: Mutex::new(HashMap::new()),
                elsewhere: std::sync::OnceLock::new(),
                ended_sessions: broadcast::channel(64).0,
            }),
        }
    }
}

/// A stream's place on the bus. Dropping it leaves; a visitor's channel goes with its last
/// subscriber.
pub struct Subscription {
    rx: broadcast::Receiver<Arc<StoredEvent>>,
    visitor: Option<(i64, Bus)>,
}

impl Subscription {
    pub async fn recv(&mut self) -> Result<Arc<StoredEvent>, broadcast::error::RecvError> {
        self.rx.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some((visitor, bus)) = &self.visitor {
            let mut visitors = bus.inner.visitors.lock().expect("bus lock");
            // This subscription's receiver is still alive here: 1 means it was the last.
            if visitors
                .get(visitor)
                .is_some_and(|tx| tx.receiver_count() <= 1)
            {
                visitors.remove(visitor);
            }
        }
    }
}

impl Bus {
    pub fn subscribe(&self, scope: Scope) -> Subscription {
        match scope {
            Scope::Dashboard => Subscription {
                rx: self.inner.dashboard.subscribe(),
                visitor: None,
            },
            Scope::Visitor(v) => {
                let mut visitors = self.inner.visitors.lock().expect("bus lock");
                let rx = visitors
                    .entry(v)
                    .or_insert_with(|| broadcast::channel(VISITOR_BUFFER).0)
                    .subscribe();
                Subscription {
                    rx,
                    visitor: Some((v, self.clone())),
                }
            }
        }
    }

    /// How many visitors have a channel now (streams open): for tests of the clean-up.
    pub fn visitor_channels(&self) -> usize {
        self.inner.visitors.lock().expect("bus lock").len()
    }

    /// Sends this bus's live-only events and sign-outs to `to` as well (once; later calls are
    /// ignored).
    pub fn forward(&self, to: tokio::sync::mpsc::UnboundedSender<Outgoing>) {
        let _ = self.inner.elsewhere.set(to);
    }

    /// The session `key` signed out: its streams end here and on the other instances.
    pub fn end_session(&self, key: String) {
        if let Some(elsewhere) = self.inner.elsewhere.get() {
            let _ = elsewhere.send(Outgoing::SessionEnded(key.clone()));
        }
        self.end_session_here(key);
    }

    /// The session `key` signed out (here, or on the instance that said so).
    pub fn end_session_here(&self, key: String) {
        let _ = self.inner.ended_sessions.send(key);
    }

    /// Sign-outs from now on.
    pub fn ended_sessions(&self) -> broadcast::Receiver<String> {
        self.inner.ended_sessions.subscribe()
    }

    pub fn publish(&self, event: StoredEvent) {
        let event = Arc::new(event);
        if let Some(v) = event.visitor_id
            && event.event.customer_visible()
        {
            let visitors = self.inner.visitors.lock().expect("bus lock");
            if let Some(tx) = visitors.get(&v) {
                let _ = tx.send(event.clone());
            }
        }
        // No subscriber is fine: the event is in the table for whoever connects later.
        let _ = self.inner.dashboard.send(event);
    }

    /// Sends a live-only event (an AI delta) to whoever is connected now.
    pub fn publish_live(&self, event: liaison_protocol::Event, visitor_id: i64) {
        debug_assert!(event.is_live_only());
        if let Some(elsewhere) = self.inner.elsewhere.get() {
            let _ = elsewhere.send(Outgoing::Live(event.clone(), visitor_id));
        }
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

    #[tokio::test]
    async fn events_reach_only_their_visitor_and_channels_go_with_their_streams() {
        let bus = Bus::default();
        let mut five = bus.subscribe(Scope::Visitor(5));
        let six = bus.subscribe(Scope::Visitor(6));
        let mut ops = bus.subscribe(Scope::Dashboard);
        assert_eq!(bus.visitor_channels(), 2);
        bus.publish(StoredEvent {
            id: 1,
            visitor_id: Some(5),
            event: Event::StatusChanged {
                conversation_id: 9,
                status: ConversationStatus::Resolved,
            },
        });
        assert_eq!(five.recv().await.unwrap().id, 1);
        assert_eq!(ops.recv().await.unwrap().id, 1);
        assert!(six.rx.is_empty());
        drop(six);
        assert_eq!(bus.visitor_channels(), 1);
        let again = bus.subscribe(Scope::Visitor(5));
        drop(five);
        assert_eq!(bus.visitor_channels(), 1, "5 still has a stream");
        drop(again);
        assert_eq!(bus.visitor_channels(), 0);
    }
}
