//! Replies out to WhatsApp: the messages `conversations::post` queued in their own transaction
//! (`whatsapp_outbound`), sent through the Graph API's messages endpoint (a file uploaded
//! first). A rate limit (429), an error on Meta's side (5xx) or no answer is tried again with
//! a doubling wait; a refusal, or the last try, marks the message failed with the reason, in
//! the thread: a reply is never dropped without a word.

use super::Worker;
use super::graph::{self, GraphError, Outgoing};
use crate::server::db::whatsapp::{Due, Tried};
use crate::server::{db, now_ms};
use liaison_protocol::whatsapp::WhatsappSettings;
use liaison_protocol::{Attachment, Delivery, Event, MessageKind};

/// Tries at sending one reply before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// The wait before try `n + 1` after `n` failed ones: `base`, then doubling, at most an hour.
pub fn retry_after_ms(tried: i64, base_ms: i64) -> i64 {
    let doubled = base_ms.saturating_mul(1_i64 << (tried - 1).clamp(0, 20));
    doubled.min(3_600_000)
}

/// Conversations sent to at once. Meta answers a send in a few hundred milliseconds and takes
/// 80 messages a second per number by default: 24 at 300 ms each is about that (a 429 beyond
/// it is tried again). One at a time would hold a busy team's replies back.
const PARALLEL: usize = 24;

/// Sends the replies that are due, several conversations at once and each conversation's in
/// order; how many were due.
pub async fn send_due(worker: &Worker, w: &WhatsappSettings) -> Result<usize, sqlx::Error> {
    use futures::StreamExt;
    let due = db::whatsapp::due(&worker.db.read, now_ms(), 50).await?;
    let n = due.len();
    let results: Vec<Result<(), sqlx::Error>> =
        futures::stream::iter(super::grouped(due, |d| d.conversation_id))
            .map(|replies| send_in_order(worker, w, replies))
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(n)
}

/// One conversation's replies, in order; one to be tried again holds back those after it.
async fn send_in_order(
    worker: &Worker,
    w: &WhatsappSettings,
    replies: Vec<Due>,
) -> Result<(), sqlx::Error> {
    for d in &replies {
        let tried = attempt(worker, w, d).await?;
        if let Some(e) = &tried.error {
            tracing::warn!(message = d.message_id, delivery = ?tried.delivery, "WhatsApp send: {e}");
        }
        let mut tx = worker.db.write().await?;
        db::whatsapp::record_try(tx.conn(), d.message_id, &tried).await?;
        tx.emit(
            Event::MessageDelivery {
                conversation_id: d.conversation_id,
                message_id: d.message_id,
                delivery: tried.delivery,
                error: tried.error.clone(),
            },
            Some(d.visitor_id),
        );
        tx.commit().await?;
        if tried.delivery == Delivery::Queued {
            break;
        }
    }
    Ok(())
}

async fn attempt(worker: &Worker, w: &WhatsappSettings, d: &Due) -> Result<Tried, sqlx::Error> {
    let Some(to) = d.phone.as_deref() else {
        return Ok(failed("This customer has no WhatsApp number.".into()));
    };
    let sent = match what(worker, w, d).await? {
        Ok(what) => match &what {
            Prepared::Text(t) => graph::send(w, &worker.reach, to, &Outgoing::Text(t)).await,
            Prepared::Payload(Payload::Template { name, language }) => {
                let out = Outgoing::Template { name, language };
                graph::send(w, &worker.reach, to, &out).await
            }
            Prepared::Payload(Payload::Rating) => {
                graph::send(w, &worker.reach, to, &Outgoing::RatingList(&d.body)).await
            }
            Prepared::Media {
                media_id,
                kind,
                filename,
            } => {
                let out = Outgoing::Media {
                    media_id,
                    kind,
                    caption: &d.body,
                    filename,
                };
                graph::send(w, &worker.reach, to, &out).await
            }
        },
        Err(e) => Err(e),
    };
    Ok(match sent {
        Ok(wamid) => Tried {
            delivery: Delivery::Sent,
            wamid: Some(wamid),
            error: None,
            next_at: None,
        },
        Err(GraphError::Retry(why)) if d.attempts + 1 < MAX_ATTEMPTS => Tried {
            delivery: Delivery::Queued,
            wamid: None,
            error: Some(format!("{why} Trying again.")),
            next_at: Some(now_ms() + retry_after_ms(d.attempts + 1, worker.retry_ms)),
        },
        Err(e) => failed(e.to_string()),
    })
}

fn failed(why: String) -> Tried {
    Tried {
        delivery: Delivery::Failed,
        wamid: None,
        error: Some(why),
        next_at: None,
    }
}

/// What a queued message goes out as instead of its own text (`whatsapp_outbound.template`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// The approved template (after the 24-hour window).
    Template { name: String, language: String },
    /// The rating request: a list of 1 to 5 stars to tap, under the message's text.
    Rating,
}

impl Payload {
    pub fn json(&self) -> String {
        serde_json::to_string(self).expect("a payload serializes")
    }
}

enum Prepared {
    Text(String),
    Payload(Payload),
    Media {
        media_id: String,
        kind: &'static str,
        filename: String,
    },
}

/// What the message goes out as: its text, the template it stands for, or its file (uploaded
/// now).
async fn what(
    worker: &Worker,
    w: &WhatsappSettings,
    d: &Due,
) -> Result<Result<Prepared, GraphError>, sqlx::Error> {
    if let Some(t) = &d.template {
        return Ok(serde_json::from_str(t)
            .map(Prepared::Payload)
            .map_err(|_| GraphError::Refused("The template could not be read.".into())));
    }
    let kind = MessageKind::parse(&d.kind).unwrap_or_default();
    let Some(attachment) = d
        .attachment
        .as_deref()
        .and_then(|a| serde_json::from_str::<Attachment>(a).ok())
    else {
        return Ok(Ok(Prepared::Text(d.body.clone())));
    };
    let Some(row) = db::attachments::find(&worker.db.read, attachment.id).await? else {
        return Ok(Err(GraphError::Refused(
            "The file is no longer here.".into(),
        )));
    };
    let Some(path) = worker
        .attachments
        .path(&row.sha256)
        .filter(|_| row.removed_at.is_none())
    else {
        return Ok(Err(GraphError::Refused(
            "The file is no longer kept.".into(),
        )));
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) => return Ok(Err(GraphError::Retry(format!("Reading the file: {e}.")))),
    };
    let kind = match kind {
        MessageKind::Image => "image",
        MessageKind::Voice => "audio",
        _ => "document",
    };
    Ok(graph::upload(w, &worker.reach, bytes, &row.mime, &row.name)
        .await
        .map(|media_id| Prepared::Media {
            media_id,
            kind,
            filename: row.name.clone(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_base_and_stop_at_an_hour() {
        assert_eq!(retry_after_ms(1, 2_000), 2_000);
        assert_eq!(retry_after_ms(2, 2_000), 4_000);
        assert_eq!(retry_after_ms(5, 2_000), 32_000);
        assert_eq!(retry_after_ms(60, 2_000), 3_600_000);
    }
}
