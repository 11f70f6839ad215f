//! Received WhatsApp messages into conversations: the sender's number is the visitor (one per
//! number, named after their WhatsApp profile), their open conversation gets the message (a
//! resolved one is closed, so a new message starts a new conversation on the WhatsApp
//! channel), media are downloaded through the Graph API into the attachment store, and the AI
//! takes its turn as for the widget (the same send queue).
//!
//! Each stored message is put once: its client id is derived from Meta's id, so a second try
//! after a crash finds the message already there.

use super::Worker;
use super::graph::{self, GraphError};
use crate::server::conversations::{self, OpError, VisitorSend};
use crate::server::{db, now_ms};
use liaison_protocol::Channel;
use liaison_protocol::message::MAX_BODY_CHARS;
use liaison_protocol::whatsapp::WhatsappSettings;
use liaison_protocol::whatsapp_webhook::{self, Content, Inbound};
use sha2::{Digest, Sha256};

/// Tries at fetching a message's media before it is put in without it (saying so).
const MAX_ATTEMPTS: i64 = 5;

/// Numbers whose messages are put at once (each may need a media download from Meta).
const PARALLEL: usize = 8;

/// Puts the waiting messages in their conversations: several senders at once, each sender's
/// oldest first; a message whose media cannot be fetched yet holds back its sender's later
/// ones until the next round. How many were put.
pub async fn put_waiting(worker: &Worker, w: &WhatsappSettings) -> Result<usize, sqlx::Error> {
    use futures::StreamExt;
    let waiting = db::whatsapp::waiting(&worker.db.read, 200).await?;
    let senders = super::grouped(waiting, |row| row.phone.clone());
    let done: Vec<Result<usize, sqlx::Error>> = futures::stream::iter(senders)
        .map(|rows| put_in_order(worker, w, rows))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    done.into_iter().sum()
}

async fn put_in_order(
    worker: &Worker,
    w: &WhatsappSettings,
    rows: Vec<db::whatsapp::Waiting>,
) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    for row in rows {
        let outcome = match serde_json::from_str::<Inbound>(&row.message) {
            Ok(m) => put(worker, w, &m, row.attempts).await,
            Err(e) => Err(Later::Never(format!("unreadable stored message: {e}"))),
        };
        match outcome {
            Ok(()) => {}
            Err(Later::Db(e)) => return Err(e),
            Err(Later::Retry(why)) => {
                tracing::warn!(id = row.id, "WhatsApp message waits: {why}");
                let mut tx = worker.db.write().await?;
                db::whatsapp::tried(tx.conn(), row.id).await?;
                tx.commit().await?;
                break;
            }
            Err(Later::Never(why)) => {
                tracing::error!(id = row.id, "WhatsApp message cannot be put: {why}");
            }
        }
        let mut tx = worker.db.write().await?;
        db::whatsapp::processed(tx.conn(), row.id, now_ms()).await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

enum Later {
    /// Its media could not be fetched now.
    Retry(String),
    /// It cannot be put at all (kept in `whatsapp_inbound`, logged).
    Never(String),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Later {
    fn from(e: sqlx::Error) -> Later {
        Later::Db(e)
    }
}

impl From<OpError> for Later {
    fn from(e: OpError) -> Later {
        match e {
            OpError::Db(e) => Later::Db(e),
            other => Later::Never(other.to_string()),
        }
    }
}

/// The client id of the `part`th piece of the message Meta knows as `wamid`: the same on
/// every try.
pub fn client_id(wamid: &str, part: usize) -> String {
    let digest = hex::encode(Sha256::digest(wamid.as_bytes()));
    match part {
        0 => format!("wa-{}", &digest[..40]),
        n => format!("wa-{}-{n}", &digest[..40]),
    }
}

/// A text in pieces the thread accepts (WhatsApp allows 4096 characters, a message here 4000).
pub fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(MAX_BODY_CHARS)
        .map(|c| c.iter().collect())
        .collect()
}

async fn put(
    worker: &Worker,
    w: &WhatsappSettings,
    m: &Inbound,
    attempts: i64,
) -> Result<(), Later> {
    let mut tx = worker.db.write().await?;
    let visitor =
        db::visitors::for_whatsapp(tx.conn(), &m.phone, m.name.as_deref(), now_ms()).await?;
    tx.commit().await?;
    // A tap on the rating list: the resolved conversation is rated (not a new message).
    if let Content::Reply { id: Some(id), .. } = &m.content
        && let Some(stars) = whatsapp_webhook::rating_of(id)
    {
        match conversations::rate_from_whatsapp(&worker.db, visitor, stars).await {
            Ok(_) => return Ok(()),
            Err(OpError::Db(e)) => return Err(Later::Db(e)),
            Err(e) => tracing::info!("a WhatsApp rating taken as a message: {e}"),
        }
    }
    let mut text = m.content.text();
    let mut file = None;
    if let Some((media_id, name)) = m.content.media() {
        let voice = matches!(m.content, Content::Voice { .. });
        match graph::download(w, &worker.reach, media_id, worker.max_file_bytes).await {
            Ok(bytes) => match worker.attachments.accept(bytes, &name, voice).await {
                Ok(stored) => file = Some(stored),
                Err(crate::server::attachments::AcceptError::Io(e)) => {
                    return Err(Later::Retry(format!("storing its file: {e}")));
                }
                Err(refused) => {
                    text = note(
                        &text,
                        &format!("The file ({name}) was not kept: {refused}."),
                    )
                }
            },
            Err(GraphError::Retry(why)) if attempts + 1 < MAX_ATTEMPTS => {
                return Err(Later::Retry(why));
            }
            Err(e) => {
                text = note(
                    &text,
                    &format!("The file ({name}) could not be fetched from WhatsApp: {e}"),
                )
            }
        }
    }
    if file.is_none() && text.trim().is_empty() {
        text = "(An empty WhatsApp message.)".to_string();
    }
    let mut parts = pieces(&text).into_iter().enumerate();
    let (_, first) = parts.next().expect("at least one piece");
    let send = match file {
        Some(f) => VisitorSend::with_file(visitor, &client_id(&m.wamid, 0), &first, f)?,
        None => VisitorSend::new(visitor, &client_id(&m.wamid, 0), &first)?,
    };
    worker
        .sends
        .run(send.from_channel(Channel::Whatsapp))
        .await?;
    for (n, piece) in parts {
        let send = VisitorSend::new(visitor, &client_id(&m.wamid, n), &piece)?;
        worker
            .sends
            .run(send.from_channel(Channel::Whatsapp))
            .await?;
    }
    Ok(())
}

/// The message's own text with a line about its file after it.
fn note(text: &str, line: &str) -> String {
    match text.trim() {
        "" => format!("({line})"),
        t => format!("{t}\n({line})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_stable_and_valid() {
        let id = client_id("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU=", 0);
        assert_eq!(
            id,
            client_id("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU=", 0)
        );
        assert_ne!(id, client_id("wamid.other", 0));
        assert_ne!(
            id,
            client_id("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU=", 1)
        );
        for n in [0, 1, 12] {
            let id = client_id("wamid.x", n);
            assert!(
                liaison_protocol::widget_api::validate_client_msg_id(&id).is_ok(),
                "{id}"
            );
        }
    }

    #[test]
    fn a_long_text_is_kept_whole_in_pieces() {
        let long = "é".repeat(MAX_BODY_CHARS + 96);
        let p = pieces(&long);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].chars().count(), MAX_BODY_CHARS);
        assert_eq!(p.concat(), long);
        assert_eq!(pieces("  hi "), vec!["hi".to_string()]);
    }
}
