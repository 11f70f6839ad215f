//! Messages in a conversation, as every client sees them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// The visitor.
    Customer,
    /// The AI agent.
    Ai,
    /// A human operator; the widget labels these "Support Agent".
    Agent,
    /// Notices such as "A support agent joined".
    System,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Customer => "customer",
            Sender::Ai => "ai",
            Sender::Agent => "agent",
            Sender::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Sender> {
        [Sender::Customer, Sender::Ai, Sender::Agent, Sender::System]
            .into_iter()
            .find(|sender| sender.as_str() == s)
    }
}

/// Where an answer came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What a message holds besides its text (the dashboard guide's rich content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    #[default]
    Text,
    /// A picture: a thumbnail in the thread, the original in the viewer.
    Image,
    /// A recording: an inline player.
    Voice,
    /// Any other accepted file (PDF, office document): a download link.
    File,
    /// Meeting slots offered or booked: a card with the slots in a grid.
    Booking,
}

impl MessageKind {
    pub const ALL: [MessageKind; 5] = [
        MessageKind::Text,
        MessageKind::Image,
        MessageKind::Voice,
        MessageKind::File,
        MessageKind::Booking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::Voice => "voice",
            MessageKind::File => "file",
            MessageKind::Booking => "booking",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_text(&self) -> bool {
        *self == MessageKind::Text
    }
}

/// A file sent with a message. Served at `/attachments/{id}` to operators and to the visitor
/// whose conversation it belongs to (widget: `/api/widget/v1/attachments/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    /// The name it was sent with, for display and downloads only (never a path).
    pub name: String,
    /// Sniffed from the bytes.
    pub mime: String,
    pub size: i64,
    /// Whether a thumbnail exists (images).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub thumbnail: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub sender: Sender,
    #[serde(default, skip_serializing_if = "MessageKind::is_text")]
    pub kind: MessageKind,
    /// The text; for an attachment, an optional caption (may be empty).
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
    /// Kind `booking`: the slots offered, or the one booked (boxed: most messages have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<Box<crate::booking::BookingCard>>,
    /// For operators only (handoff lines): never sent to the visitor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// The id the sending client chose; a retried send carries the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// A reply sent on WhatsApp: how far it has got (operators see ticks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Why WhatsApp did not deliver it (`delivery` failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
}

/// How far a reply sent through a channel (WhatsApp) has got, as the channel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Written, waiting to be handed to the channel (or retried).
    Queued,
    Sent,
    Delivered,
    Read,
    /// Refused by the channel, or not delivered: `delivery_error` says why.
    Failed,
}

impl Delivery {
    pub const ALL: [Delivery; 5] = [
        Delivery::Queued,
        Delivery::Sent,
        Delivery::Delivered,
        Delivery::Read,
        Delivery::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
            Delivery::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Where a message stands once the channel reports `reported`. Reports can arrive out of
    /// order (a late "delivered" after "read"), so a message only moves forward; a failure
    /// ends it, whatever was reported before or comes after.
    pub fn after(self, reported: Delivery) -> Delivery {
        fn rank(d: Delivery) -> u8 {
            match d {
                Delivery::Queued => 0,
                Delivery::Sent => 1,
                Delivery::Delivered => 2,
                Delivery::Read => 3,
                Delivery::Failed => 4,
            }
        }
        if rank(reported) > rank(self) {
            reported
        } else {
            self
        }
    }

    /// The ticks beside the message, as messaging apps show them.
    pub fn ticks(self) -> &'static str {
        match self {
            Delivery::Queued => "🕓",
            Delivery::Sent => "✓",
            Delivery::Delivered | Delivery::Read => "✓✓",
            Delivery::Failed => "⚠",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Queued => "Sending",
            Delivery::Sent => "Sent",
            Delivery::Delivered => "Delivered",
            Delivery::Read => "Read",
            Delivery::Failed => "Not delivered",
        }
    }
}

/// Longest message body accepted, in characters.
pub const MAX_BODY_CHARS: usize = 4000;

/// Checks a message body a person typed: trimmed, not empty, not too long.
pub fn validate_body(body: &str) -> Result<&str, &'static str> {
    let body = body.trim();
    if body.is_empty() {
        Err("The message is empty.")
    } else if body.chars().count() > MAX_BODY_CHARS {
        Err("The message is too long (4000 characters at most).")
    } else {
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(validate_body("  hi \n"), Ok("hi"));
        assert!(validate_body("   ").is_err());
        assert!(validate_body(&"x".repeat(MAX_BODY_CHARS + 1)).is_err());
        assert!(validate_body(&"é".repeat(MAX_BODY_CHARS)).is_ok());
    }

    #[test]
    fn senders_round_trip() {
        for s in [Sender::Customer, Sender::Ai, Sender::Agent, Sender::System] {
            assert_eq!(Sender::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_delivery_only_moves_forward_and_a_failure_ends_it() {
        use Delivery::*;
        assert_eq!(Queued.after(Sent), Sent);
        assert_eq!(Sent.after(Read), Read, "read can come without delivered");
        assert_eq!(
            Read.after(Delivered),
            Read,
            "a late delivered does not undo read"
        );
        assert_eq!(Delivered.after(Sent), Delivered);
        assert_eq!(Sent.after(Failed), Failed);
        assert_eq!(Failed.after(Read), Failed);
        assert_eq!(Queued.after(Queued), Queued);
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
    }
}
