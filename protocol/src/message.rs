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

    /// The label the visitor sees above a message.
    pub fn widget_label(self) -> &'static str {
        match self {
            Sender::Customer => "You",
            Sender::Ai => "AI Assistant",
            Sender::Agent => "Support Agent",
            Sender::System => "",
        }
    }
}

/// Where an answer came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub sender: Sender,
    pub body: String,
    /// The id the sending client chose; a retried send carries the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
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
        assert_eq!(Sender::Agent.widget_label(), "Support Agent");
    }
}
