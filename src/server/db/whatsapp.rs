//! The WhatsApp channel's tables: messages as the webhook received them.

use super::{Conn, on};

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
