//! Leases on conversations for AI turns: across instances, one turn at a time per conversation,
//! and each message answered once (`ai::turns`).

use super::{Conn, on};

/// Takes `conversation_id` for `holder` until `until`, if nobody holds it or their lease ended
/// before `now`: the newest message a turn has read in it (0 for none). None if another holder
/// has it.
pub async fn claim(
    mut conn: Conn<'_>,
    conversation_id: i64,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "INSERT INTO ai_turns (conversation_id, holder, until) VALUES ($1, $2, $3)
         ON CONFLICT (conversation_id) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE ai_turns.until < $4
         RETURNING answered"
    )
    .bind(conversation_id)
    .bind(holder)
    .bind(until)
    .bind(now)
    .fetch_optional(c)
    .await
    })
}

/// Lets go of `conversation_id`, if `holder` still has it, having read up to the message
/// `answered`.
pub async fn release(
    mut conn: Conn<'_>,
    conversation_id: i64,
    holder: &str,
    answered: i64,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE ai_turns SET until = 0,
                answered = CASE WHEN answered < $3 THEN $3 ELSE answered END
         WHERE conversation_id = $1 AND holder = $2"
    )
    .bind(conversation_id)
    .bind(holder)
    .bind(answered)
    .execute(c)
    .await
    .map(|_| ()))
}
