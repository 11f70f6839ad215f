//! What happens to conversations: every operation the widget API, the dashboard and the AI
//! perform, each one transaction that checks the protocol's rules, makes the change and writes
//! its events. Callers decide who may call; this module decides what may happen.

mod batch;
mod booking;
mod handoff;

pub use batch::{Batched, Batcher};
pub use booking::{ai_offer_slots, book, offer_slots};
pub use handoff::{answer_delegation, hand_off, withdraw_delegation};

use crate::server::attachments::StoredFile;
use crate::server::db::{self, Db, WriteTx, conversations::ConversationRow, messages::NewMessage};
use liaison_protocol::analytics::HandoverReason;
use liaison_protocol::status::{self, StatusAction};
use liaison_protocol::whatsapp_webhook;
use liaison_protocol::{
    Attachment, Channel, Citation, ConversationStatus, Delivery, Event, Message, MessageKind,
    Sender, TransitionError,
};

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("No such conversation.")]
    NotFound,
    #[error("{0}")]
    Invalid(&'static str),
    /// Refused input, said in a sentence built for it.
    #[error("{0}")]
    Refused(String),
    /// Someone else got there first (e.g. a slot just booked): 409.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Rule(#[from] TransitionError),
    #[error("{0}")]
    Handoff(#[from] liaison_protocol::handoff::HandoffError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Who acts on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Visitor(i64),
    Operator(i64),
    Ai,
}

/// The conversation a change is about, locked until `tx` commits (see
/// [`db::conversations::find_for_update`]).
async fn load(tx: &mut WriteTx, id: i64) -> Result<ConversationRow, OpError> {
    db::conversations::find_for_update(tx.conn(), id)
        .await?
        .ok_or(OpError::NotFound)
}

async fn post(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    message: NewMessage<'_>,
) -> Result<Message, OpError> {
    post_as(tx, conversation, message, None).await
}

/// [`post`], the message standing for an approved WhatsApp template (JSON) when `template`.
async fn post_as(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    message: NewMessage<'_>,
    template: Option<&str>,
) -> Result<Message, OpError> {
    // On WhatsApp, what the customer would see goes out through the channel's outbox, in this
    // same transaction: a reply is never written and then forgotten.
    let goes_out = conversation.channel == Channel::Whatsapp
        && !message.internal
        && message.sender != Sender::Customer;
    let message = db::messages::insert(
        tx.conn(),
        NewMessage {
            delivery: goes_out.then_some(Delivery::Queued),
            ..message
        },
    )
    .await?;
    if goes_out {
        db::whatsapp::enqueue(tx.conn(), message.id, template, crate::server::now_ms()).await?;
    }
    tx.emit(
        Event::MessageCreated {
            message: message.clone(),
        },
        Some(conversation.visitor_id),
    );
    Ok(message)
}

/// A line from the system in the conversation, seen by the customer (e.g. a ticket made from
/// it was solved), in the caller's transaction.
pub async fn tell_customer(
    tx: &mut WriteTx,
    conversation_id: i64,
    body: &str,
) -> Result<Message, OpError> {
    let conversation = load(tx, conversation_id).await?;
    post(
        tx,
        &conversation,
        NewMessage::text(conversation_id, Sender::System, body),
    )
    .await
}

/// The file's row in this transaction, and the attachment as messages carry it.
async fn attach(
    tx: &mut WriteTx,
    conversation_id: i64,
    file: &StoredFile,
) -> Result<Attachment, OpError> {
    let id = db::attachments::insert(tx.conn(), conversation_id, file).await?;
    Ok(Attachment {
        id,
        name: file.name.clone(),
        mime: file.mime.clone(),
        size: file.size,
        thumbnail: file.thumbnail,
    })
}

/// A caption beside a file: optional, otherwise checked as any message body.
fn caption(text: &str) -> Result<&str, OpError> {
    match text.trim() {
        "" => Ok(""),
        _ => liaison_protocol::message::validate_body(text).map_err(OpError::Invalid),
    }
}

/// A message from the AI in this transaction.
async fn say_as_ai(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    body: &str,
    citations: &[Citation],
) -> Result<Message, OpError> {
    let message = NewMessage {
        citations,
        ..NewMessage::text(conversation.id, Sender::Ai, body)
    };
    post(tx, conversation, message).await
}

async fn change_status(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    to: ConversationStatus,
    by: Option<i64>,
) -> Result<(), OpError> {
    if to == conversation.status {
        return Ok(());
    }
    db::conversations::set_status(tx.conn(), conversation.id, to, by).await?;
    tx.emit(
        Event::StatusChanged {
            conversation_id: conversation.id,
            status: to,
        },
        Some(conversation.visitor_id),
    );
    Ok(())
}

async fn change_assignee(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    to: Option<i64>,
) -> Result<(), OpError> {
    if to == conversation.assignee_id {
        return Ok(());
    }
    db::conversations::set_assignee(tx.conn(), conversation.id, to).await?;
    tx.emit(
        Event::AssigneeChanged {
            conversation_id: conversation.id,
            assignee_id: to,
        },
        Some(conversation.visitor_id),
    );
    Ok(())
}

/// The outcome of a visitor's send.
#[derive(Debug, Clone)]
pub struct Sent {
    pub message: Message,
    pub status: ConversationStatus,
    /// Who holds the conversation (the lock), as the send saw it.
    pub assignee_id: Option<i64>,
    /// False when the client id was seen before: the original message is returned, nothing new
    /// is stored, and the AI must not answer twice.
    pub is_new: bool,
}

/// A visitor sends a message, in a transaction of its own. The widget's sends go through
/// [`SendQueue`] instead, which writes many in one transaction.
pub async fn post_customer_message(
    db: &Db,
    visitor_id: i64,
    client_msg_id: &str,
    body: &str,
) -> Result<Sent, OpError> {
    batch::alone(db, &VisitorSend::new(visitor_id, client_msg_id, body)?).await
}

/// A visitor's send inside `tx`, which the caller commits.
async fn send_in(tx: &mut WriteTx, send: &VisitorSend) -> Result<Sent, OpError> {
    let VisitorSend {
        visitor_id,
        ref client_msg_id,
        ref body,
        ref file,
        channel,
    } = *send;
    let file = file.as_ref();
    let (latest, sent) =
        db::conversations::latest_for_sender(tx.conn(), visitor_id, client_msg_id).await?;
    if let Some(sent) = sent {
        let message = db::messages::find(tx.conn(), sent)
            .await?
            .ok_or(OpError::NotFound)?;
        let conversation = load(tx, message.conversation_id).await?;
        return Ok(Sent {
            message,
            status: conversation.status,
            assignee_id: conversation.assignee_id,
            is_new: false,
        });
    }
    let conversation = match latest {
        Some(c) if !c.status.is_closed() => c,
        _ => start(tx, visitor_id, channel).await?,
    };
    let attachment = match file {
        Some(f) => Some(attach(tx, conversation.id, f).await?),
        None => None,
    };
    let message = post(
        tx,
        &conversation,
        NewMessage {
            client_msg_id: Some(client_msg_id),
            kind: file.map_or(MessageKind::Text, |f| f.kind),
            attachment: attachment.as_ref(),
            ..NewMessage::text(conversation.id, Sender::Customer, body)
        },
    )
    .await?;
    Ok(Sent {
        message,
        status: conversation.status,
        assignee_id: conversation.assignee_id,
        is_new: true,
    })
}

/// A visitor's send, checked, for the [`SendQueue`].
pub struct VisitorSend {
    pub visitor_id: i64,
    client_msg_id: String,
    body: String,
    /// A file sent with the message (already stored), the body being its caption.
    pub file: Option<StoredFile>,
    /// Where the visitor wrote from: a new conversation is on this channel.
    pub channel: Channel,
}

impl VisitorSend {
    /// A message into the visitor's open conversation, or a new one when the last is resolved;
    /// a retry with the same client id returns the original message. An invalid client id or
    /// body is refused here, before anything queues.
    pub fn new(visitor_id: i64, client_msg_id: &str, body: &str) -> Result<VisitorSend, OpError> {
        let body = liaison_protocol::message::validate_body(body).map_err(OpError::Invalid)?;
        let client_msg_id = liaison_protocol::widget_api::validate_client_msg_id(client_msg_id)
            .map_err(OpError::Invalid)?;
        Ok(VisitorSend {
            visitor_id,
            client_msg_id: client_msg_id.to_string(),
            body: body.to_string(),
            file: None,
            channel: Channel::Widget,
        })
    }

    /// The same send, from `channel` (a customer writing on WhatsApp).
    pub fn from_channel(self, channel: Channel) -> VisitorSend {
        VisitorSend { channel, ..self }
    }

    /// A file from the visitor, with an optional caption.
    pub fn with_file(
        visitor_id: i64,
        client_msg_id: &str,
        text: &str,
        file: StoredFile,
    ) -> Result<VisitorSend, OpError> {
        let text = caption(text)?;
        let client_msg_id = liaison_protocol::widget_api::validate_client_msg_id(client_msg_id)
            .map_err(OpError::Invalid)?;
        Ok(VisitorSend {
            visitor_id,
            client_msg_id: client_msg_id.to_string(),
            body: text.to_string(),
            file: Some(file),
            channel: Channel::Widget,
        })
    }
}

impl Batched for VisitorSend {
    type Done = Sent;

    fn apply<'a>(
        &'a self,
        tx: &'a mut WriteTx,
    ) -> futures::future::BoxFuture<'a, Result<Sent, OpError>> {
        Box::pin(send_in(tx, self))
    }
}

