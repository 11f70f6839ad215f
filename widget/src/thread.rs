//! What the widget shows, as plain data: which messages are on screen, which sends are still
//! pending, and which events to ignore. Kept apart from the DOM so it is tested on the host.

use liaison_protocol::{ConversationStatus, Event, Message};

/// What to do with an incoming event.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Show a new message.
    Show(Message),
    /// A pending send was stored: mark it delivered.
    Delivered {
        client_msg_id: String,
        message: Message,
    },
    Status(ConversationStatus),
    /// The conversation on screen is not the visitor's latest any more: clear the thread.
    Clear,
    Nothing,
}

#[derive(Debug, Default)]
pub struct Thread {
    pub conversation_id: Option<i64>,
    pub status: Option<ConversationStatus>,
    shown: Vec<i64>,
    pending: Vec<String>,
}

impl Thread {
    /// Starts over for a new conversation (after "Start a new conversation").
    pub fn reset(&mut self) {
        *self = Thread::default();
    }

    pub fn add_pending(&mut self, client_msg_id: &str) {
        self.pending.push(client_msg_id.to_string());
    }

    pub fn is_pending(&self, client_msg_id: &str) -> bool {
        self.pending.iter().any(|p| p == client_msg_id)
    }

    pub fn closed(&self) -> bool {
        self.status.is_some_and(|s| s.is_closed())
    }

    /// A message arrived (from the history, a send's answer, or the stream).
    pub fn message(&mut self, message: Message) -> Change {
        match self.conversation_id {
            // A message of a conversation we are not showing (an older one): ignore.
            Some(c) if c != message.conversation_id => return Change::Nothing,
            None => {
                self.conversation_id = Some(message.conversation_id);
                self.status.get_or_insert(ConversationStatus::Open);
            }
            _ => {}
        }
        if self.shown.contains(&message.id) {
            return Change::Nothing;
        }
        self.shown.push(message.id);
        if let Some(client_id) = message.client_msg_id.clone()
            && let Some(i) = self.pending.iter().position(|p| *p == client_id)
        {
            self.pending.remove(i);
            return Change::Delivered {
                client_msg_id: client_id,
                message,
            };
        }
        Change::Show(message)
    }

    /// The visitor's latest conversation as the server has it now, read again after a gap the
    /// stream could not replay (its events were deleted by retention): the changes that bring
    /// the screen up to date. Sends still in flight stay pending.
    pub fn catch_up(
        &mut self,
        conversation_id: i64,
        status: ConversationStatus,
        messages: Vec<Message>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        if self.conversation_id.is_some_and(|c| c != conversation_id) {
            // The visitor moved on to a newer conversation meanwhile (in another tab, say).
            let pending = std::mem::take(&mut self.pending);
            *self = Thread {
                pending,
                ..Thread::default()
            };
            changes.push(Change::Clear);
        }
        self.conversation_id = Some(conversation_id);
        for m in messages {
            match self.message(m) {
                Change::Nothing => {}
                change => changes.push(change),
            }
        }
        if self.status != Some(status) {
            self.status = Some(status);
            changes.push(Change::Status(status));
        }
        changes
    }

    pub fn event(&mut self, event: Event) -> Change {
        match event {
            Event::MessageCreated { message } => self.message(message),
            Event::StatusChanged {
                conversation_id,
                status,
            } if self.conversation_id == Some(conversation_id) => {
                if self.status == Some(status) {
                    return Change::Nothing;
                }
                self.status = Some(status);
                Change::Status(status)
            }
            _ => Change::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::Sender;

    fn msg(id: i64, conversation_id: i64, client: Option<&str>) -> Message {
        Message {
            id,
            conversation_id,
            sender: Sender::Customer,
            body: "hi".into(),
            kind: Default::default(),
            attachment: None,
            booking: None,
            internal: false,
            client_msg_id: client.map(str::to_string),
            citations: vec![],
            created_at: 0,
            delivery: None,
            delivery_error: None,
        }
    }

    #[test]
    fn catching_up_shows_only_what_was_missed() {
        let mut t = Thread {
            conversation_id: Some(5),
            status: Some(ConversationStatus::Open),
            ..Thread::default()
        };
        t.message(msg(1, 5, None));
        t.add_pending("c-3");
        let changes = t.catch_up(
            5,
            ConversationStatus::NeedsAgent,
            vec![msg(1, 5, None), msg(2, 5, None), msg(3, 5, Some("c-3"))],
        );
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0], Change::Show(msg(2, 5, None)));
        assert!(
            matches!(&changes[1], Change::Delivered { client_msg_id, .. } if client_msg_id == "c-3")
        );
        assert_eq!(changes[2], Change::Status(ConversationStatus::NeedsAgent));
        // Nothing new the second time.
        let again = t.catch_up(5, ConversationStatus::NeedsAgent, vec![msg(2, 5, None)]);
        assert!(again.is_empty());
    }

    #[test]
    fn catching_up_with_a_newer_conversation_clears_the_old_one() {
        let mut t = Thread {
            conversation_id: Some(5),
            status: Some(ConversationStatus::Resolved),
            ..Thread::default()
        };
        t.message(msg(1, 5, None));
        t.add_pending("c-9");
        let changes = t.catch_up(8, ConversationStatus::Open, vec![msg(7, 8, None)]);
        assert_eq!(changes[0], Change::Clear);
        assert_eq!(changes[1], Change::Show(msg(7, 8, None)));
        assert_eq!(changes[2], Change::Status(ConversationStatus::Open));
        assert_eq!(t.conversation_id, Some(8));
        assert!(t.is_pending("c-9"));
        // Messages of the old conversation are ignored from now on.
        assert_eq!(t.message(msg(2, 5, None)), Change::Nothing);
    }

    #[test]
    fn a_message_seen_twice_shows_once() {
        let mut t = Thread::default();
        assert!(matches!(t.message(msg(1, 5, None)), Change::Show(_)));
        assert_eq!(t.message(msg(1, 5, None)), Change::Nothing);
        assert_eq!(t.conversation_id, Some(5));
    }

    #[test]
    fn a_pending_send_is_delivered_not_duplicated() {
        let mut t = Thread::default();
        t.add_pending("c1");
        assert!(t.is_pending("c1"));
        assert!(matches!(
            t.message(msg(2, 5, Some("c1"))),
            Change::Delivered { .. }
        ));
        assert!(!t.is_pending("c1"));
        // The stream brings the same message again.
        assert_eq!(
            t.event(Event::MessageCreated {
                message: msg(2, 5, Some("c1"))
            }),
            Change::Nothing
        );
    }

    #[test]
    fn other_conversations_are_ignored() {
        let mut t = Thread::default();
        t.message(msg(1, 5, None));
        assert_eq!(t.message(msg(9, 4, None)), Change::Nothing);
        let resolved_elsewhere = Event::StatusChanged {
            conversation_id: 4,
            status: ConversationStatus::Resolved,
        };
        assert_eq!(t.event(resolved_elsewhere), Change::Nothing);
    }

    #[test]
    fn resolution_closes_and_reset_starts_over() {
        let mut t = Thread::default();
        t.message(msg(1, 5, None));
        let e = Event::StatusChanged {
            conversation_id: 5,
            status: ConversationStatus::Resolved,
        };
        assert_eq!(
            t.event(e.clone()),
            Change::Status(ConversationStatus::Resolved)
        );
        assert!(t.closed());
        assert_eq!(t.event(e), Change::Nothing);
        t.reset();
        assert!(!t.closed());
        assert!(matches!(t.message(msg(7, 6, None)), Change::Show(_)));
    }
}
