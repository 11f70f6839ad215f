//! Cross-language retrieval: a question in Spanish finds the English article. When nothing in
//! the knowledge base matches the question as written and a model is configured, the model
//! translates the question into English and retrieval runs again; the answer is still written
//! in the visitor's language (the prompt's rules). Without a model the visitor is told, in their
//! language, that a person will help, and the gap is recorded (see `agent`).

use super::agent::record_usage;
use super::llm::client::Turn;
use super::llm::prompt::Line;
use super::llm::{Endpoint, Llm};
use crate::server::db::Db;

const INSTRUCTIONS: &str = "Translate the customer's message into English, to search a help \
center with it. Reply with the translation only: no quotes, no notes. Keep product names, \
numbers and codes as they are.";

/// The question in English, or None when the model fails or says nothing useful (the caller
/// then goes on as if there were no translation).
pub async fn to_english(
    db: &Db,
    endpoint: &Endpoint,
    conversation_id: i64,
    question: &str,
) -> Option<String> {
    let turns = [
        Turn::Line(Line::System(INSTRUCTIONS.to_string())),
        Turn::Line(Line::User(question.to_string())),
    ];
    let limit = std::time::Duration::from_secs(endpoint.timeout_secs);
    match tokio::time::timeout(limit, Llm::new(endpoint).complete(&turns)).await {
        Ok(Ok((text, usage))) => {
            let usage: Vec<_> = usage.into_iter().collect();
            record_usage(db, endpoint, Some(conversation_id), "translate", &usage).await;
            let text = text.trim();
            (!text.is_empty() && text != question.trim()).then(|| text.to_string())
        }
        Ok(Err(e)) => {
            tracing::warn!(
                conversation = conversation_id,
                "translating the question: {e}"
            );
            None
        }
        Err(_) => {
            tracing::warn!(
                conversation = conversation_id,
                "translating the question timed out"
            );
            None
        }
    }
}