/// The widget's sends, written in batches.
pub type SendQueue = Batcher<VisitorSend>;

/// The visitor's open conversation, or a new one when there is none or the last is resolved.
async fn open_or_start(tx: &mut WriteTx, visitor_id: i64) -> Result<ConversationRow, OpError> {
    if let Some(c) = db::conversations::latest_for_visitor(tx.conn(), visitor_id).await?
        && !c.status.is_closed()
    {
        return Ok(c);
    }
    start(tx, visitor_id, Channel::Widget).await
}

/// A new conversation for the visitor, who has none open: unless another transaction started
/// one meanwhile (PostgreSQL runs them side by side), which is then the one.
async fn start(
    tx: &mut WriteTx,
    visitor_id: i64,
    channel: Channel,
) -> Result<ConversationRow, OpError> {
    if db::visitors::lock(tx.conn(), visitor_id).await?
        && let Some(c) = db::conversations::latest_for_visitor(tx.conn(), visitor_id).await?
        && !c.status.is_closed()
    {
        return Ok(c);
    }
    let id = db::conversations::insert(tx.conn(), visitor_id, channel).await?;
    tx.emit(
        Event::ConversationCreated {
            conversation_id: id,
        },
        Some(visitor_id),
    );
    load(tx, id).await
}

/// The visitor's open conversation, started if there is none (e.g. "Talk to a human" before
/// the first message).
pub async fn open_conversation(db: &Db, visitor_id: i64) -> Result<i64, OpError> {
    let mut tx = db.write().await?;
    let conversation = open_or_start(&mut tx, visitor_id).await?;
    tx.commit().await?;
    Ok(conversation.id)
}

