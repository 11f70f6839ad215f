//! The built-in answerer: replies with the best knowledge-base passage and its source, or hands
//! over to a human when asked or when nothing relevant is found.

use super::{policy, retrieval};
use crate::server::conversations::{self, Actor, OpError};
use crate::server::db::Db;
use liaison_protocol::Citation;

/// Answers the visitor's latest message in `conversation_id`. Runs after the visitor's send has
/// been stored, so a failure here loses nothing the visitor wrote.
pub async fn respond(db: &Db, conversation_id: i64, visitor_text: &str) -> Result<(), OpError> {
    if policy::asks_for_human(visitor_text) {
        conversations::escalate(
            db,
            conversation_id,
            Actor::Ai,
            Some(policy::HANDOVER_REQUESTED),
        )
        .await?;
        return Ok(());
    }
    match retrieval::best_passage(&db.read, visitor_text).await? {
        Some(passage) => {
            let citation = Citation {
                title: passage.article_title.clone(),
                url: None,
            };
            conversations::post_ai_reply(db, conversation_id, &passage.body, &[citation]).await?;
        }
        None => {
            conversations::escalate(
                db,
                conversation_id,
                Actor::Ai,
                Some(policy::HANDOVER_NO_ANSWER),
            )
            .await?;
        }
    }
    Ok(())
}
