//! The tools the model may call, and how a streamed tool call is read back. Models (small local
//! ones especially) send broken JSON, unknown names or missing arguments: each of those is a
//! `Malformed` call, which the agent answers with the built-in fallback, never a crash.

use serde_json::{Value, json};

pub const ESCALATE: &str = "escalate_to_human";
pub const RESOLVE: &str = "resolve_conversation";
pub const SEARCH: &str = "search_knowledge_base";

/// (name, description, JSON-schema parameters) of each tool.
pub fn definitions() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            ESCALATE,
            "Hand the conversation to a human support agent. Use when the knowledge base does not answer the question (reason \"out_of_scope\"), when the customer asks for a person, or when they are upset.",
            json!({
                "type": "object",
                "properties": {"reason": {"type": "string", "description": "Why a human is needed"}},
                "required": ["reason"]
            }),
        ),
        (
            RESOLVE,
            "Mark the conversation resolved. Use only when the customer confirms their issue is solved.",
            json!({"type": "object", "properties": {}}),
        ),
        (
            SEARCH,
            "Search the knowledge base for passages about a topic. Returns numbered passages you can cite.",
            json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to look for"}},
                "required": ["query"]
            }),
        ),
    ]
}

/// A tool call as it arrives in stream pieces: the name and arguments grow chunk by chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// What the model asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolCall {
    Escalate { reason: String },
    Resolve,
    Search { query: String },
}

/// Reads a finished call. The error says what was wrong with it.
pub fn parse(call: &PendingCall) -> Result<ToolCall, String> {
    let args: Value = if call.arguments.trim().is_empty() {
        json!({})
    } else {
        serde_json::from_str(&call.arguments)
            .map_err(|e| format!("{}: arguments are not JSON ({e})", call.name))?
    };
    let text = |key: &str| args.get(key).and_then(Value::as_str).map(str::trim);
    match call.name.as_str() {
        ESCALATE => Ok(ToolCall::Escalate {
            // A handover without a reason is still a handover.
            reason: text("reason").unwrap_or_default().to_string(),
        }),
        RESOLVE => Ok(ToolCall::Resolve),
        SEARCH => match text("query") {
            Some(q) if !q.is_empty() => Ok(ToolCall::Search {
                query: q.chars().take(500).collect(),
            }),
            _ => Err(format!("{SEARCH}: no query")),
        },
        other => Err(format!("unknown tool {other:?}")),
    }
}

/// Adds a streamed piece to the call at `index`, creating it when new.
pub fn accumulate(
    calls: &mut Vec<PendingCall>,
    index: usize,
    id: Option<&str>,
    name: Option<&str>,
    arguments: Option<&str>,
) {
    if index > 16 {
        // No real model calls this many tools at once; refuse to grow without bound.
        return;
    }
    while calls.len() <= index {
        calls.push(PendingCall::default());
    }
    let call = &mut calls[index];
    if let Some(id) = id {
        call.id.push_str(id);
    }
    if let Some(name) = name {
        call.name.push_str(name);
    }
    if let Some(a) = arguments {
        call.arguments.push_str(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arguments: &str) -> PendingCall {
        PendingCall {
            id: "c1".into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }

    #[test]
    fn streamed_pieces_make_one_call() {
        let mut calls = Vec::new();
        accumulate(&mut calls, 0, Some("call_1"), Some("search_"), None);
        accumulate(&mut calls, 0, None, Some("knowledge_base"), Some("{\"que"));
        accumulate(&mut calls, 0, None, None, Some("ry\": \"refunds\"}"));
        assert_eq!(
            parse(&calls[0]),
            Ok(ToolCall::Search {
                query: "refunds".into()
            })
        );
    }

    #[test]
    fn well_formed_calls() {
        assert_eq!(
            parse(&call(ESCALATE, r#"{"reason":"out_of_scope"}"#)),
            Ok(ToolCall::Escalate {
                reason: "out_of_scope".into()
            })
        );
        assert_eq!(parse(&call(RESOLVE, "")), Ok(ToolCall::Resolve));
        assert_eq!(
            parse(&call(ESCALATE, "{}")),
            Ok(ToolCall::Escalate { reason: "".into() })
        );
    }

    #[test]
    fn malformed_calls_are_errors() {
        assert!(parse(&call(SEARCH, "{\"query\": ")).is_err());
        assert!(parse(&call(SEARCH, "{}")).is_err());
        assert!(parse(&call("delete_everything", "{}")).is_err());
        assert!(parse(&call(ESCALATE, "not json")).is_err());
    }
}