/// Flags the conversation for a human. When the AI hands over, it says `notice` to the visitor;
/// if a human got there first it says nothing.
pub async fn escalate(
    db: &Db,
    conversation_id: i64,
    actor: Actor,
    notice: Option<&str>,
) -> Result<ConversationStatus, OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if actor == Actor::Ai && !status::ai_may_reply(conversation.status, conversation.assignee_id) {
        return Ok(conversation.status);
    }
    let to = status::next_status(conversation.status, StatusAction::Escalate)?;
    if to == conversation.status {
        return Ok(to);
    }
    if let Some(text) = notice {
        say_as_ai(&mut tx, &conversation, text, &[]).await?;
    }
    let (by, reason) = match actor {
        Actor::Operator(id) => (Some(id), HandoverReason::Manual),
        Actor::Visitor(_) => (None, HandoverReason::AskedForHuman),
        Actor::Ai => (None, HandoverReason::AiUnavailable),
    };
    db::conversations::set_handover_reason(tx.conn(), conversation_id, reason).await?;
    change_status(&mut tx, &conversation, to, by).await?;
    tx.commit().await?;
    Ok(to)
}

/// A knowledge gap to record with an AI handover.
#[derive(Debug, Clone, Copy)]
pub struct Gap<'a> {
    pub question: &'a str,
    pub reason: db::gaps::GapReason,
}

