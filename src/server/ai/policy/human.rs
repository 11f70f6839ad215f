//! Explicit requests for a person, in the languages the policy understands. Matched on whole words
//! of the normalised message (see `words::normalise`: lowercase, no accents).

use super::words::{find_phrase, words};

const PHRASES: &[&str] = &[
    // English
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "speak with a person",
    "talk with a person",
    "speak to someone",
    "talk to someone",
    "real person",
    "real human",
    "a human",
    "human please",
    "human agent",
    "live agent",
    "live chat with a person",
    "support agent",
    "an agent",
    "agent please",
    "customer service",
    "customer support",
    "representative",
    "operator",
    "someone from support",
    "someone from your team",
    // Spanish
    "hablar con una persona",
    "hablar con un humano",
    "hablar con alguien",
    "hablar con un agente",
    "persona real",
    "un humano",
    "un agente",
    "atencion al cliente",
    "servicio al cliente",
    // French
    "parler a quelqu'un",
    "parler a une personne",
    "parler a un humain",
    "parler a un conseiller",
    "parler a un agent",
    "une vraie personne",
    "un humain",
    "un conseiller",
    "service client",
    // German
    "mit einem menschen",
    "mit einer person",
    "mit einem mitarbeiter",
    "mit jemandem sprechen",
    "echten menschen",
    "echte person",
    "einen menschen",
    "einen mitarbeiter",
    "kundendienst",
    "kundenservice",
    // Italian
    "parlare con una persona",
    "parlare con qualcuno",
    "parlare con un operatore",
    "parlare con un umano",
    "persona reale",
    "un operatore",
    "un umano",
    "assistenza clienti",
    "servizio clienti",
    // Portuguese
    "falar com uma pessoa",
    "falar com um humano",
    "falar com alguem",
    "falar com um atendente",
    "pessoa real",
    "um atendente",
    "um humano",
    "atendimento ao cliente",
];

/// One-word (or nearly) requests: "Human?", "agent please", "un humano".
const SHORT: &[&str] = &[
    "human",
    "agent",
    "person",
    "humano",
    "persona",
    "agente",
    "humain",
    "conseiller",
    "mensch",
    "mitarbeiter",
    "umano",
    "operatore",
    "pessoa",
    "atendente",
];

/// Whether the visitor asks for a human. `text` is normalised.
pub fn asks_for_human(text: &str) -> bool {
    if words(text).count() <= 3 && words(text).any(|w| SHORT.contains(&w)) {
        return true;
    }
    find_phrase(text, PHRASES).is_some()
}
