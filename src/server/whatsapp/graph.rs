//! Meta's Graph API, as the WhatsApp channel uses it: sending a message (text, media,
//! template), uploading a file to send, and downloading a customer's media. The base address
//! is the connection's setting (the public `https://graph.facebook.com/v21.0` by default; a
//! proxy or the tests' fake server otherwise), reached within the server's `Reach`.

use crate::server::outbound::{self, Reach};
use liaison_protocol::whatsapp::WhatsappSettings;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call did not work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Worth trying again later: rate limited (429), Meta's side failed (5xx), or no answer.
    #[error("{0}")]
    Retry(String),
    /// Refused for good (a 4xx other than 429): Meta's reason.
    #[error("{0}")]
    Refused(String),
}

/// What to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing<'a> {
    Text(&'a str),
    /// A file uploaded first (`upload`): its media id, kind (`image`, `audio`, `document`),
    /// caption and name.
    Media {
        media_id: &'a str,
        kind: &'static str,
        caption: &'a str,
        filename: &'a str,
    },
    Template {
        name: &'a str,
        language: &'a str,
    },
    /// This text, with the list of 1 to 5 stars to tap (ids `rate:N`).
    RatingList(&'a str),
}

fn client(reach: &Reach) -> reqwest::Client {
    outbound::shared("whatsapp", reach, |builder| {
        builder
            .timeout(TIMEOUT)
            .user_agent("Liaison-WhatsApp/1")
            .build()
            .expect("the WhatsApp HTTP client builds")
    })
}

fn url(w: &WhatsappSettings, path: &str) -> String {
    format!("{}/{path}", w.graph_url.trim_end_matches('/'))
}

/// The JSON body of a send.
pub fn message_json(to: &str, what: &Outgoing<'_>) -> Value {
    let to = to.trim_start_matches('+');
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
    });
    let (kind, content) = match what {
        Outgoing::Text(text) => ("text", json!({ "preview_url": true, "body": text })),
        Outgoing::Media {
            media_id,
            kind,
            caption,
            filename,
        } => {
            let mut m = json!({ "id": media_id });
            if !caption.is_empty() && *kind != "audio" {
                m["caption"] = json!(caption);
            }
            if *kind == "document" {
                m["filename"] = json!(filename);
            }
            (*kind, m)
        }
        Outgoing::Template { name, language } => (
            "template",
            json!({ "name": name, "language": { "code": language } }),
        ),
        Outgoing::RatingList(text) => {
            let rows: Vec<Value> = liaison_protocol::whatsapp_webhook::RATING_ROWS
                .iter()
                .map(|(id, title)| json!({ "id": id, "title": title }))
                .collect();
            (
                "interactive",
                json!({
                    "type": "list",
                    "body": { "text": text },
                    "action": { "button": "Rate", "sections": [{ "title": "Your rating", "rows": rows }] }
                }),
            )
        }
    };
    body["type"] = json!(kind);
    body[kind] = content;
    body
}

/// Sends a message to `to` (E.164); Meta's id for it (`wamid.…`).
pub async fn send(
    w: &WhatsappSettings,
    reach: &Reach,
    to: &str,
    what: &Outgoing<'_>,
) -> Result<String, GraphError> {
    #[derive(Deserialize)]
    struct Sent {
        messages: Vec<Id>,
    }
    let answer = client(reach)
        .post(url(w, &format!("{}/messages", w.phone_number_id)))
        .bearer_auth(&w.access_token)
        .json(&message_json(to, what))
        .send()
        .await;
    let sent: Sent = read(answer).await?;
    sent.messages
        .into_iter()
        .next()
        .map(|m| m.id)
        .ok_or_else(|| GraphError::Refused("WhatsApp answered without a message id.".into()))
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

/// Uploads a file to send; its media id.
pub async fn upload(
    w: &WhatsappSettings,
    reach: &Reach,
    bytes: Vec<u8>,
    mime: &str,
    filename: &str,
) -> Result<String, GraphError> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(filename.to_string())
        .mime_str(mime)
        .map_err(|e| GraphError::Refused(format!("The file's type cannot be sent: {e}")))?;
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", mime.to_string())
        .part("file", part);
    let answer = client(reach)
        .post(url(w, &format!("{}/media", w.phone_number_id)))
        .bearer_auth(&w.access_token)
        .multipart(form)
        .send()
        .await;
    read::<Id>(answer).await.map(|m| m.id)
}

