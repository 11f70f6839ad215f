//! Booking a meeting from the widget: the card of free slots in the visitor's conversation,
//! then the booking itself (one transaction: the unique slot, the Booked flag, the confirmation
//! in the thread, the events).

use super::{OpError, load, open_or_start, post};
use crate::server::bookings::{self, slots};
use crate::server::db::messages::NewMessage;
use crate::server::db::{self, Db};
use crate::server::now_ms;
use liaison_protocol::booking::{BookingCard, BookingSettings, MAX_OFFERED, Slot};
use liaison_protocol::{Message, MessageKind, Sender, status};
use std::collections::HashSet;

/// The bookings already made in the window slots are offered from.
async fn taken(
    tx: &mut db::WriteTx,
    settings: &BookingSettings,
    now: i64,
) -> Result<HashSet<i64>, OpError> {
    let horizon = now + (i64::from(settings.days_ahead) + 2) * 86_400_000;
    Ok(db::bookings::taken(tx.conn(), now, horizon)
        .await?
        .into_iter()
        .collect())
}

async fn enabled(db: &Db) -> Result<BookingSettings, OpError> {
    let settings = bookings::settings(&db.read).await?;
    if !settings.enabled {
        return Err(OpError::Invalid("Booking a meeting is not available here."));
    }
    Ok(settings)
}

/// Posts a card with the next free slots in the visitor's open conversation (started if none).
pub async fn offer_slots(db: &Db, visitor_id: i64) -> Result<Message, OpError> {
    let settings = enabled(db).await?;
    let mut tx = db.write().await?;
    let conversation = open_or_start(&mut tx, visitor_id).await?;
    let body = "Choose a time for your meeting:";
    let message = post_offer(&mut tx, &conversation, &settings, Sender::System, body)
        .await?
        .ok_or_else(|| {
            OpError::Refused(format!(
                "No meeting times are free in the next {} days. Please leave a message instead.",
                settings.days_ahead
            ))
        })?;
    tx.commit().await?;
    Ok(message)
}

/// The AI's answer to "can I book a meeting?": the card, said with `intro`. False when there is
/// nothing to offer (bookings off, no free slot): the AI then treats it as any question. True
/// also when the AI must stay silent (a human took the conversation meanwhile).
pub async fn ai_offer_slots(db: &Db, conversation_id: i64, intro: &str) -> Result<bool, OpError> {
    let settings = bookings::settings(&db.read).await?;
    if !settings.enabled {
        return Ok(false);
    }
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if !status::ai_may_reply(conversation.status, conversation.assignee_id) {
        return Ok(true);
    }
    let offered = post_offer(&mut tx, &conversation, &settings, Sender::Ai, intro).await?;
    if offered.is_some() {
        tx.commit().await?;
    }
    Ok(offered.is_some())
}

/// The card of free slots, posted in `tx`; None when no slot is free.
async fn post_offer(
    tx: &mut db::WriteTx,
    conversation: &db::conversations::ConversationRow,
    settings: &BookingSettings,
    sender: Sender,
    body: &str,
) -> Result<Option<Message>, OpError> {
    let now = now_ms();
    let taken = taken(tx, settings, now).await?;
    let free = slots::free(settings, now, &taken, MAX_OFFERED).map_err(OpError::Refused)?;
    if free.is_empty() {
        return Ok(None);
    }
    let card = BookingCard {
        slots: free,
        booked: None,
        time_zone: settings.time_zone.clone(),
    };
    let message = post(
        tx,
        conversation,
        NewMessage {
            kind: MessageKind::Booking,
            booking: Some(&card),
            ..NewMessage::text(conversation.id, sender, body)
        },
    )
    .await?;
    Ok(Some(message))
}

/// Books the slot starting at `start` for the visitor's open conversation. The slot must be one
/// the schedule offers now; a slot someone else booked first is refused (409) and nothing
/// changes.
pub async fn book(db: &Db, visitor_id: i64, start: i64) -> Result<Message, OpError> {
    let settings = enabled(db).await?;
    let now = now_ms();
    let mut tx = db.write().await?;
    let latest = db::conversations::latest_for_visitor(tx.conn(), visitor_id)
        .await?
        .filter(|c| !c.status.is_closed())
        .ok_or(OpError::Invalid(
            "Open the chat before booking: this conversation is closed.",
        ))?;
    let conversation = load(&mut tx, latest.id).await?;
    let taken = taken(&mut tx, &settings, now).await?;
    if taken.contains(&start) {
        return Err(OpError::Conflict(TAKEN.into()));
    }
    let slot = slots::free(&settings, now, &taken, usize::MAX)
        .map_err(OpError::Refused)?
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(OpError::Invalid(
            "That time is not one of the times offered. Please choose another.",
        ))?;
    if db::bookings::insert(tx.conn(), conversation.id, visitor_id, slot)
        .await?
        .is_none()
    {
        return Err(OpError::Conflict(TAKEN.into()));
    }
    db::bookings::mark_booked(tx.conn(), conversation.id).await?;
    let body = confirmation(slot, &settings.time_zone);
    let card = BookingCard {
        slots: Vec::new(),
        booked: Some(slot),
        time_zone: settings.time_zone.clone(),
    };
    let message = post(
        &mut tx,
        &conversation,
        NewMessage {
            kind: MessageKind::Booking,
            booking: Some(&card),
            ..NewMessage::text(conversation.id, Sender::System, &body)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(message)
}

const TAKEN: &str = "That time has just been booked by someone else. Please choose another.";

fn confirmation(slot: Slot, time_zone: &str) -> String {
    format!("Meeting booked: {}.", slots::label(slot, time_zone))
}