/// The AI hands over: says `notice`, flags the conversation for a human and records the gap (if
/// any) in one transaction. Says and records nothing when a human holds or was already asked for.
pub async fn ai_escalate(
    db: &Db,
    conversation_id: i64,
    reason: HandoverReason,
    notice: &str,
    gap: Option<Gap<'_>>,
) -> Result<ConversationStatus, OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if !status::ai_may_reply(conversation.status, conversation.assignee_id) {
        return Ok(conversation.status);
    }
    let to = status::next_status(conversation.status, StatusAction::Escalate)?;
    say_as_ai(&mut tx, &conversation, notice, &[]).await?;
    if let Some(gap) = gap {
        db::gaps::record(tx.conn(), conversation_id, gap.question, gap.reason).await?;
    }
    if to != conversation.status {
        db::conversations::set_handover_reason(tx.conn(), conversation_id, reason).await?;
    }
    change_status(&mut tx, &conversation, to, None).await?;
    tx.commit().await?;
    Ok(to)
}

/// The visitor confirmed the answer helped: the AI says `notice` and resolves. Nothing happens
/// while a human holds the conversation or was asked for (the human decides).
pub async fn ai_resolve(db: &Db, conversation_id: i64, notice: &str) -> Result<bool, OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if !status::ai_may_reply(conversation.status, conversation.assignee_id) {
        return Ok(false);
    }
    let to = status::next_status(conversation.status, StatusAction::Resolve)?;
    say_as_ai(&mut tx, &conversation, notice, &[]).await?;
    change_status(&mut tx, &conversation, to, None).await?;
    ask_for_rating(db, &mut tx, &conversation).await?;
    tx.commit().await?;
    Ok(true)
}

/// Said on WhatsApp with the list of stars, when Connectors → WhatsApp asks for ratings.
pub const RATING_REQUEST: &str =
    "How would you rate this conversation? Tap Rate to choose 1 to 5 stars.";
/// Said on WhatsApp once the customer has rated.
pub const RATING_THANKS: &str = "Thank you for your feedback!";

/// A resolved WhatsApp conversation asks the customer for a rating (the widget asks in its
/// own way), when Connectors → WhatsApp says so.
async fn ask_for_rating(
    db: &Db,
    tx: &mut WriteTx,
    conversation: &ConversationRow,
) -> Result<(), OpError> {
    if conversation.channel != Channel::Whatsapp
        || conversation.rating.is_some()
        || !crate::server::whatsapp::saved(&db.read)
            .await?
            .is_some_and(|w| w.ask_rating)
    {
        return Ok(());
    }
    let payload = crate::server::whatsapp::outbound::Payload::Rating.json();
    post_as(
        tx,
        conversation,
        NewMessage::text(conversation.id, Sender::System, RATING_REQUEST),
        Some(&payload),
    )
    .await?;
    Ok(())
}

/// A WhatsApp customer tapped a star rating: their latest conversation, resolved, is rated,
/// and thanked. The conversation's id; an error when it cannot be rated (then the tap is an
/// ordinary message).
pub async fn rate_from_whatsapp(db: &Db, visitor_id: i64, stars: i64) -> Result<i64, OpError> {
    let conversation_id = rate(db, visitor_id, stars, &[], None).await?;
    let mut tx = db.write().await?;
    tell_customer(&mut tx, conversation_id, RATING_THANKS).await?;
    tx.commit().await?;
    Ok(conversation_id)
}

