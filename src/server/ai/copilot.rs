//! Copilot: reply drafts for the operator. With an LLM, the model reads the thread and the
//! relevant passages and writes two or three drafts; without one (or when it fails), the most
//! relevant passages are the drafts.

use super::agent::{current_settings, embed_question, record_usage};
use super::llm::client::Turn;
use super::llm::prompt::{Line, sources_text};
use super::llm::{AgentSettings, Llm};
use super::retrieval::{self, Passage};
use crate::server::db::{self, Db};
use liaison_protocol::{Message, Sender};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    /// The passage it came from, when it is one.
    pub source: Option<String>,
}

const INSTRUCTIONS: &str = "You help a customer-support agent reply to a customer. Read the conversation and the knowledge-base passages, then write three different short replies the agent could send next, in the customer's language, using only facts from the passages. Separate the replies with a line containing only ---. Write nothing else.";

/// Splits the model's text into drafts: at `---` lines, numbered prefixes dropped, at most three.
pub fn parse_drafts(text: &str) -> Vec<String> {
    text.split("\n---")
        .map(|d| d.trim_start_matches('-').trim())
        .map(|d| {
            let d = d.trim_start_matches(|c: char| c.is_ascii_digit());
            d.strip_prefix(". ")
                .or_else(|| d.strip_prefix(") "))
                .unwrap_or(d)
                .trim()
        })
        .filter(|d| !d.is_empty())
        .take(3)
        .map(str::to_string)
        .collect()
}

/// What the customer has asked lately: the search for the passages.
fn recent_questions(thread: &[Message]) -> String {
    thread
        .iter()
        .rev()
        .filter(|m| m.sender == Sender::Customer)
        .take(2)
        .map(|m| m.body.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn passage_drafts(passages: &[Passage]) -> Vec<Draft> {
    passages
        .iter()
        .take(3)
        .map(|p| Draft {
            text: p.body.clone(),
            source: Some(p.title.clone()),
        })
        .collect()
}

/// Drafts for `conversation_id`.
pub async fn drafts(
    db: &Db,
    defaults: &AgentSettings,
    conversation_id: i64,
) -> Result<Vec<Draft>, sqlx::Error> {
    let thread =
        db::messages::for_conversation(&db.read, conversation_id, db::messages::Audience::Visitor)
            .await?;
    let question = recent_questions(&thread);
    let settings = current_settings(db, defaults).await;
    let embedding = match &settings.llm {
        Some(endpoint) => embed_question(endpoint, &question).await,
        None => None,
    };
    let passages = retrieval::hybrid_passages(db, &question, embedding.as_deref(), 3).await?;
    let Some(endpoint) = settings.llm else {
        return Ok(passage_drafts(&passages));
    };
    // Past the AI budget the drafts are the passages themselves: no model call.
    if let Some(limit) = super::budget::reached(db, Some(conversation_id)).await? {
        super::budget::record_skipped(db, &endpoint, Some(conversation_id), limit).await;
        return Ok(passage_drafts(&passages));
    }
    let mut turns = vec![Turn::Line(Line::System(format!(
        "{INSTRUCTIONS}\n\n## Knowledge-base passages\n{}",
        sources_text(&passages, 0)
    )))];
    let transcript = thread
        .iter()
        .rev()
        .take(20)
        .rev()
        .filter(|m| m.sender != Sender::System)
        .map(|m| format!("{}: {}", label(m.sender), m.body))
        .collect::<Vec<_>>()
        .join("\n");
    turns.push(Turn::Line(Line::User(format!(
        "The conversation so far:\n{transcript}\n\nWrite the three replies."
    ))));
    let llm = Llm::new(&endpoint);
    let limit = std::time::Duration::from_secs(endpoint.timeout_secs);
    match tokio::time::timeout(limit, llm.complete(&turns)).await {
        Ok(Ok((text, usage))) => {
            record_usage(
                db,
                &endpoint,
                Some(conversation_id),
                "copilot",
                &usage.into_iter().collect::<Vec<_>>(),
            )
            .await;
            let drafts: Vec<Draft> = parse_drafts(&text)
                .into_iter()
                .map(|text| Draft { text, source: None })
                .collect();
            if drafts.is_empty() {
                Ok(passage_drafts(&passages))
            } else {
                Ok(drafts)
            }
        }
        Ok(Err(e)) => {
            tracing::warn!(conversation = conversation_id, "copilot: {e}");
            Ok(passage_drafts(&passages))
        }
        Err(_) => {
            tracing::warn!(conversation = conversation_id, "copilot: timed out");
            Ok(passage_drafts(&passages))
        }
    }
}

fn label(sender: Sender) -> &'static str {
    match sender {
        Sender::Customer => "Customer",
        Sender::Ai => "AI assistant",
        Sender::Agent => "Agent",
        Sender::System => "System",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_split_at_separator_lines() {
        let text = "1. Hi! We ship to Canada.\n---\n2) Yes, Canada is covered.\n---\nSure — we deliver there.\n---\nA fourth one";
        assert_eq!(
            parse_drafts(text),
            vec![
                "Hi! We ship to Canada.",
                "Yes, Canada is covered.",
                "Sure — we deliver there."
            ]
        );
        assert_eq!(parse_drafts("Just one."), vec!["Just one."]);
        assert!(parse_drafts(" \n---\n ").is_empty());
    }
}
