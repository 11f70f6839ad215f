//! What Meta's WhatsApp Cloud API sends to `/webhooks/whatsapp`: the verification handshake,
//! and notifications whose `messages` become inbound messages. Pure: the server checks the
//! signature on the raw body first, then reads it with [`inbound`].

use serde::{Deserialize, Serialize};

/// The answer to Meta's verification handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&
/// hub.challenge=…`): the challenge, echoed, when the mode is `subscribe` and the token is the
/// one saved in Connectors → WhatsApp; None (refused) otherwise, and always when none is saved.
pub fn handshake<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    saved_token: &str,
) -> Option<&'a str> {
    let token = token?;
    let same = !saved_token.is_empty()
        && token.len() == saved_token.len()
        // Constant time: every byte is compared, whatever the first difference.
        && token
            .bytes()
            .zip(saved_token.bytes())
            .fold(0u8, |d, (a, b)| d | (a ^ b))
            == 0;
    (mode == Some("subscribe") && same)
        .then_some(challenge?)
        .filter(|c| !c.is_empty() && c.len() <= 256)
}

/// A notification as Meta posts it (the fields Liaison reads; the rest is ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Notification {
    pub object: String,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: ChangeValue,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeValue {
    /// Which of the business's numbers the change is for.
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<RawMessage>,
    #[serde(default)]
    pub statuses: Vec<RawStatus>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub phone_number_id: String,
}

impl Notification {
    /// Only the changes for the connected number: a Meta app subscribed for several numbers
    /// posts every number's messages to the same webhook. A change that does not say which
    /// number it is for is kept.
    pub fn for_number(mut self, phone_number_id: &str) -> Notification {
        for entry in &mut self.entry {
            entry.changes.retain(|c| {
                c.value
                    .metadata
                    .as_ref()
                    .is_none_or(|m| m.phone_number_id == phone_number_id)
            });
        }
        self
    }
}

/// What became of a message the business sent (`sent`, `delivered`, `read`, `failed`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawStatus {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub errors: Vec<RawError>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawError {
    pub code: Option<i64>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub message: String,
    pub error_data: Option<RawErrorData>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawErrorData {
    #[serde(default)]
    pub details: String,
}

impl RawError {
    /// What an operator reads beside a failed message: Meta's details, else its message or
    /// title, with the code (`Message failed to send because more than 24 hours have passed
    /// since the customer last replied (131047)`).
    pub fn reason(&self) -> String {
        let text = [
            self.error_data.as_ref().map_or("", |d| d.details.as_str()),
            self.message.as_str(),
            self.title.as_str(),
        ]
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty())
        .unwrap_or("WhatsApp did not say why");
        let text: String = text.chars().take(300).collect();
        match self.code {
            Some(code) => format!("{text} ({code})"),
            None => text,
        }
    }
}

/// Meta's report on a message the business sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub wamid: String,
    pub delivery: crate::Delivery,
    /// Why it failed.
    pub error: Option<String>,
}

