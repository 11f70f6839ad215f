//! The AI agent's turn: what happens after a visitor's message is stored.
//!
//! 1. The policy (`policy::decide`, pure) looks at the message and the thread: a request for a
//!    human, frustration, a confirmation or a greeting are handled here without any model.
//! 2. Otherwise the question is answered from the knowledge base: by the LLM when one is
//!    configured, else by the built-in answerer. Nothing relevant is a knowledge gap and a
//!    handover.
//! 3. Every write re-checks that the AI may still speak (`ai_may_reply`), so it never answers
//!    over an operator who joined meanwhile.

use super::builtin;
use super::policy::{self, Decision, Frustration, Handover, Lang, Say, Turn};
use crate::server::conversations::{self, Gap, OpError};
use crate::server::db::{self, Db, gaps::GapReason};
use liaison_protocol::{Citation, Message, Sender};

/// Runs the AI's turn for `message`, a visitor message already stored.
pub async fn respond(db: &Db, message: &Message) -> Result<(), OpError> {
    let thread = db::messages::for_conversation(&db.read, message.conversation_id).await?;
    let history: Vec<Turn<'_>> = thread
        .iter()
        .filter(|m| m.id < message.id)
        .map(|m| Turn::new(m.sender, &m.body))
        .collect();
    let lang = policy::lang::detect(&message.body);
    let conversation_id = message.conversation_id;
    match policy::decide(&history, &message.body) {
        Decision::Escalate(why) => {
            let gap = gap_for(why, &history, &message.body);
            conversations::ai_escalate(db, conversation_id, why.message(lang), gap).await?;
        }
        Decision::Resolve => {
            conversations::ai_resolve(db, conversation_id, policy::say(Say::Resolved, lang))
                .await?;
        }
        Decision::Greet => {
            conversations::post_ai_reply(
                db,
                conversation_id,
                policy::say(Say::Greeting, lang),
                &[],
            )
            .await?;
        }
        Decision::Answer => answer_builtin(db, conversation_id, &message.body, lang).await?,
    }
    Ok(())
}

/// Answers with the best passage, or hands over and records the gap.
pub async fn answer_builtin(
    db: &Db,
    conversation_id: i64,
    question: &str,
    lang: Lang,
) -> Result<(), OpError> {
    match builtin::answer(db, question).await? {
        Some(passage) => {
            let citation = Citation {
                title: passage.title.clone(),
                url: passage.url.clone(),
            };
            conversations::post_ai_reply(db, conversation_id, &passage.body, &[citation]).await?;
        }
        None => {
            let why = Handover::OutOfScope;
            let gap = gap_for(why, &[], question);
            conversations::ai_escalate(db, conversation_id, why.message(lang), gap).await?;
        }
    }
    Ok(())
}

/// The knowledge gap a handover reveals: the question itself when it is out of scope; the
/// question the AI failed on when its answers did not help.
pub fn gap_for<'a>(why: Handover, history: &[Turn<'a>], message: &'a str) -> Option<Gap<'a>> {
    match why {
        Handover::OutOfScope => Some(Gap {
            question: message,
            reason: GapReason::OutOfScope,
        }),
        Handover::Frustrated(Frustration::AiFailedTwice | Frustration::RepeatedQuestion) => {
            let question = history
                .iter()
                .find(|t| t.sender == Sender::Customer)
                .map_or(message, |t| t.body);
            Some(Gap {
                question,
                reason: GapReason::NoGoodAnswer,
            })
        }
        _ => None,
    }
}
