use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::booking::BookingCard;
use liaison_protocol::{Attachment, Citation, Delivery, Message, MessageKind, Sender};
use sqlx::FromRow;

#[derive(FromRow)]
struct MessageRow {
    id: i64,
    conversation_id: i64,
    sender: String,
    kind: String,
    body: String,
    attachment: Option<String>,
    booking: Option<String>,
    internal: bool,
    client_msg_id: Option<String>,
    citations: String,
    created_at: i64,
    delivery: Option<String>,
    delivery_error: Option<String>,
}

fn decode(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(e.into())
}

impl TryFrom<MessageRow> for Message {
    type Error = sqlx::Error;

    fn try_from(r: MessageRow) -> Result<Message, sqlx::Error> {
        let unknown = super::conversations::unknown;
        Ok(Message {
            id: r.id,
            conversation_id: r.conversation_id,
            sender: Sender::parse(&r.sender).ok_or_else(|| unknown("sender", &r.sender))?,
            kind: MessageKind::parse(&r.kind).ok_or_else(|| unknown("message kind", &r.kind))?,
            body: r.body,
            attachment: r
                .attachment
                .as_deref()
                .map(serde_json::from_str::<Attachment>)
                .transpose()
                .map_err(decode)?,
            booking: r
                .booking
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(decode)?,
            internal: r.internal,
            client_msg_id: r.client_msg_id,
            citations: serde_json::from_str(&r.citations).map_err(decode)?,
            created_at: r.created_at,
            delivery: r.delivery.as_deref().and_then(Delivery::parse),
            delivery_error: r.delivery_error,
        })
    }
}

const COLUMNS: &str = "id, conversation_id, sender, kind, body, attachment, booking, internal, client_msg_id, citations, created_at, delivery, delivery_error";

pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub sender: Sender,
    pub body: &'a str,
    pub author_id: Option<i64>,
    pub client_msg_id: Option<&'a str>,
    pub citations: &'a [Citation],
    pub kind: MessageKind,
    pub attachment: Option<&'a Attachment>,
    pub booking: Option<&'a BookingCard>,
    /// Operators only (never sent to the visitor).
    pub internal: bool,
    /// A reply to go out through a channel (WhatsApp): queued.
    pub delivery: Option<Delivery>,
}

impl<'a> NewMessage<'a> {
    /// A plain text message, visible to everyone in the conversation.
    pub fn text(conversation_id: i64, sender: Sender, body: &'a str) -> NewMessage<'a> {
        NewMessage {
            conversation_id,
            sender,
            body,
            author_id: None,
            client_msg_id: None,
            citations: &[],
            kind: MessageKind::Text,
            attachment: None,
            booking: None,
            internal: false,
            delivery: None,
        }
    }
}

pub async fn insert(mut conn: Conn<'_>, m: NewMessage<'_>) -> Result<Message, sqlx::Error> {
    let citations = serde_json::to_string(m.citations).expect("citations serialize");
    let attachment = m
        .attachment
        .map(|a| serde_json::to_string(a).expect("attachment serializes"));
    let booking = m
        .booking
        .map(|b| serde_json::to_string(b).expect("booking card serializes"));
    let sql = format!(
        "INSERT INTO messages (conversation_id, sender, body, author_id, client_msg_id, citations,
            created_at, kind, attachment, internal, booking, delivery)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
    );
    let row: MessageRow = on!(conn, |c| {
        sqlx::query_as(&sql)
            .bind(m.conversation_id)
            .bind(m.sender.as_str())
            .bind(m.body)
            .bind(m.author_id)
            .bind(m.client_msg_id)
            .bind(&citations)
            .bind(now_ms())
            .bind(m.kind.as_str())
            .bind(&attachment)
            .bind(m.internal)
            .bind(&booking)
            .bind(m.delivery.map(Delivery::as_str))
            .fetch_one(c)
            .await
    })?;
    // The conversation's count, last message and activity time follow by trigger (0013).
    Message::try_from(row)
}

/// The message a visitor already sent with this client id, in any of their conversations.
pub async fn find(mut conn: Conn<'_>, id: i64) -> Result<Option<Message>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = $1");
    let row: Option<MessageRow> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Message::try_from).transpose()
}

/// The visitor's newest message in `conversation_id` after the message `after`, if any.
pub async fn newest_from_visitor_after(
    mut conn: Conn<'_>,
    conversation_id: i64,
    after: i64,
) -> Result<Option<Message>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = $1 AND id > $2 AND sender = $3
         ORDER BY id DESC LIMIT 1"
    );
    let row: Option<MessageRow> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(conversation_id)
        .bind(after)
        .bind(liaison_protocol::Sender::Customer.as_str())
        .fetch_optional(c)
        .await)?;
    row.map(Message::try_from).transpose()
}

/// When the customer last wrote in the conversation (WhatsApp's 24-hour window runs from it).
pub async fn last_from_customer_at(
    mut conn: Conn<'_>,
    conversation_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT MAX(created_at) FROM messages WHERE conversation_id = $1 AND sender = $2"
    )
    .bind(conversation_id)
    .bind(Sender::Customer.as_str())
    .fetch_one(c)
    .await)
}

/// The conversation's newest message the customer can see (operator-only lines left out).
pub async fn newest_visible(
    mut conn: Conn<'_>,
    conversation_id: i64,
) -> Result<Option<Message>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = $1 AND internal = FALSE
         ORDER BY id DESC LIMIT 1"
    );
    let row: Option<MessageRow> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(conversation_id)
        .fetch_optional(c)
        .await)?;
    row.map(Message::try_from).transpose()
}

/// Who reads a thread: operators see every message, the visitor all but operator-only lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Operators,
    Visitor,
}

pub async fn for_conversation(
    pool: &Pool,
    conversation_id: i64,
    audience: Audience,
) -> Result<Vec<Message>, sqlx::Error> {
    let visible = match audience {
        Audience::Operators => "",
        Audience::Visitor if pool.is_postgres() => " AND NOT internal",
        Audience::Visitor => " AND internal = 0",
    };
    let sql =
        format!("SELECT {COLUMNS} FROM messages WHERE conversation_id = $1{visible} ORDER BY id");
    let rows: Vec<MessageRow> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(conversation_id)
        .fetch_all(p)
        .await)?;
    rows.into_iter().map(Message::try_from).collect()
}