/// The statuses a notification carries, in order; kinds Liaison does not show (`deleted`,
/// `warning`) are skipped.
pub fn statuses(notification: &Notification) -> Vec<StatusReport> {
    use crate::Delivery;
    notification
        .entry
        .iter()
        .flat_map(|e| &e.changes)
        .filter(|c| c.field == "messages")
        .flat_map(|c| &c.value.statuses)
        .filter(|s| !s.id.is_empty() && s.id.len() <= 256)
        .filter_map(|s| {
            let delivery = match s.status.as_str() {
                "sent" => Delivery::Sent,
                "delivered" => Delivery::Delivered,
                "read" => Delivery::Read,
                "failed" => Delivery::Failed,
                _ => return None,
            };
            let error = (delivery == Delivery::Failed).then(|| {
                s.errors.first().map_or_else(
                    || "WhatsApp did not deliver it".to_string(),
                    RawError::reason,
                )
            });
            Some(StatusReport {
                wamid: s.id.clone(),
                delivery,
                error,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub wa_id: String,
    pub profile: Option<Profile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawMessage {
    pub id: String,
    pub from: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub text: Option<RawText>,
    pub image: Option<RawMedia>,
    pub audio: Option<RawMedia>,
    pub voice: Option<RawMedia>,
    pub document: Option<RawMedia>,
    pub location: Option<RawLocation>,
    pub button: Option<RawButton>,
    pub interactive: Option<RawInteractive>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawText {
    pub body: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawMedia {
    pub id: String,
    #[serde(default)]
    pub mime_type: String,
    pub caption: Option<String>,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawButton {
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawInteractive {
    pub button_reply: Option<RawReply>,
    pub list_reply: Option<RawReply>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawReply {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
}

/// One message a customer sent on WhatsApp, as Liaison keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    /// Meta's message id (`wamid.…`): a redelivery has the same one.
    pub wamid: String,
    /// The sender's number in E.164 (`+16315551234`).
    pub phone: String,
    /// Their WhatsApp profile name, if Meta sent it.
    pub name: Option<String>,
    /// When they sent it, in Unix milliseconds (0 if Meta did not say).
    pub sent_at: i64,
    pub content: Content,
}

/// What the message holds, by kind. Media are Meta's media ids, downloaded later through the
/// Graph API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        body: String,
    },
    Image {
        media_id: String,
        mime_type: String,
        caption: Option<String>,
    },
    Voice {
        media_id: String,
        mime_type: String,
    },
    Document {
        media_id: String,
        mime_type: String,
        filename: Option<String>,
        caption: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        label: Option<String>,
    },
    /// A tap on a reply button or a list entry: its title, and the id Liaison gave it (a
    /// rating: `rate:4`).
    Reply {
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A kind Liaison does not read (a sticker, a reaction…): kept, shown as such.
    Unsupported {
        kind: String,
    },
}

/// The sender's number in E.164 from Meta's `from` (digits, no plus); None if it is not one.
pub fn e164(from: &str) -> Option<String> {
    let digits = from.strip_prefix('+').unwrap_or(from);
    ((8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("+{digits}"))
}

/// The messages a notification carries, in order; statuses and other fields are not messages.
/// A message without a usable id or sender is skipped (Meta never sends one).
pub fn inbound(notification: &Notification) -> Vec<Inbound> {
    let mut found = Vec::new();
    for change in notification.entry.iter().flat_map(|e| &e.changes) {
        if change.field != "messages" {
            continue;
        }
        let value = &change.value;
        for m in &value.messages {
            let Some(phone) = e164(&m.from) else {
                continue;
            };
            if m.id.is_empty() || m.id.len() > 256 {
                continue;
            }
            let name = value
                .contacts
                .iter()
                .find(|c| c.wa_id == m.from)
                .and_then(|c| c.profile.as_ref())
                .map(|p| p.name.trim().to_string())
                .filter(|n| !n.is_empty());
            found.push(Inbound {
                wamid: m.id.clone(),
                phone,
                name,
                sent_at: m.timestamp.parse::<i64>().map_or(0, |s| s * 1000),
                content: content(m),
            });
        }
    }
    found
}

fn content(m: &RawMessage) -> Content {
    let media = |raw: &Option<RawMedia>| raw.clone().filter(|r| !r.id.is_empty());
    match m.kind.as_str() {
        "text" => match &m.text {
            Some(t) => Content::Text {
                body: t.body.clone(),
            },
            None => unsupported(m),
        },
        "image" => match media(&m.image) {
            Some(r) => Content::Image {
                media_id: r.id,
                mime_type: r.mime_type,
                caption: r.caption,
            },
            None => unsupported(m),
        },
        "audio" | "voice" => match media(&m.audio).or_else(|| media(&m.voice)) {
            Some(r) => Content::Voice {
                media_id: r.id,
                mime_type: r.mime_type,
            },
            None => unsupported(m),
        },
        "document" => match media(&m.document) {
            Some(r) => Content::Document {
                media_id: r.id,
                mime_type: r.mime_type,
                filename: r.filename,
                caption: r.caption,
            },
            None => unsupported(m),
        },
        "location" => match &m.location {
            Some(l) => Content::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                label: l.name.clone().or_else(|| l.address.clone()),
            },
            None => unsupported(m),
        },
        "button" => match &m.button {
            Some(b) => Content::Reply {
                title: b.text.clone(),
                id: None,
            },
            None => unsupported(m),
        },
        "interactive" => match m
            .interactive
            .as_ref()
            .and_then(|i| i.button_reply.as_ref().or(i.list_reply.as_ref()))
        {
            Some(r) => Content::Reply {
                title: r.title.clone(),
                id: Some(r.id.clone()).filter(|id| !id.is_empty()),
            },
            None => unsupported(m),
        },
        _ => unsupported(m),
    }
}

impl Content {
    /// The text of the message in the conversation: the words, a caption, or what a kind
    /// without words was (a location as a map link). Media come as a file beside it.
    pub fn text(&self) -> String {
        match self {
            Content::Text { body } => body.clone(),
            Content::Image { caption, .. } | Content::Document { caption, .. } => {
                caption.clone().unwrap_or_default()
            }
            Content::Voice { .. } => String::new(),
            Content::Location {
                latitude,
                longitude,
                label,
            } => {
                let map = format!("https://www.google.com/maps?q={latitude},{longitude}");
                match label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                    Some(l) => format!("📍 {l}\n{map}"),
                    None => format!("📍 {map}"),
                }
            }
            Content::Reply { title, .. } => title.clone(),
            Content::Unsupported { kind } => {
                format!(
                    "(A WhatsApp message of a kind Liaison cannot show: {kind}. See it in WhatsApp.)"
                )
            }
        }
    }

    /// The media to download: Meta's id, and a name for the file (its type is read from the
    /// bytes, not taken from Meta's word).
    pub fn media(&self) -> Option<(&str, String)> {
        match self {
            Content::Image { media_id, .. } => Some((media_id, "image".to_string())),
            Content::Voice { media_id, .. } => Some((media_id, "voice message".to_string())),
            Content::Document {
                media_id, filename, ..
            } => Some((
                media_id,
                filename.clone().unwrap_or_else(|| "document".to_string()),
            )),
            _ => None,
        }
    }
}

/// The rows of the rating list sent when a conversation is resolved (ids `rate:1` to
/// `rate:5`, best first), and the stars a tapped row gives.
pub const RATING_ROWS: [(&str, &str); 5] = [
    ("rate:5", "★★★★★ Excellent"),
    ("rate:4", "★★★★ Good"),
    ("rate:3", "★★★ Okay"),
    ("rate:2", "★★ Poor"),
    ("rate:1", "★ Very poor"),
];

/// The stars a tapped rating row gives (None: not a rating).
pub fn rating_of(reply_id: &str) -> Option<i64> {
    let stars: i64 = reply_id.strip_prefix("rate:")?.parse().ok()?;
    (1..=5).contains(&stars).then_some(stars)
}

/// How long after the customer's last message a business may still write freely (Meta's
/// customer service window); after it, only an approved template.
pub const WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// When the window closes after the customer's last message (0: they never wrote).
pub fn window_closes_at(last_inbound_at: Option<i64>) -> i64 {
    last_inbound_at.map_or(0, |at| at + WINDOW_MS)
}

/// How long the window stays open at `now` after the customer's last message (0: closed).
pub fn window_left(last_inbound_at: Option<i64>, now: i64) -> i64 {
    (window_closes_at(last_inbound_at) - now).max(0)
}

fn unsupported(m: &RawMessage) -> Content {
    Content::Unsupported {
        kind: m.kind.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_echoes_the_challenge_only_for_the_saved_token() {
        let ok = handshake(
            Some("subscribe"),
            Some("s3cret-token"),
            Some("1158201444"),
            "s3cret-token",
        );
        assert_eq!(ok, Some("1158201444"));
        assert_eq!(
            handshake(
                Some("subscribe"),
                Some("wrong-token!"),
                Some("1"),
                "s3cret-token"
            ),
            None
        );
        assert_eq!(
            handshake(Some("subscribe"), Some("s3cret"), Some("1"), "s3cret-token"),
            None
        );
        assert_eq!(
            handshake(
                Some("unsubscribe"),
                Some("s3cret-token"),
                Some("1"),
                "s3cret-token"
            ),
            None
        );
        assert_eq!(
            handshake(Some("subscribe"), None, Some("1"), "s3cret-token"),
            None
        );
        assert_eq!(
            handshake(Some("subscribe"), Some(""), Some("1"), ""),
            None,
            "nothing saved"
        );
        assert_eq!(
            handshake(
                Some("subscribe"),
                Some("s3cret-token"),
                None,
                "s3cret-token"
            ),
            None
        );
    }

    #[test]
    fn numbers_are_e164() {
        assert_eq!(e164("16315551234").as_deref(), Some("+16315551234"));
        assert_eq!(e164("+447700900123").as_deref(), Some("+447700900123"));
        assert_eq!(e164("1234"), None);
        assert_eq!(e164("1631555123a"), None);
    }

    /// A notification shaped as Meta documents it, with one message of each kind.
    const SAMPLE: &str = r#"{
      "object": "whatsapp_business_account",
      "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [
          {"from": "16505551234", "id": "wamid.A1", "timestamp": "1749416383", "type": "text", "text": {"body": "Does it come in another colour?"}},
          {"from": "16505551234", "id": "wamid.A2", "timestamp": "1749416384", "type": "image", "image": {"caption": "This one", "mime_type": "image/jpeg", "sha256": "x", "id": "1003383421387256"}},
          {"from": "16505551234", "id": "wamid.A3", "timestamp": "1749416385", "type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1003383421387257", "voice": true}},
          {"from": "16505551234", "id": "wamid.A4", "timestamp": "1749416386", "type": "document", "document": {"caption": "Invoice", "filename": "invoice.pdf", "mime_type": "application/pdf", "sha256": "x", "id": "1003383421387258"}},
          {"from": "16505551234", "id": "wamid.A5", "timestamp": "1749416387", "type": "location", "location": {"address": "1 Hacker Way, Menlo Park, CA 94025", "latitude": 37.483307, "longitude": -122.148981, "name": "Main office"}},
          {"from": "16505551234", "id": "wamid.A6", "timestamp": "1749416388", "type": "button", "button": {"payload": "yes", "text": "Yes please"}},
          {"from": "16505551234", "id": "wamid.A7", "timestamp": "1749416389", "type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Talk to someone"}}},
          {"from": "16505551234", "id": "wamid.A8", "timestamp": "1749416390", "type": "sticker", "sticker": {"id": "9", "mime_type": "image/webp"}}
        ]
      }}]}]
    }"#;

    #[test]
    fn each_kind_of_message_is_read() {
        let n: Notification = serde_json::from_str(SAMPLE).unwrap();
        let found = inbound(&n);
        assert_eq!(found.len(), 8);
        assert!(found.iter().all(|m| m.phone == "+16505551234"));
        assert_eq!(found[0].name.as_deref(), Some("Sheena Nelson"));
        assert_eq!(found[0].sent_at, 1_749_416_383_000);
        assert_eq!(
            found[0].content,
            Content::Text {
                body: "Does it come in another colour?".into()
            }
        );
        assert!(
            matches!(&found[1].content, Content::Image { media_id, caption: Some(c), .. } if media_id == "1003383421387256" && c == "This one")
        );
        assert!(
            matches!(&found[2].content, Content::Voice { mime_type, .. } if mime_type.starts_with("audio/ogg"))
        );
        assert!(
            matches!(&found[3].content, Content::Document { filename: Some(f), .. } if f == "invoice.pdf")
        );
        assert!(
            matches!(&found[4].content, Content::Location { label: Some(l), .. } if l == "Main office")
        );
        assert_eq!(
            found[5].content,
            Content::Reply {
                title: "Yes please".into(),
                id: None,
            }
        );
        assert_eq!(
            found[6].content,
            Content::Reply {
                title: "Talk to someone".into(),
                id: Some("b1".into()),
            }
        );
        assert_eq!(
            found[7].content,
            Content::Unsupported {
                kind: "sticker".into()
            }
        );
    }

    #[test]
    fn statuses_and_other_fields_are_not_messages() {
        let statuses = r#"{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "statuses": [{"id": "wamid.B1", "status": "delivered", "timestamp": "1749416400", "recipient_id": "16505551234"}]}}]}]}"#;
        let n: Notification = serde_json::from_str(statuses).unwrap();
        assert!(inbound(&n).is_empty());
        let other = r#"{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "account_update", "value": {}}]}]}"#;
        let n: Notification = serde_json::from_str(other).unwrap();
        assert!(inbound(&n).is_empty());
    }

    fn notification_with_statuses(statuses: serde_json::Value) -> Notification {
        serde_json::from_value(serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": {"statuses": statuses}}]}]
        }))
        .unwrap()
    }

    #[test]
    fn statuses_become_deliveries_and_a_failure_says_why() {
        use crate::Delivery;
        let n = notification_with_statuses(serde_json::json!([
            {"id": "wamid.A", "status": "delivered", "timestamp": "1", "recipient_id": "1650"},
            {"id": "wamid.B", "status": "failed", "errors": [{"code": 131047,
                "title": "Re-engagement message", "message": "Re-engagement message",
                "error_data": {"details": "More than 24 hours have passed since the recipient last replied."}}]},
            {"id": "wamid.C", "status": "deleted"},
            {"id": "", "status": "read"},
            {"id": "wamid.D", "status": "failed"}
        ]));
        let got = statuses(&n);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].delivery, Delivery::Delivered);
        assert_eq!(got[0].error, None);
        assert_eq!(got[1].delivery, Delivery::Failed);
        assert_eq!(
            got[1].error.as_deref(),
            Some("More than 24 hours have passed since the recipient last replied. (131047)")
        );
        assert_eq!(got[2].wamid, "wamid.D");
        assert!(
            got[2].error.is_some(),
            "a failure without errors still says something"
        );
        assert!(inbound(&n).is_empty(), "statuses are not messages");
    }

    #[test]
    fn each_kind_has_text_for_the_thread() {
        let loc = Content::Location {
            latitude: 48.85,
            longitude: 2.35,
            label: Some("Louvre".into()),
        };
        assert_eq!(
            loc.text(),
            "📍 Louvre\nhttps://www.google.com/maps?q=48.85,2.35"
        );
        assert!(loc.media().is_none());
        let doc = Content::Document {
            media_id: "m1".into(),
            mime_type: "application/pdf".into(),
            filename: None,
            caption: Some("the invoice".into()),
        };
        assert_eq!(doc.text(), "the invoice");
        assert_eq!(doc.media(), Some(("m1", "document".to_string())));
        let sticker = Content::Unsupported {
            kind: "sticker".into(),
        };
        assert!(sticker.text().contains("sticker"));
    }

    #[test]
    fn the_window_closes_24_hours_after_the_customers_last_message() {
        assert_eq!(window_left(None, 1_000), 0, "never wrote: closed");
        assert_eq!(window_left(Some(0), WINDOW_MS - 1), 1);
        assert_eq!(window_left(Some(0), WINDOW_MS), 0);
        assert_eq!(window_left(Some(0), WINDOW_MS + 5), 0);
        assert_eq!(window_left(Some(1_000), 1_000), WINDOW_MS);
        assert_eq!(window_closes_at(Some(1_000)), 1_000 + WINDOW_MS);
        assert_eq!(window_closes_at(None), 0);
    }

    #[test]
    fn changes_for_another_number_are_dropped() {
        let n: Notification = serde_json::from_value(serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"changes": [
                {"field": "messages", "value": {"metadata": {"phone_number_id": "111"},
                    "messages": [{"from": "16505551234", "id": "wamid.A", "type": "text", "text": {"body": "ours"}}]}},
                {"field": "messages", "value": {"metadata": {"phone_number_id": "222"},
                    "messages": [{"from": "16505551234", "id": "wamid.B", "type": "text", "text": {"body": "theirs"}}]}},
                {"field": "messages", "value": {
                    "messages": [{"from": "16505551234", "id": "wamid.C", "type": "text", "text": {"body": "unsaid"}}]}}
            ]}]
        }))
        .unwrap();
        let ids: Vec<String> = inbound(&n.for_number("111"))
            .into_iter()
            .map(|m| m.wamid)
            .collect();
        assert_eq!(ids, ["wamid.A", "wamid.C"]);
    }

    #[test]
    fn only_liaisons_rating_rows_give_stars() {
        for (id, _) in RATING_ROWS {
            assert!(rating_of(id).is_some(), "{id}");
        }
        assert_eq!(rating_of("rate:4"), Some(4));
        for not in ["rate:0", "rate:6", "rate:", "b1", "rate:4x", "xrate:4"] {
            assert_eq!(rating_of(not), None, "{not}");
        }
        assert!(
            RATING_ROWS
                .iter()
                .all(|(_, title)| title.chars().count() <= 24),
            "Meta's limit"
        );
    }
}
