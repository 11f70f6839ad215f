//! What the model is told: the fixed rules, the business's instructions, the knowledge-base
//! passages (numbered, so answers can cite them), and the conversation. Also how an answer's
//! `[n]` markers become citations. Pure functions.

use crate::server::ai::retrieval::Passage;
use liaison_protocol::{Citation, Message, Sender};

/// The part of the system prompt no setting changes.
pub const RULES: &str = "You are the AI support assistant on a company's website, chatting with a customer.
- Answer only from the knowledge-base passages below or returned by search_knowledge_base. Never invent facts, prices, policies or links.
- Cite the passages you use with their numbers in square brackets, like [1].
- If the passages do not answer the question, do not guess: call escalate_to_human with reason \"out_of_scope\".
- If the customer asks for a person, or is upset, call escalate_to_human.
- If the customer confirms their issue is solved, call resolve_conversation.
- Reply in the customer's language, briefly and kindly, in plain text.";

/// How many earlier messages the model sees.
const HISTORY: usize = 20;

/// One message for the model, before it is turned into async-openai's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    System(String),
    User(String),
    Assistant(String),
}

/// The numbered passages from the `first`-th on, as the model reads them.
pub fn sources_text(sources: &[Passage], first: usize) -> String {
    let mut out = String::new();
    for (i, p) in sources.iter().enumerate().skip(first) {
        let heading = if p.heading == p.title {
            String::new()
        } else {
            format!(" — {}", p.heading)
        };
        out.push_str(&format!(
            "[{}] {}{}\n{}\n\n",
            i + 1,
            p.title,
            heading,
            p.body
        ));
    }
    out.trim_end().to_string()
}

/// The system prompt and the conversation (the visitor's newest message last).
pub fn build(instructions: &str, sources: &[Passage], thread: &[Message]) -> Vec<Line> {
    let mut system = RULES.to_string();
    if !instructions.trim().is_empty() {
        system.push_str("\n\n## Instructions from the company\n");
        system.push_str(instructions.trim());
    }
    system.push_str("\n\n## Knowledge-base passages\n");
    system.push_str(&sources_text(sources, 0));
    let mut lines = vec![Line::System(system)];
    let start = thread.len().saturating_sub(HISTORY);
    for m in &thread[start..] {
        match m.sender {
            Sender::Customer => lines.push(Line::User(m.body.clone())),
            Sender::Ai => lines.push(Line::Assistant(m.body.clone())),
            Sender::Agent => lines.push(Line::Assistant(format!("(Support agent) {}", m.body))),
            Sender::System => {}
        }
    }
    lines
}

/// Turns an answer's `[n]` markers into citations of the passages they name, and takes the
/// markers out of the text. An answer that cites nothing cites the passage it was given first
/// (it was told to answer only from them).
pub fn cite(answer: &str, sources: &[Passage]) -> (String, Vec<Citation>) {
    let mut text = String::with_capacity(answer.len());
    let mut cited: Vec<usize> = Vec::new();
    let mut rest = answer;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']');
        let inside = close.map(|c| &after[..c]);
        let numbers: Option<Vec<usize>> = inside.and_then(|s| {
            s.split(',')
                .map(|n| n.trim().parse::<usize>().ok())
                .collect()
        });
        match (close, numbers) {
            (Some(c), Some(ns)) if ns.iter().all(|n| (1..=sources.len()).contains(n)) => {
                text.push_str(rest[..open].trim_end_matches(' '));
                for n in ns {
                    if !cited.contains(&(n - 1)) {
                        cited.push(n - 1);
                    }
                }
                rest = &after[c + 1..];
            }
            _ => {
                text.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if cited.is_empty() && !sources.is_empty() {
        cited.push(0);
    }
    let mut citations: Vec<Citation> = Vec::new();
    for i in cited {
        let c = Citation {
            title: sources[i].title.clone(),
            url: sources[i].url.clone(),
        };
        // Two passages of one article are one source.
        if !citations.contains(&c) {
            citations.push(c);
        }
    }
    (text.trim().to_string(), citations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(title: &str, slug: &str) -> Passage {
        Passage {
            title: title.into(),
            url: Some(format!("/help/{slug}")),
            heading: "Heading".into(),
            body: "Body".into(),
        }
    }

    #[test]
    fn markers_become_citations() {
        let sources = [
            passage("Shipping", "shipping"),
            passage("Refunds", "refunds"),
        ];
        let (text, citations) = cite(
            "We ship to Canada [1]. Refunds take 5 days [2][1].",
            &sources,
        );
        assert_eq!(text, "We ship to Canada. Refunds take 5 days.");
        assert_eq!(citations.len(), 2);
        assert_eq!(citations[0].title, "Shipping");
        assert_eq!(citations[1].url.as_deref(), Some("/help/refunds"));
    }

    #[test]
    fn other_brackets_stay() {
        let sources = [passage("Shipping", "shipping")];
        let (text, citations) = cite("Use the [Forgot password] link [7] [1, 1]", &sources);
        assert_eq!(text, "Use the [Forgot password] link [7]");
        assert_eq!(citations.len(), 1);
    }

    #[test]
    fn an_uncited_answer_cites_the_first_passage() {
        let sources = [passage("Shipping", "shipping")];
        let (_, citations) = cite("Yes, we do.", &sources);
        assert_eq!(citations[0].title, "Shipping");
        assert!(cite("Yes.", &[]).1.is_empty());
    }

    #[test]
    fn the_prompt_holds_rules_instructions_sources_and_thread() {
        let thread = vec![Message {
            id: 1,
            conversation_id: 1,
            sender: Sender::Customer,
            body: "Do you ship to Canada?".into(),
            kind: Default::default(),
            attachment: None,
            booking: None,
            internal: false,
            client_msg_id: None,
            citations: vec![],
            created_at: 0,
            delivery: None,
            delivery_error: None,
        }];
        let lines = build("Be cheerful.", &[passage("Shipping", "shipping")], &thread);
        let Line::System(system) = &lines[0] else {
            panic!("system first")
        };
        assert!(system.starts_with(RULES));
        assert!(system.contains("Be cheerful."));
        assert!(system.contains("[1] Shipping — Heading\nBody"));
        assert_eq!(lines[1], Line::User("Do you ship to Canada?".into()));
    }
}
