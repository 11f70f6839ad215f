//! The WhatsApp channel's tables: messages as the webhook received them, and replies waiting
//! to be sent (the outbox) with what Meta reported of them.

use super::{Conn, Pool, on};
use liaison_protocol::Delivery;

/// Stores a received message once per Meta message id; false if it was stored before (a
/// redelivery).
pub async fn store_inbound(
    mut conn: Conn<'_>,
    wamid: &str,
    phone: &str,
    message: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "INSERT INTO whatsapp_inbound (wamid, phone, message, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (wamid) DO NOTHING"
    )
    .bind(wamid)
    .bind(phone)
    .bind(message)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// A received message not yet in its conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub id: i64,
    /// The sender's number: messages from one number are put in order.
    pub phone: String,
    /// The `Inbound` as JSON.
    pub message: String,
    pub attempts: i64,
}

/// The received messages waiting to be put in their conversations, oldest first.
pub async fn waiting(pool: &Pool, limit: i64) -> Result<Vec<Waiting>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT id, phone, message, attempts FROM whatsapp_inbound
         WHERE processed_at IS NULL ORDER BY id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// The received message is in its conversation.
pub async fn processed(mut conn: Conn<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE whatsapp_inbound SET processed_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A try at the received message failed (its media could not be fetched): counted.
pub async fn tried(mut conn: Conn<'_>, id: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE whatsapp_inbound SET attempts = attempts + 1 WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A reply to send, in the transaction that wrote its message; `template` is the approved
/// template's JSON when the message stands for one.
pub async fn enqueue(
    mut conn: Conn<'_>,
    message_id: i64,
    template: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "INSERT INTO whatsapp_outbound (message_id, next_at, template) VALUES ($1, $2, $3)"
    )
    .bind(message_id)
    .bind(now)
    .bind(template)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A reply whose time to be sent has come.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub message_id: i64,
    pub conversation_id: i64,
    pub visitor_id: i64,
    pub attempts: i64,
    /// The customer's number (E.164).
    pub phone: Option<String>,
    pub kind: String,
    pub body: String,
    /// The attachment's JSON, as messages keep it.
    pub attachment: Option<String>,
    pub template: Option<String>,
}

/// The replies due at `now`, oldest first. A reply is not due while an earlier one of its
/// conversation waits for a retry (the customer reads them in the order they were written);
/// earlier ones due with it come first in the list.
pub async fn due(pool: &Pool, now: i64, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    on!(pool, |p| sqlx::query_as(
        "SELECT o.message_id, m.conversation_id, c.visitor_id, o.attempts, v.whatsapp AS phone,
                m.kind, m.body, m.attachment, o.template
         FROM whatsapp_outbound o
         JOIN messages m ON m.id = o.message_id
         JOIN conversations c ON c.id = m.conversation_id
         JOIN visitors v ON v.id = c.visitor_id
         WHERE o.next_at IS NOT NULL AND o.next_at <= $1
           AND NOT EXISTS (
               SELECT 1 FROM whatsapp_outbound e JOIN messages em ON em.id = e.message_id
               WHERE e.next_at > $1 AND e.message_id < o.message_id
                 AND em.conversation_id = m.conversation_id)
         ORDER BY o.message_id LIMIT $2"
    )
    .bind(now)
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// What one try at sending a reply came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    pub delivery: Delivery,
    /// Meta's id for the message, when it took it.
    pub wamid: Option<String>,
    pub error: Option<String>,
    /// When to try again (still queued), if it will be.
    pub next_at: Option<i64>,
}

/// Records a try: the outbox row (attempts, next try, Meta's id) and the message's delivery.
pub async fn record_try(
    mut conn: Conn<'_>,
    message_id: i64,
    tried: &Tried,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE whatsapp_outbound SET attempts = attempts + 1, next_at = $1, wamid = $2
         WHERE message_id = $3"
    )
    .bind(tried.next_at)
    .bind(&tried.wamid)
    .bind(message_id)
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    set_delivery(conn, message_id, tried.delivery, tried.error.as_deref()).await
}

/// The message's delivery as shown in the thread.
pub async fn set_delivery(
    mut conn: Conn<'_>,
    message_id: i64,
    delivery: Delivery,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE messages SET delivery = $1, delivery_error = $2 WHERE id = $3"
    )
    .bind(delivery.as_str())
    .bind(error)
    .bind(message_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The reply Meta knows as `wamid`: its message, conversation, visitor and delivery now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sent {
    pub message_id: i64,
    pub conversation_id: i64,
    pub visitor_id: i64,
    pub delivery: Option<String>,
}

pub async fn sent(mut conn: Conn<'_>, wamid: &str) -> Result<Option<Sent>, sqlx::Error> {
    on!(conn, |c| sqlx::query_as(
        "SELECT o.message_id, m.conversation_id, c.visitor_id, m.delivery
         FROM whatsapp_outbound o
         JOIN messages m ON m.id = o.message_id
         JOIN conversations c ON c.id = m.conversation_id
         WHERE o.wamid = $1"
    )
    .bind(wamid)
    .fetch_optional(c)
    .await)
}

/// Deletes up to `limit` received messages put in their conversations before `cutoff` (they
/// are in `messages`; the row only served to recognise a redelivery). How many.
pub async fn delete_processed_before(
    mut conn: Conn<'_>,
    cutoff: i64,
    limit: i64,
) -> Result<u64, sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "DELETE FROM whatsapp_inbound WHERE id IN (
            SELECT id FROM whatsapp_inbound
            WHERE processed_at IS NOT NULL AND processed_at < $1 LIMIT $2)"
    )
    .bind(cutoff)
    .bind(limit)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
