//! One answer from the model: stream it, pass each piece of text on as it arrives, run the
//! tools it calls, and say how it ended. Time limits apply to the first token and to every gap
//! between tokens, so a stalled upstream never leaves the visitor waiting.

use super::client::{CompletionUsage, Llm, Turn};
use super::prompt::{self, Line};
use super::tools::{self, PendingCall, ToolCall};
use crate::server::ai::retrieval::Passage;
use futures::StreamExt;
use std::future::Future;
use std::time::Duration;
use tokio::time::timeout;

/// How the model's turn ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Answer(String),
    Escalate { reason: String },
    Resolve { text: String },
}

#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("upstream error: {0}")]
    Upstream(#[from] async_openai::error::OpenAIError),
    #[error("no token within {0} s")]
    Timeout(u64),
    #[error("malformed tool call: {0}")]
    Malformed(String),
    #[error("the model answered nothing")]
    Empty,
    #[error("the model kept searching ({0} rounds)")]
    TooManyRounds(usize),
    #[error("the AI budget is spent")]
    OverBudget,
}

/// What a turn spends, and whether it may spend more: each model call's usage is handed over
/// as the call ends, and the budget is asked before every call, the search tool's further
/// rounds included (Settings → AI budget is enforced per call, not per turn).
pub trait Meter {
    fn spent(&self, usage: &[CompletionUsage]) -> impl Future<Output = ()>;
    fn may_call(&self) -> impl Future<Output = bool>;
}

/// What came of a turn, and which passages it may cite (the search tool can add passages to
/// those it started with). What it cost went to the [`Meter`].
pub struct Finished {
    pub outcome: Result<Outcome, TurnError>,
    pub sources: Vec<Passage>,
}

const MAX_ROUNDS: usize = 3;

/// Runs the model on `lines` (from `prompt::build`). `search` answers the search tool;
/// `on_delta` gets each piece of text as it streams; `meter` is asked before each call and
/// told what each cost.
pub async fn run<S, F>(
    llm: &Llm,
    lines: Vec<Line>,
    mut sources: Vec<Passage>,
    search: S,
    mut on_delta: impl FnMut(&str),
    meter: &impl Meter,
) -> Finished
where
    S: Fn(String) -> F,
    F: Future<Output = Vec<Passage>>,
{
    let mut turns: Vec<Turn> = lines.into_iter().map(Turn::Line).collect();
    let limit = Duration::from_secs(llm.endpoint.timeout_secs);
    for _ in 0..MAX_ROUNDS {
        if !meter.may_call().await {
            return Finished {
                outcome: Err(TurnError::OverBudget),
                sources,
            };
        }
        let mut usage = Vec::new();
        let round = stream_round(llm, &turns, limit, &mut usage, &mut on_delta).await;
        meter.spent(&usage).await;
        let (text, calls) = match round {
            Ok(r) => r,
            Err(e) => {
                return Finished {
                    outcome: Err(e),
                    sources,
                };
            }
        };
        if calls.is_empty() {
            let outcome = if text.trim().is_empty() {
                Err(TurnError::Empty)
            } else {
                Ok(Outcome::Answer(text))
            };
            return Finished { outcome, sources };
        }
        let mut parsed = Vec::new();
        for call in &calls {
            match tools::parse(call) {
                Ok(c) => parsed.push((call.id.clone(), c)),
                Err(e) => {
                    return Finished {
                        outcome: Err(TurnError::Malformed(e)),
                        sources,
                    };
                }
            }
        }
        // A handover or a resolution ends the turn, whatever else was asked.
        for (_, call) in &parsed {
            let end = match call {
                ToolCall::Escalate { reason } => Some(Outcome::Escalate {
                    reason: reason.clone(),
                }),
                ToolCall::Resolve => Some(Outcome::Resolve { text: text.clone() }),
                ToolCall::Search { .. } => None,
            };
            if let Some(outcome) = end {
                return Finished {
                    outcome: Ok(outcome),
                    sources,
                };
            }
        }
        turns.push(Turn::ToolRequest { text, calls });
        for (call_id, call) in parsed {
            let ToolCall::Search { query } = call else {
                continue;
            };
            let found = search(query).await;
            let first = sources.len();
            for p in found {
                if !sources.contains(&p) {
                    sources.push(p);
                }
            }
            let content = if sources.len() == first {
                "No passages found.".to_string()
            } else {
                // Numbered after the ones the model already has, so [n] stays unambiguous.
                prompt::sources_text(&sources, first)
            };
            turns.push(Turn::ToolResult { call_id, content });
        }
    }
    Finished {
        outcome: Err(TurnError::TooManyRounds(MAX_ROUNDS)),
        sources,
    }
}

/// One streamed completion: its text and tool calls.
async fn stream_round(
    llm: &Llm,
    turns: &[Turn],
    limit: Duration,
    usage: &mut Vec<CompletionUsage>,
    on_delta: &mut impl FnMut(&str),
) -> Result<(String, Vec<PendingCall>), TurnError> {
    let secs = limit.as_secs();
    let mut stream = timeout(limit, llm.stream(turns))
        .await
        .map_err(|_| TurnError::Timeout(secs))??;
    let mut text = String::new();
    let mut calls: Vec<PendingCall> = Vec::new();
    loop {
        let chunk = match timeout(limit, stream.next()).await {
            Err(_) => return Err(TurnError::Timeout(secs)),
            Ok(None) => break,
            Ok(Some(chunk)) => chunk?,
        };
        if let Some(u) = chunk.usage {
            usage.push(u);
        }
        let Some(choice) = chunk.choices.into_iter().next() else {
            continue;
        };
        if let Some(piece) = choice.delta.content
            && !piece.is_empty()
        {
            on_delta(&piece);
            text.push_str(&piece);
        }
        for call in choice.delta.tool_calls.unwrap_or_default() {
            let function = call.function.unwrap_or_default();
            tools::accumulate(
                &mut calls,
                call.index as usize,
                call.id.as_deref(),
                function.name.as_deref(),
                function.arguments.as_deref(),
            );
        }
    }
    Ok((text, calls))
}
