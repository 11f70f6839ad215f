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

/// Conversations whose lease ran out without being let go (the instance holding it died
/// mid-turn), with the newest message a turn had read in each.
pub async fn abandoned(mut conn: Conn<'_>, now: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on!(conn, |c| sqlx::query_as(
        "SELECT conversation_id, answered FROM ai_turns WHERE until > 0 AND until < $1 LIMIT 1000"
    )
    .bind(now)
    .fetch_all(c)
    .await)
}

/// Clears a lease that ran out with nothing left to answer, so it is not looked at again.
pub async fn settle(mut conn: Conn<'_>, conversation_id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(conn, |c| sqlx::query(
        "UPDATE ai_turns SET until = 0 WHERE conversation_id = $1 AND until > 0 AND until < $2"
    )
    .bind(conversation_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}
