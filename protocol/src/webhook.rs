//! Outgoing webhooks (Connectors): which events a customer's endpoint receives, the form that
//! registers one, its deliveries, and the retry schedule. The server signs every delivery with
//! the webhook's secret: header `X-Liaison-Signature: sha256=<hex HMAC-SHA256(secret,
//! "<X-Liaison-Timestamp>.<body>")>`.

use serde::{Deserialize, Serialize};

/// What an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    ConversationCreated,
    NeedsAgent,
    Resolved,
    LeadCaptured,
    Rating,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 5] = [
        WebhookEvent::ConversationCreated,
        WebhookEvent::NeedsAgent,
        WebhookEvent::Resolved,
        WebhookEvent::LeadCaptured,
        WebhookEvent::Rating,
    ];

    /// The name in the payload's `event` field and the `X-Liaison-Event` header.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ConversationCreated => "conversation.created",
            WebhookEvent::NeedsAgent => "conversation.needs_agent",
            WebhookEvent::Resolved => "conversation.resolved",
            WebhookEvent::LeadCaptured => "lead.captured",
            WebhookEvent::Rating => "rating.created",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookEvent> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::ConversationCreated => "Conversation created",
            WebhookEvent::NeedsAgent => "Needs agent",
            WebhookEvent::Resolved => "Resolved",
            WebhookEvent::LeadCaptured => "Lead captured",
            WebhookEvent::Rating => "Rating",
        }
    }
}

/// The event name of a "Send test" delivery.
pub const TEST_EVENT: &str = "ping";

/// The longest endpoint address.
pub const MAX_URL: usize = 2_000;

/// What the Connectors form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub url: String,
    /// Event names (`WebhookEvent::as_str`).
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub active: bool,
}

/// A form that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookFields {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
}

impl WebhookForm {
    /// Checks the form: an http(s) address with a host, at least one known event. The message
    /// says what to fix.
    pub fn check(&self) -> Result<WebhookFields, String> {
        let url = self.url.trim();
        if url.is_empty() {
            return Err("Enter the address that receives the events.".into());
        }
        if url.len() > MAX_URL {
            return Err(format!("The address is longer than {MAX_URL} characters."));
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or("The address must start with https:// (or http://).")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        if host.is_empty() || host.starts_with(':') || url.chars().any(char::is_whitespace) {
            return Err("The address has no host name (e.g. https://example.com/hooks).".into());
        }
        let mut events = Vec::new();
        for name in &self.events {
            let e = WebhookEvent::parse(name.trim())
                .ok_or_else(|| format!("Unknown event \"{}\".", name.trim()))?;
            if !events.contains(&e) {
                events.push(e);
            }
        }
        if events.is_empty() {
            return Err("Choose at least one event to send.".into());
        }
        events.sort_by_key(|e| WebhookEvent::ALL.iter().position(|a| a == e));
        Ok(WebhookFields {
            url: url.to_string(),
            events,
            active: self.active,
        })
    }
}

/// An endpoint as the Connectors page lists it. The secret is shown once, when it is made; the
/// list only has its last characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    pub secret_hint: String,
    pub created_at: i64,
    /// Deliveries that have not succeeded yet and failed ones, for the list's badge.
    pub pending: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    Delivered,
    /// Every attempt failed.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Delivered => "Delivered",
            DeliveryStatus::Failed => "Failed",
        }
    }
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The endpoint's last HTTP status, if it answered.
    pub response_code: Option<i64>,
    /// Why the last attempt failed (a status, a timeout, a refused connection).
    pub error: Option<String>,
    pub created_at: i64,
    /// When it succeeded or was given up; for a pending one, when it is tried next.
    pub next_attempt_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long after failed attempt number `attempt` (1 = the first) the next one is made: `base`
/// times 4 to the power attempt − 1, at most six hours. With the default 10 s: 10 s, 40 s,
/// 2 min 40 s, 10 min 40 s, 42 min 40 s, then every 6 hours, about 13 hours in all.
pub fn retry_after_ms(attempt: i64, base_ms: i64) -> i64 {
    const CAP: i64 = 6 * 3_600_000;
    let exponent = attempt.clamp(1, 20) - 1;
    base_ms
        .max(1)
        .saturating_mul(4i64.saturating_pow(exponent as u32))
        .min(CAP)
}

/// Whether an answer with this HTTP status counts as received.
pub fn delivered(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(url: &str, events: &[&str]) -> WebhookForm {
        WebhookForm {
            url: url.into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            active: true,
        }
    }

    #[test]
    fn a_form_needs_an_http_address_and_known_events() {
        let ok = form(
            " https://hooks.example.com/liaison?x=1 ",
            &["rating.created", "conversation.created", "rating.created"],
        )
        .check()
        .unwrap();
        assert_eq!(ok.url, "https://hooks.example.com/liaison?x=1");
        assert_eq!(
            ok.events,
            vec![WebhookEvent::ConversationCreated, WebhookEvent::Rating]
        );
        for (url, events, says) in [
            ("", vec!["lead.captured"], "Enter the address"),
            ("ftp://example.com", vec!["lead.captured"], "https://"),
            ("https://", vec!["lead.captured"], "no host"),
            ("https://:80/x", vec!["lead.captured"], "no host"),
            ("https://exa mple.com", vec!["lead.captured"], "no host"),
            ("https://example.com", vec![], "at least one"),
            ("https://example.com", vec!["everything"], "Unknown event"),
        ] {
            let err = form(url, &events).check().unwrap_err();
            assert!(err.contains(says), "{url} {events:?}: {err}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL));
        assert!(form(&long, &["lead.captured"]).check().is_err());
    }

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(retry_after_ms(1, 10_000), 10_000);
        assert_eq!(retry_after_ms(2, 10_000), 40_000);
        assert_eq!(retry_after_ms(3, 10_000), 160_000);
        assert_eq!(retry_after_ms(30, 10_000), 6 * 3_600_000);
        assert!(
            (1..MAX_ATTEMPTS).all(|a| retry_after_ms(a, 10_000) <= retry_after_ms(a + 1, 10_000))
        );
        assert!(delivered(204) && !delivered(301) && !delivered(500));
    }

    #[test]
    fn names_round_trip() {
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(
            DeliveryStatus::parse("failed"),
            Some(DeliveryStatus::Failed)
        );
    }
}
