//! Events: every state change writes one, in the same transaction, with a global increasing id.
//! Streams (dashboard and widget SSE) send them with that id so a reconnecting client misses
//! nothing and sees nothing twice.

use crate::handoff::HandoffStep;
use crate::inbox::{ConversationSummary, InboxCounts, LiveVisitor};
use crate::{ConversationStatus, Message};
use serde::Serialize;

mod decode;

/// On the wire: one JSON object, `"type"` first, then the variant's fields. Reading it back is
/// hand-written (`decode`): the derived reader for a tagged enum buffers every event and doubles
/// the decoding code of every type inside one, a cost the dashboard's bundle pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A visitor started a conversation.
    ConversationCreated {
        conversation_id: i64,
    },
    MessageCreated {
        message: Message,
    },
    StatusChanged {
        conversation_id: i64,
        status: ConversationStatus,
    },
    /// An operator joined or left (the lock moved).
    AssigneeChanged {
        conversation_id: i64,
        assignee_id: Option<i64>,
    },
    /// A conversation's row changed (any of the events above, in the same transaction): what the
    /// list shows now, and the tab counts after the change. Operators only; the dashboard patches
    /// its list and badges from it without another request.
    ConversationUpdated {
        conversation: Box<ConversationSummary>,
        counts: InboxCounts,
    },
    /// A visitor arrived on the site or moved to another page. Live only, operators only.
    VisitorOnline {
        visitor: LiveVisitor,
    },
    /// A visitor left the site (no widget open for a minute). Live only, operators only.
    VisitorOffline {
        visitor_id: i64,
    },
    /// A knowledge-base document moved on: pending, processing, ready or failed. Operators only.
    DocumentChanged {
        document_id: i64,
        status: String,
    },
    /// A step of a handoff between operators (the conversation's row and an operator-only line
    /// in the thread change in the same transaction). Operators only; a `Requested` step is the
    /// target's alert, with Accept / Reject.
    Handoff {
        conversation_id: i64,
        step: HandoffStep,
        /// Who handed it over (the holder, or an Admin transferring).
        from_id: i64,
        /// Who it was handed (or offered) to.
        to_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Someone is typing in the conversation: the visitor (shown to operators), an operator
    /// (shown to the visitor as "Support Agent is typing…") or the AI while it looks up and
    /// writes an answer ("AI Assistant is typing…"). Live only.
    Typing {
        conversation_id: i64,
        sender: crate::Sender,
    },
    /// An operator has the conversation open (repeated while they do). Live only, operators
    /// only: the panel shows who else is looking.
    Viewing {
        conversation_id: i64,
        operator_id: i64,
        name: String,
    },
    /// The customer rated the conversation (after it was resolved). Operators only.
    Rated {
        conversation_id: i64,
        rating: crate::rating::Rating,
    },
    /// A ticket was made or changed: the row the Tickets page shows, and the counts per
    /// status after the change. Operators only.
    TicketChanged {
        ticket: Box<crate::ticket::Ticket>,
        counts: crate::ticket::TicketCounts,
    },
    /// An operator captured a lead (Capture Lead in the panel). Operators only.
    LeadCaptured {
        lead: Box<crate::lead::Lead>,
    },
    /// A piece of the AI's answer while the model is still writing it. Live only: never stored
    /// or replayed, sent as the SSE event type `ai_delta` without an id. The finished answer
    /// arrives as `message_created` and replaces the pieces.
    AiDelta {
        conversation_id: i64,
        text: String,
    },
    /// A reply sent on WhatsApp moved on (sent, delivered, read) or failed, with why.
    /// Operators only: the panel's ticks.
    MessageDelivery {
        conversation_id: i64,
        message_id: i64,
        delivery: crate::Delivery,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

impl Event {
    /// The conversation the event is about, if it is about one.
    pub fn conversation_id(&self) -> Option<i64> {
        Some(match self {
            Event::DocumentChanged { .. }
            | Event::TicketChanged { .. }
            | Event::LeadCaptured { .. }
            | Event::VisitorOnline { .. }
            | Event::VisitorOffline { .. } => return None,
            Event::ConversationCreated { conversation_id }
            | Event::StatusChanged {
                conversation_id, ..
            }
            | Event::AssigneeChanged {
                conversation_id, ..
            }
            | Event::AiDelta {
                conversation_id, ..
            }
            | Event::Handoff {
                conversation_id, ..
            }
            | Event::Rated {
                conversation_id, ..
            }
            | Event::Typing {
                conversation_id, ..
            }
            | Event::Viewing {
                conversation_id, ..
            }
            | Event::MessageDelivery {
                conversation_id, ..
            } => *conversation_id,
            Event::MessageCreated { message } => message.conversation_id,
            Event::ConversationUpdated { conversation, .. } => conversation.id,
        })
    }

    /// Whether the visitor's widget may see this event. Who holds the lock is operators'
    /// business; messages and status are the visitor's own.
    pub fn customer_visible(&self) -> bool {
        match self {
            Event::MessageCreated { message } => !message.internal,
            Event::Typing { sender, .. } => {
                matches!(sender, crate::Sender::Agent | crate::Sender::Ai)
            }
            Event::StatusChanged { .. } | Event::AiDelta { .. } => true,
            _ => false,
        }
    }

    /// Live-only events are sent to whoever is connected and never stored.
    pub fn is_live_only(&self) -> bool {
        matches!(
            self,
            Event::AiDelta { .. }
                | Event::VisitorOnline { .. }
                | Event::VisitorOffline { .. }
                | Event::Typing { .. }
                | Event::Viewing { .. }
        )
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Event::ConversationCreated { .. } => "conversation_created",
            Event::MessageCreated { .. } => "message_created",
            Event::StatusChanged { .. } => "status_changed",
            Event::AssigneeChanged { .. } => "assignee_changed",
            Event::AiDelta { .. } => "ai_delta",
            Event::DocumentChanged { .. } => "document_changed",
            Event::ConversationUpdated { .. } => "conversation_updated",
            Event::VisitorOnline { .. } => "visitor_online",
            Event::VisitorOffline { .. } => "visitor_offline",
            Event::Handoff { .. } => "handoff",
            Event::Rated { .. } => "rated",
            Event::Typing { .. } => "typing",
            Event::Viewing { .. } => "viewing",
            Event::TicketChanged { .. } => "ticket_changed",
            Event::LeadCaptured { .. } => "lead_captured",
            Event::MessageDelivery { .. } => "message_delivery",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sender;

    #[test]
    fn wire_format_is_tagged() {
        let e = Event::StatusChanged {
            conversation_id: 7,
            status: ConversationStatus::NeedsAgent,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"type":"status_changed","conversation_id":7,"status":"needs_agent"}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
        assert_eq!(e.kind(), "status_changed");
    }

    #[test]
    fn the_lock_is_not_customer_visible() {
        let m = Message {
            id: 1,
            conversation_id: 2,
            sender: Sender::Agent,
            kind: Default::default(),
            body: "hi".into(),
            attachment: None,
            booking: None,
            internal: false,
            client_msg_id: None,
            citations: vec![],
            created_at: 0,
            delivery: None,
            delivery_error: None,
        };
        assert!(Event::MessageCreated { message: m.clone() }.customer_visible());
        let note = Message {
            internal: true,
            ..m
        };
        assert!(!Event::MessageCreated { message: note }.customer_visible());
        assert!(
            !Event::AssigneeChanged {
                conversation_id: 2,
                assignee_id: Some(1)
            }
            .customer_visible()
        );
        assert!(!Event::ConversationCreated { conversation_id: 2 }.customer_visible());
    }
}
