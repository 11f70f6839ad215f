//! When the AI speaks, hands over, or resolves: plain rules over the conversation's text, no I/O.
//! They run before any model is asked, with or without an LLM configured, so a request for a
//! human is never sent to the model first and the outcome is the same for every provider.
//!
//! Out of scope is decided after retrieval (nothing relevant found, or the model says so): see
//! `ai::agent`. Silence while a human holds the conversation is `ai_may_reply` in protocol/.

mod confirm;
mod human;
pub mod lang;
mod meeting;
mod mood;
mod words;

#[cfg(test)]
mod table;

pub use lang::{Lang, Say, say};
use liaison_protocol::Sender;
use liaison_protocol::analytics::HandoverReason;

/// One earlier message of the conversation, oldest first.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    pub sender: Sender,
    pub body: &'a str,
}

impl<'a> Turn<'a> {
    pub fn new(sender: Sender, body: &'a str) -> Self {
        Turn { sender, body }
    }
}

/// Why the AI hands a conversation to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// The visitor asked for a person.
    Requested,
    /// Insults, shouting, "this is useless", the same question again, or two failed answers.
    Frustrated(Frustration),
    /// Nothing in the knowledge base answers it (a knowledge gap).
    OutOfScope,
    /// The model or network failed and nothing could stand in.
    Error,
    /// The AI budget (Settings) is spent: no model call until it allows one again.
    Budget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frustration {
    Insult,
    Shouting,
    RepeatedQuestion,
    AiFailedTwice,
}

impl Handover {
    /// What the AI tells the visitor, in their language.
    pub fn message(self, lang: Lang) -> &'static str {
        say(
            match self {
                Handover::Requested => Say::HandoverRequested,
                Handover::Frustrated(_) => Say::HandoverFrustrated,
                Handover::OutOfScope => Say::HandoverNoAnswer,
                Handover::Error | Handover::Budget => Say::HandoverError,
            },
            lang,
        )
    }

    /// How Analytics groups it.
    pub fn kind(self) -> HandoverReason {
        match self {
            Handover::Requested => HandoverReason::AskedForHuman,
            Handover::Frustrated(_) => HandoverReason::Frustrated,
            Handover::OutOfScope => HandoverReason::OutOfScope,
            Handover::Error | Handover::Budget => HandoverReason::AiUnavailable,
        }
    }

    /// Short reason recorded with the escalation (shown to operators).
    pub fn reason(self) -> &'static str {
        match self {
            Handover::Requested => "visitor asked for a human",
            Handover::Frustrated(Frustration::Insult) => "visitor is frustrated",
            Handover::Frustrated(Frustration::Shouting) => "visitor is shouting",
            Handover::Frustrated(Frustration::RepeatedQuestion) => "visitor repeated the question",
            Handover::Frustrated(Frustration::AiFailedTwice) => {
                "the AI's answers did not help twice"
            }
            Handover::OutOfScope => "outside the knowledge base",
            Handover::Error => "the AI could not answer",
            Handover::Budget => "the AI budget is spent",
        }
    }
}

/// What to do with a new visitor message, before any retrieval or model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Hand over to a human now.
    Escalate(Handover),
    /// The visitor confirmed the issue is solved.
    Resolve,
    /// A bare greeting: greet back and wait for the question.
    Greet,
    /// The visitor asks to book a meeting: offer the free slots (when bookings are on).
    OfferBooking,
    /// Thanks or "ok" with nothing asked (and no answer to confirm yet): say so and wait; no
    /// lookup, so it can never be found out of scope and handed over.
    Acknowledge,
    /// Look it up and answer (or find it out of scope).
    Answer,
}

/// How alike a message must be to an earlier one to count as asking again.
const REPEAT_SIMILARITY: f64 = 0.8;

/// Decides what the AI does with `message`, given the conversation so far.
pub fn decide(history: &[Turn<'_>], message: &str) -> Decision {
    let text = words::normalise(message);
    if human::asks_for_human(&text) {
        return Decision::Escalate(Handover::Requested);
    }
    if mood::insults_or_verdict(&text) {
        return Decision::Escalate(Handover::Frustrated(Frustration::Insult));
    }
    if words::is_shouting(message) {
        return Decision::Escalate(Handover::Frustrated(Frustration::Shouting));
    }
    let answered = history.iter().any(|t| t.sender != Sender::Customer);
    if answered && asked_before(history, message) {
        return Decision::Escalate(Handover::Frustrated(Frustration::RepeatedQuestion));
    }
    if mood::dissatisfied(&text) && previous_reply_also_failed(history) {
        return Decision::Escalate(Handover::Frustrated(Frustration::AiFailedTwice));
    }
    if answered && confirm::confirms(message) {
        return Decision::Resolve;
    }
    if mood::greeting_only(&text) {
        return Decision::Greet;
    }
    if meeting::wants_meeting(&text) {
        return Decision::OfferBooking;
    }
    if !confirm::asks_for_something(message) {
        return Decision::Acknowledge;
    }
    Decision::Answer
}

/// Whether an earlier visitor message, already answered, asked the same thing.
fn asked_before(history: &[Turn<'_>], message: &str) -> bool {
    let Some(last_answer) = history.iter().rposition(|t| t.sender != Sender::Customer) else {
        return false;
    };
    history[..last_answer]
        .iter()
        .filter(|t| t.sender == Sender::Customer)
        .any(|t| words::similarity(t.body, message) >= REPEAT_SIMILARITY)
}

/// Whether the visitor's previous message, sent after an AI answer, also said it did not help:
/// with the new one, the AI has failed twice in a row.
fn previous_reply_also_failed(history: &[Turn<'_>]) -> bool {
    let mut customer = history
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, t)| t.sender == Sender::Customer);
    let Some((i, previous)) = customer.next() else {
        return false;
    };
    let followed_ai = history[..i]
        .iter()
        .rev()
        .find(|t| t.sender != Sender::System)
        .is_some_and(|t| t.sender == Sender::Ai);
    followed_ai && mood::dissatisfied(&words::normalise(previous.body))
}
