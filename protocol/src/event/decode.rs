//! Reading an event: the `"type"` field first (the server always writes it first), then the
//! variant's own fields read straight from the rest of the object, never buffered.

use super::Event;
use crate::handoff::HandoffStep;
use crate::inbox::{ConversationSummary, InboxCounts, LiveVisitor};
use crate::lead::Lead;
use crate::rating::Rating;
use crate::ticket::{Ticket, TicketCounts};
use crate::{ConversationStatus, Message, Sender};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// One list for the reader: each kind, its variant and fields. A struct per variant reads the
/// fields (unknown ones are skipped, a missing `Option` is `None`), then becomes the variant.
macro_rules! kinds {
    ($($kind:literal => $variant:ident { $($field:ident: $ty:ty),* $(,)? }),* $(,)?) => {
        const KINDS: &[&str] = &[$($kind),*];

        #[allow(non_snake_case)]
        mod fields {
            use super::*;
            $(
                #[derive(Deserialize)]
                pub(super) struct $variant { $(pub(super) $field: $ty),* }
            )*
        }

        fn read<'de, A: MapAccess<'de>>(kind: &str, rest: A) -> Result<Event, A::Error> {
            let rest = MapAccessDeserializer::new(rest);
            match kind {
                $($kind => {
                    let fields::$variant { $($field),* } = fields::$variant::deserialize(rest)?;
                    Ok(Event::$variant { $($field),* })
                })*
                other => Err(de::Error::unknown_variant(other, KINDS)),
            }
        }
    };
}

