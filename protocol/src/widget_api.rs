//! The widget API, version 1: the JSON the widget (and any other client a customer builds)
//! exchanges with the server under [`BASE_PATH`]. See `docs/widget-api.md`.

use crate::{ConversationStatus, Message};
use serde::{Deserialize, Serialize};

pub const BASE_PATH: &str = "/api/widget/v1";

/// What the widget knows about the visitor's browser. Every field is optional and free text,
/// shown to operators as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorMetadata {
    #[serde(default)]
    pub browser: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
}

impl VisitorMetadata {
    /// The longest each field may be, in characters: a user agent, an IANA zone, two URLs and
    /// a language tag, with room to spare.
    pub const BOUNDS: [(&'static str, usize); 5] = [
        ("browser", 512),
        ("timezone", 64),
        ("referrer", 2048),
        ("page", 2048),
        ("language", 35),
    ];

    fn fields_mut(&mut self) -> [&mut Option<String>; 5] {
        [
            &mut self.browser,
            &mut self.timezone,
            &mut self.referrer,
            &mut self.page,
            &mut self.language,
        ]
    }

    /// Refuses a field longer than its bound, naming it (the server stores nothing then).
    pub fn check(&self) -> Result<(), String> {
        let fields = [
            &self.browser,
            &self.timezone,
            &self.referrer,
            &self.page,
            &self.language,
        ];
        for ((name, max), value) in Self::BOUNDS.iter().zip(fields) {
            if value.as_ref().is_some_and(|v| v.chars().count() > *max) {
                return Err(format!(
                    "metadata.{name} is too long ({max} characters at most)."
                ));
            }
        }
        Ok(())
    }

    /// Cuts each field to its bound: what the widget does before sending (a very long page
    /// address must not stop a visitor from chatting).
    pub fn clipped(mut self) -> Self {
        for ((_, max), value) in Self::BOUNDS.iter().zip(self.fields_mut()) {
            if let Some(v) = value
                && let Some((cut, _)) = v.char_indices().nth(*max)
            {
                v.truncate(cut);
            }
        }
        self
    }
}

/// `POST /session`: resume the visitor behind `token`, or start a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRequest {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub metadata: VisitorMetadata,
    /// The site's signed-in user (`data-user-id`, `data-user-hash`): identity verification.
    #[serde(default)]
    pub user: Option<crate::widget_security::UserClaim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    /// Bearer token for every other call; the widget keeps it in localStorage.
    pub token: String,
    pub visitor_id: i64,
}

/// `GET /conversation`: the visitor's latest conversation and the stream cursor to resume from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationResponse {
    pub conversation: Option<ConversationView>,
    /// The last event id included in this view; open the stream after it.
    pub cursor: i64,
    /// Whether a person can answer now: an operator is available (their toggle) and it is
    /// within business hours (Settings → Business hours, when on). When not, the widget says
    /// the team is away and offers to leave a message instead of a live human.
    #[serde(default = "yes")]
    pub operators_online: bool,
    /// Whether visitors can book a meeting (Settings → Bookings): the widget shows
    /// "Book a meeting".
    #[serde(default)]
    pub booking: bool,
    /// The pre-chat form's fields, when the widget should show it (before the first message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prechat: Vec<crate::prechat::Asked>,
    /// Whether the visitor's email address is on file: when no one can answer, "Leave a
    /// message" asks for one first (`leave_message`).
    #[serde(default)]
    pub email_on_file: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: i64,
    pub status: ConversationStatus,
    pub messages: Vec<Message>,
    /// Whether the visitor already rated it (the rating prompt is not shown again).
    #[serde(default)]
    pub rated: bool,
}

/// One of the visitor's conversations in the widget's menu ("Past conversations").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastConversation {
    pub id: i64,
    pub status: ConversationStatus,
    /// The last message's text (shortened), for the list.
    pub last_message: String,
    pub last_activity_at: i64,
}

/// `GET /conversations?before=ID`: the visitor's conversations, newest first, a page at a time
/// (`next_before` asks for the next page; None when this is the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastConversations {
    pub conversations: Vec<PastConversation>,
    pub next_before: Option<i64>,
}

/// How many conversations a page of `GET /conversations` holds.
pub const PAST_PAGE: usize = 20;

/// `POST /messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// Chosen by the client, at most 64 characters; resending the same id returns the original
    /// message instead of a duplicate.
    pub client_msg_id: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageResponse {
    pub message: Message,
    pub status: ConversationStatus,
}

/// `POST /escalate` ("Talk to a human", or "Leave a message" with `leave_message::EscalateRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalateResponse {
    pub conversation_id: i64,
    pub status: ConversationStatus,
}

/// `POST /rating`: the visitor rates their latest conversation once it is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRequest {
    /// 1 to 5.
    pub stars: i64,
    /// From the categories Settings offer (`GET /rating` lists them).
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingResponse {
    pub conversation_id: i64,
}

/// `GET /rating`: the feedback categories a rating may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingOptions {
    pub categories: Vec<String>,
}

/// Every error answer: a message meant for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}

/// Longest accepted client message id.
pub const MAX_CLIENT_MSG_ID: usize = 64;

pub fn validate_client_msg_id(id: &str) -> Result<&str, &'static str> {
    if id.is_empty() || id.len() > MAX_CLIENT_MSG_ID {
        Err("client_msg_id must be 1 to 64 characters.")
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Err("client_msg_id may hold letters, digits, '-' and '_' only.")
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids() {
        assert!(validate_client_msg_id("c-1f2e_3").is_ok());
        assert!(validate_client_msg_id("").is_err());
        assert!(validate_client_msg_id("a b").is_err());
        assert!(validate_client_msg_id(&"a".repeat(65)).is_err());
    }

    #[test]
    fn missing_metadata_is_fine() {
        let r: SessionRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(r, SessionRequest::default());
    }
}

#[cfg(test)]
mod metadata_tests {
    use super::VisitorMetadata;

    #[test]
    fn bounds_are_checked_and_clipped() {
        let ok = VisitorMetadata {
            browser: Some("Mozilla/5.0".into()),
            page: Some(format!("https://shop.example/{}", "a".repeat(2000))),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        let long = VisitorMetadata {
            browser: Some("é".repeat(513)),
            ..Default::default()
        };
        assert_eq!(
            long.check().unwrap_err(),
            "metadata.browser is too long (512 characters at most)."
        );
        let clipped = long.clipped();
        assert_eq!(clipped.browser.as_ref().unwrap().chars().count(), 512);
        assert!(clipped.check().is_ok());
        let zone = VisitorMetadata {
            timezone: Some("x".repeat(65)),
            ..Default::default()
        };
        assert!(zone.check().unwrap_err().contains("timezone"));
    }
}