/// Downloads a customer's media: its address from the media endpoint, then the bytes (both
/// with the access token), refused beyond `max_bytes`.
pub async fn download(
    w: &WhatsappSettings,
    reach: &Reach,
    media_id: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, GraphError> {
    #[derive(Deserialize)]
    struct Media {
        url: String,
    }
    if media_id.is_empty()
        || !media_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(GraphError::Refused(format!(
            "{media_id:?} is not a media id."
        )));
    }
    let answer = client(reach)
        .get(url(w, media_id))
        .bearer_auth(&w.access_token)
        .send()
        .await;
    let media: Media = read(answer).await?;
    let parsed = reqwest::Url::parse(&media.url)
        .ok()
        .filter(|u| !outbound::literal_refused(u, reach))
        .ok_or_else(|| {
            GraphError::Refused("WhatsApp gave an address that cannot be used.".into())
        })?;
    let response = client(reach)
        .get(parsed)
        .bearer_auth(&w.access_token)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    if !status.is_success() {
        return Err(by_status(
            status.as_u16(),
            format!("The media download answered {status}."),
        ));
    }
    if response
        .content_length()
        .is_some_and(|n| n as usize > max_bytes)
    {
        return Err(too_large(max_bytes));
    }
    let bytes = response.bytes().await.map_err(unreachable)?;
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    Ok(bytes.to_vec())
}

fn too_large(max_bytes: usize) -> GraphError {
    GraphError::Refused(format!(
        "The file is larger than {} MB, the most Liaison accepts.",
        max_bytes / (1024 * 1024)
    ))
}

fn unreachable(e: reqwest::Error) -> GraphError {
    GraphError::Retry(if e.is_timeout() {
        format!("WhatsApp did not answer within {} s.", TIMEOUT.as_secs())
    } else {
        "Could not reach WhatsApp.".to_string()
    })
}

/// A 429 or a 5xx is worth another try; any other refusal is final.
fn by_status(status: u16, reason: String) -> GraphError {
    if status == 429 || status >= 500 {
        GraphError::Retry(reason)
    } else {
        GraphError::Refused(reason)
    }
}

/// Reads an answer: the JSON on success, else Meta's error with its reason.
async fn read<T: serde::de::DeserializeOwned>(
    answer: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, GraphError> {
    let response = answer.map_err(unreachable)?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(unreachable)?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&text)
            .map_err(|_| GraphError::Retry("WhatsApp's answer could not be read.".into()));
    }
    Err(by_status(status, reason(status, &text)))
}

/// Meta's reason for a refusal (`{"error":{"message":…,"code":…,"error_data":{"details":…}}}`).
fn reason(status: u16, body: &str) -> String {
    #[derive(Deserialize)]
    struct Answer {
        error: liaison_protocol::whatsapp_webhook::RawError,
    }
    match serde_json::from_str::<Answer>(body) {
        Ok(a) => a.error.reason(),
        Err(_) => format!("WhatsApp answered {status}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_the_cloud_apis_json() {
        assert_eq!(
            message_json("+16505551234", &Outgoing::Text("Hi")),
            json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                   "to": "16505551234", "type": "text",
                   "text": {"preview_url": true, "body": "Hi"}})
        );
        let doc = message_json(
            "+1650",
            &Outgoing::Media {
                media_id: "77",
                kind: "document",
                caption: "invoice",
                filename: "a.pdf",
            },
        );
        assert_eq!(
            doc["document"],
            json!({"id": "77", "caption": "invoice", "filename": "a.pdf"})
        );
        let voice = message_json(
            "+1650",
            &Outgoing::Media {
                media_id: "78",
                kind: "audio",
                caption: "ignored",
                filename: "v.ogg",
            },
        );
        assert_eq!(
            voice["audio"],
            json!({"id": "78"}),
            "audio takes no caption"
        );
        let t = message_json(
            "+1650",
            &Outgoing::Template {
                name: "follow_up",
                language: "en_US",
            },
        );
        assert_eq!(
            t["template"],
            json!({"name": "follow_up", "language": {"code": "en_US"}})
        );
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_and_refusals_are_not() {
        assert!(matches!(by_status(429, "x".into()), GraphError::Retry(_)));
        assert!(matches!(by_status(503, "x".into()), GraphError::Retry(_)));
        assert!(matches!(by_status(400, "x".into()), GraphError::Refused(_)));
        let body = r#"{"error":{"message":"(#131030) Recipient phone number not in allowed list","type":"OAuthException","code":131030,"error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list"}}}"#;
        assert_eq!(
            reason(400, body),
            "Recipient phone number not in allowed list (131030)"
        );
        assert_eq!(reason(502, "<html>"), "WhatsApp answered 502.");
    }
}