/// An operator joins: atomic, because the check and the update run in one transaction that
/// holds the conversation's row (SQLite's single writer; PostgreSQL's `FOR UPDATE`, across
/// instances). A second operator gets "Locked by another agent".
pub async fn join(db: &Db, conversation_id: i64, operator: i64) -> Result<(), OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    status::may_join(conversation.assignee_id, operator)?;
    let to = status::next_status(conversation.status, StatusAction::Join)?;
    if conversation.assignee_id == Some(operator) {
        return Ok(());
    }
    change_assignee(&mut tx, &conversation, Some(operator)).await?;
    change_status(&mut tx, &conversation, to, Some(operator)).await?;
    post(
        &mut tx,
        &conversation,
        NewMessage {
            author_id: Some(operator),
            ..NewMessage::text(
                conversation_id,
                Sender::System,
                "A support agent joined the conversation.",
            )
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The holder lets go; the AI answers again.
pub async fn leave(db: &Db, conversation_id: i64, operator: i64) -> Result<(), OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    status::may_send_as_operator(conversation.assignee_id, operator)?;
    status::next_status(conversation.status, StatusAction::Leave)?;
    change_assignee(&mut tx, &conversation, None).await?;
    tx.commit().await?;
    Ok(())
}

/// An operator's reply. Only the holder may send.
pub async fn post_operator_message(
    db: &Db,
    conversation_id: i64,
    operator: i64,
    body: &str,
) -> Result<Message, OpError> {
    let body = liaison_protocol::message::validate_body(body).map_err(OpError::Invalid)?;
    operator_post(db, conversation_id, operator, body, None).await
}

/// An operator sends a file (image, voice recording, document) with an optional caption.
pub async fn post_operator_file(
    db: &Db,
    conversation_id: i64,
    operator: i64,
    text: &str,
    file: &StoredFile,
) -> Result<Message, OpError> {
    let text = caption(text)?;
    operator_post(db, conversation_id, operator, text, Some(file)).await
}

async fn operator_post(
    db: &Db,
    conversation_id: i64,
    operator: i64,
    body: &str,
    file: Option<&StoredFile>,
) -> Result<Message, OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if conversation.status.is_closed() {
        return Err(TransitionError::Closed.into());
    }
    status::may_send_as_operator(conversation.assignee_id, operator)?;
    if conversation.channel == Channel::Whatsapp {
        window_open(&mut tx, conversation_id).await?;
    }
    let attachment = match file {
        Some(f) => Some(attach(&mut tx, conversation_id, f).await?),
        None => None,
    };
    let message = post(
        &mut tx,
        &conversation,
        NewMessage {
            author_id: Some(operator),
            kind: file.map_or(MessageKind::Text, |f| f.kind),
            attachment: attachment.as_ref(),
            ..NewMessage::text(conversation_id, Sender::Agent, body)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(message)
}

/// WhatsApp delivers free text (and files) only within 24 hours of the customer's last
/// message; after that, only an approved template (`send_template`).
async fn window_open(tx: &mut WriteTx, conversation_id: i64) -> Result<(), OpError> {
    let last = db::messages::last_from_customer_at(tx.conn(), conversation_id).await?;
    if whatsapp_webhook::window_left(last, crate::server::now_ms()) > 0 {
        Ok(())
    } else {
        Err(OpError::Refused(WINDOW_CLOSED.to_string()))
    }
}

/// Said when a free reply is refused on WhatsApp.
pub const WINDOW_CLOSED: &str = "The customer last wrote more than 24 hours ago, so WhatsApp will \
     only deliver an approved template now: send the template instead.";

/// The holder sends the approved template (Connectors → WhatsApp) on a WhatsApp
/// conversation: what may be sent once the 24-hour window has closed. The thread shows it as
/// the holder's message naming the template.
pub async fn send_template(
    db: &Db,
    conversation_id: i64,
    operator: i64,
    name: &str,
    language: &str,
) -> Result<Message, OpError> {
    if name.trim().is_empty() {
        return Err(OpError::Invalid(
            "No template is set: an Admin sets its name and language in Connectors → WhatsApp.",
        ));
    }
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    if conversation.channel != Channel::Whatsapp {
        return Err(OpError::Invalid(
            "Templates are for WhatsApp conversations.",
        ));
    }
    if conversation.status.is_closed() {
        return Err(TransitionError::Closed.into());
    }
    status::may_send_as_operator(conversation.assignee_id, operator)?;
    let body = format!("Template “{name}” ({language})");
    let template = crate::server::whatsapp::outbound::Payload::Template {
        name: name.to_string(),
        language: language.to_string(),
    }
    .json();
    let message = post_as(
        &mut tx,
        &conversation,
        NewMessage {
            author_id: Some(operator),
            ..NewMessage::text(conversation_id, Sender::Agent, &body)
        },
        Some(&template),
    )
    .await?;
    tx.commit().await?;
    Ok(message)
}

/// Resolves the conversation and releases the lock. Any operator may resolve (the spec's
/// manual resolution); the AI resolves when the visitor confirms.
pub async fn resolve(db: &Db, conversation_id: i64, actor: Actor) -> Result<(), OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    let to = status::next_status(conversation.status, StatusAction::Resolve)?;
    let (by, reason) = match actor {
        Actor::Operator(id) => (Some(id), HandoverReason::Manual),
        Actor::Visitor(_) => (None, HandoverReason::AskedForHuman),
        Actor::Ai => (None, HandoverReason::AiUnavailable),
    };
    db::conversations::set_handover_reason(tx.conn(), conversation_id, reason).await?;
    change_status(&mut tx, &conversation, to, by).await?;
    ask_for_rating(db, &mut tx, &conversation).await?;
    if conversation.assignee_id.is_some() {
        // set_status already cleared the column; tell the dashboards the lock is gone.
        tx.emit(
            Event::AssigneeChanged {
                conversation_id,
                assignee_id: None,
            },
            Some(conversation.visitor_id),
        );
    }
    tx.commit().await?;
    Ok(())
}

/// The visitor rates their latest conversation, once it is resolved; once.
pub async fn rate(
    db: &Db,
    visitor_id: i64,
    stars: i64,
    categories: &[String],
    comment: Option<&str>,
) -> Result<i64, OpError> {
    let allowed = db::ratings::categories(&db.read).await?;
    let rating = liaison_protocol::rating::validate(stars, categories, comment, &allowed)
        .map_err(OpError::Refused)?;
    let mut tx = db.write().await?;
    let latest = db::conversations::latest_for_visitor(tx.conn(), visitor_id)
        .await?
        .ok_or(OpError::NotFound)?;
    let conversation = load(&mut tx, latest.id).await?;
    if !conversation.status.is_closed() {
        return Err(OpError::Invalid(
            "A conversation is rated once it is resolved.",
        ));
    }
    if conversation.rating.is_some() {
        return Err(OpError::Invalid("This conversation was already rated."));
    }
    db::ratings::set(tx.conn(), conversation.id, &rating).await?;
    tx.emit(
        Event::Rated {
            conversation_id: conversation.id,
            rating,
        },
        Some(visitor_id),
    );
    tx.commit().await?;
    Ok(conversation.id)
}

/// An answer from the AI, for the [`AiReplies`] queue: stored only if the AI may still speak (a
/// human may have joined, or been requested, while it was thinking); `None` when it stayed
/// silent.
pub struct AiReply {
    pub conversation_id: i64,
    pub body: String,
    pub citations: Vec<Citation>,
}

impl Batched for AiReply {
    type Done = Option<Message>;

    fn apply<'a>(
        &'a self,
        tx: &'a mut WriteTx,
    ) -> futures::future::BoxFuture<'a, Result<Option<Message>, OpError>> {
        Box::pin(async move {
            let conversation = load(tx, self.conversation_id).await?;
            if !status::ai_may_reply(conversation.status, conversation.assignee_id) {
                return Ok(None);
            }
            let message = say_as_ai(tx, &conversation, &self.body, &self.citations).await?;
            Ok(Some(message))
        })
    }
}

/// The AI's answers, written in batches.
pub type AiReplies = Batcher<AiReply>;
