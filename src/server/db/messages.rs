use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::{Citation, Message, Sender};
use sqlx::FromRow;

#[derive(FromRow)]
struct MessageRow {
    id: i64,
    conversation_id: i64,
    sender: String,
    body: String,
    client_msg_id: Option<String>,
    citations: String,
    created_at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = sqlx::Error;

    fn try_from(r: MessageRow) -> Result<Message, sqlx::Error> {
        Ok(Message {
            id: r.id,
            conversation_id: r.conversation_id,
            sender: Sender::parse(&r.sender)
                .ok_or_else(|| super::conversations::unknown("sender", &r.sender))?,
            body: r.body,
            client_msg_id: r.client_msg_id,
            citations: serde_json::from_str(&r.citations)
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
            created_at: r.created_at,
        })
    }
}

const COLUMNS: &str = "id, conversation_id, sender, body, client_msg_id, citations, created_at";

pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub sender: Sender,
    pub body: &'a str,
    pub author_id: Option<i64>,
    pub client_msg_id: Option<&'a str>,
    pub citations: &'a [Citation],
}

pub async fn insert(mut conn: Conn<'_>, m: NewMessage<'_>) -> Result<Message, sqlx::Error> {
    let citations = serde_json::to_string(m.citations).expect("citations serialize");
    let sql = format!(
        "INSERT INTO messages (conversation_id, sender, body, author_id, client_msg_id, citations, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
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

pub async fn for_conversation(
    pool: &Pool,
    conversation_id: i64,
) -> Result<Vec<Message>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY id");
    let rows: Vec<MessageRow> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(conversation_id)
        .fetch_all(p)
        .await)?;
    rows.into_iter().map(Message::try_from).collect()
}