kinds! {
    "conversation_created" => ConversationCreated { conversation_id: i64 },
    "message_created" => MessageCreated { message: Message },
    "status_changed" => StatusChanged { conversation_id: i64, status: ConversationStatus },
    "assignee_changed" => AssigneeChanged { conversation_id: i64, assignee_id: Option<i64> },
    "conversation_updated" => ConversationUpdated {
        conversation: Box<ConversationSummary>,
        counts: InboxCounts,
    },
    "visitor_online" => VisitorOnline { visitor: LiveVisitor },
    "visitor_offline" => VisitorOffline { visitor_id: i64 },
    "document_changed" => DocumentChanged { document_id: i64, status: String },
    "handoff" => Handoff {
        conversation_id: i64,
        step: HandoffStep,
        from_id: i64,
        to_id: i64,
        reason: Option<String>,
    },
    "typing" => Typing { conversation_id: i64, sender: Sender },
    "viewing" => Viewing { conversation_id: i64, operator_id: i64, name: String },
    "rated" => Rated { conversation_id: i64, rating: Rating },
    "ticket_changed" => TicketChanged { ticket: Box<Ticket>, counts: TicketCounts },
    "lead_captured" => LeadCaptured { lead: Box<Lead> },
    "ai_delta" => AiDelta { conversation_id: i64, text: String },
    "message_delivery" => MessageDelivery {
        conversation_id: i64,
        message_id: i64,
        delivery: crate::Delivery,
        error: Option<String>,
    },
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event: an object whose first field is \"type\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == "type" => {}
            _ => return Err(de::Error::custom("an event's first field must be \"type\"")),
        }
        let kind: String = map.next_value()?;
        read(&kind, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::{Channel, Delegation};

    fn every_kind() -> Vec<Event> {
        let message = Message {
            id: 1,
            conversation_id: 2,
            sender: Sender::Customer,
            kind: Default::default(),
            body: "Where is my \"order\"?".into(),
            attachment: None,
            booking: None,
            internal: false,
            client_msg_id: Some("c-1".into()),
            citations: vec![],
            created_at: 5,
            delivery: None,
            delivery_error: None,
        };
        let summary = ConversationSummary {
            id: 2,
            visitor_id: 3,
            visitor: "Ana".into(),
            visitor_conversations: 1,
            channel: Channel::Widget,
            status: ConversationStatus::Delegated,
            message_count: 4,
            last_message: Some("hi".into()),
            assignee_id: Some(1),
            assignee_name: Some("Ben".into()),
            rating: None,
            booked: false,
            created_at: 1,
            last_activity_at: 9,
            resolved_at: None,
            delegation: Some(Delegation {
                to_id: 5,
                to_name: "Cy".into(),
                reason: None,
            }),
        };
        let visitor = LiveVisitor {
            visitor_id: 3,
            visitor: "Ana".into(),
            page: Some("/pricing".into()),
            browser: None,
            since: 8,
        };
        vec![
            Event::ConversationCreated { conversation_id: 2 },
            Event::MessageCreated { message },
            Event::StatusChanged {
                conversation_id: 2,
                status: ConversationStatus::Resolved,
            },
            Event::AssigneeChanged {
                conversation_id: 2,
                assignee_id: None,
            },
            Event::ConversationUpdated {
                conversation: Box::new(summary),
                counts: InboxCounts::default(),
            },
            Event::VisitorOnline { visitor },
            Event::VisitorOffline { visitor_id: 3 },
            Event::DocumentChanged {
                document_id: 4,
                status: "ready".into(),
            },
            Event::Handoff {
                conversation_id: 2,
                step: HandoffStep::Requested,
                from_id: 1,
                to_id: 5,
                reason: Some("billing".into()),
            },
            Event::Handoff {
                conversation_id: 2,
                step: HandoffStep::Transferred,
                from_id: 1,
                to_id: 5,
                reason: None,
            },
            Event::Typing {
                conversation_id: 2,
                sender: Sender::Agent,
            },
            Event::Viewing {
                conversation_id: 2,
                operator_id: 1,
                name: "Ben".into(),
            },
            Event::Rated {
                conversation_id: 2,
                rating: Rating {
                    stars: 4,
                    categories: vec!["Speed".into()],
                    comment: None,
                },
            },
            Event::TicketChanged {
                ticket: Box::new(crate::ticket::Ticket {
                    id: 3,
                    subject: "Refund".into(),
                    description: "Order 12".into(),
                    priority: crate::ticket::Priority::High,
                    status: crate::ticket::TicketStatus::Pending,
                    assignee_id: None,
                    assignee_name: None,
                    conversation_id: Some(2),
                    created_by: "Ben".into(),
                    created_at: 1,
                    updated_at: 2,
                }),
                counts: TicketCounts {
                    open: 1,
                    pending: 2,
                    solved: 0,
                },
            },
            Event::LeadCaptured {
                lead: Box::new(Lead {
                    id: 9,
                    email: "ana@example.com".into(),
                    name: Some("Ana".into()),
                    phone: None,
                    company: None,
                    message: None,
                    conversation_id: Some(2),
                    captured_by: Some("Ben".into()),
                    created_at: 3,
                }),
            },
            Event::AiDelta {
                conversation_id: 2,
                text: "Hel".into(),
            },
            Event::MessageDelivery {
                conversation_id: 2,
                message_id: 1,
                delivery: crate::Delivery::Failed,
                error: Some("Outside the 24-hour window".into()),
            },
        ]
    }

    #[test]
    fn every_kind_reads_back_as_written() {
        let all = every_kind();
        let mut kinds: Vec<&str> = all.iter().map(Event::kind).collect();
        kinds.dedup();
        assert_eq!(kinds, KINDS, "every kind is tried, in the reader's order");
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e, "{json}");
        }
    }

    #[test]
    fn unknown_fields_are_skipped_and_mistakes_are_named() {
        let e: Event =
            serde_json::from_str(r#"{"type":"visitor_offline","visitor_id":3,"later":[1,{}]}"#)
                .unwrap();
        assert_eq!(e, Event::VisitorOffline { visitor_id: 3 });
        let err = serde_json::from_str::<Event>(r#"{"type":"party","x":1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant `party`"), "{err}");
        let err = serde_json::from_str::<Event>(r#"{"visitor_id":3,"type":"visitor_offline"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("first field"), "{err}");
        let err = serde_json::from_str::<Event>(r#"{"type":"visitor_offline"}"#).unwrap_err();
        assert!(
            err.to_string().contains("missing field `visitor_id`"),
            "{err}"
        );
    }
}
