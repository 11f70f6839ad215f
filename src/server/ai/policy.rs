//! When the AI speaks and when it hands over: plain rules, no I/O.

/// Phrases that mean "I want a person". Matched on whole words of the lowercased message.
const HUMAN_PHRASES: &[&str] = &[
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "real person",
    "real human",
    "a human",
    "human please",
    "human agent",
    "live agent",
    "support agent",
    "an agent",
    "agent please",
    "customer service",
    "customer support",
    "representative",
    "operator",
    "someone from support",
];

/// Whether the visitor asks for a human.
pub fn asks_for_human(message: &str) -> bool {
    let words = normalise(message);
    if words
        .split(' ')
        .any(|w| matches!(w, "human" | "agent" | "person"))
        && words.split(' ').count() <= 3
    {
        // "Human?", "agent please", "a person"
        return true;
    }
    HUMAN_PHRASES
        .iter()
        .any(|phrase| format!(" {words} ").contains(&format!(" {phrase} ")))
}

/// Lowercase words separated by single spaces, punctuation dropped.
fn normalise(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the AI says when it hands over because the visitor asked.
pub const HANDOVER_REQUESTED: &str =
    "Of course — I've asked a member of our team to join. A human will reply here shortly.";

/// What the AI says when the knowledge base has nothing relevant.
pub const HANDOVER_NO_ANSWER: &str = "I couldn't find that in our help articles, so I've asked a member of our team to join. A human will reply here shortly.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_for_a_human() {
        for m in [
            "Can I talk to a human?",
            "I want a REAL PERSON",
            "agent",
            "Agent please!",
            "let me speak to a person",
            "Is there a live agent?",
            "connect me with customer service",
            "human",
            "I'd like a representative",
        ] {
            assert!(asks_for_human(m), "{m}");
        }
    }

    #[test]
    fn ordinary_questions() {
        for m in [
            "How do I reset my password?",
            "What are your opening hours?",
            "Is the human resources module included?",
            "Do you ship to Canada?",
            "Who is your user agent parser vendor for browsers?",
        ] {
            assert!(!asks_for_human(m), "{m}");
        }
    }
}
