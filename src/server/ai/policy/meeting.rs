//! Whether the visitor asks to book a meeting: an arranging verb and a meeting noun in the same
//! message ("can I book a demo?", "¿puedo agendar una llamada?", "je voudrais prendre
//! rendez-vous", "kann ich einen Termin vereinbaren?"), not negated. Whole words of the
//! normalised text; a meeting word alone ("is the demo free?") or a past arrangement ("when is
//! my call scheduled?") is a question, not a request.

use super::words::words;

/// Verbs (as people type them when asking) that arrange a meeting.
const ARRANGE: &[&str] = &[
    // English
    "book",
    "schedule",
    "arrange",
    "reserve",
    "setup",
    "set",
    "organise",
    "organize",
    // Spanish / Portuguese
    "reservar",
    "agendar",
    "programar",
    "concertar",
    "marcar",
    "pedir",
    // French
    "reserver",
    "prendre",
    "planifier",
    "organiser",
    "fixer",
    "caler",
    // German
    "buchen",
    "vereinbaren",
    "ausmachen",
    "reservieren",
    "planen",
    // Italian
    "prenotare",
    "fissare",
    "organizzare",
    "programmare",
];

/// What is arranged.
const MEETING: &[&str] = &[
    // English
    "meeting",
    "demo",
    "call",
    "appointment",
    "consultation",
    "session",
    "slot",
    // Spanish / Portuguese
    "reunion",
    "reuniao",
    "cita",
    "llamada",
    "chamada",
    "demostracion",
    "demonstracao",
    "consulta",
    "horario",
    // French
    "rendez",
    "rdv",
    "demonstration",
    "appel",
    "creneau",
    // German
    "termin",
    "gesprach",
    "beratung",
    "anruf",
    "beratungsgesprach",
    // Italian
    "appuntamento",
    "riunione",
    "chiamata",
    "incontro",
    "dimostrazione",
];

/// Words that turn the request around when they come just before the verb.
const NOT: &[&str] = &[
    "not", "don't", "dont", "no", "never", "nao", "pas", "ne", "nicht", "kein", "keinen", "non",
    "nunca", "jamais",
];

/// Whether the normalised `text` asks to book a meeting.
pub fn wants_meeting(text: &str) -> bool {
    let w: Vec<&str> = words(text).collect();
    let verb = w.iter().position(|x| ARRANGE.contains(x));
    let Some(verb) = verb else { return false };
    let negated = w[verb.saturating_sub(3)..verb]
        .iter()
        .any(|x| NOT.contains(x));
    !negated && w.iter().any(|x| MEETING.contains(x))
}

#[cfg(test)]
mod tests {
    use super::super::words::normalise;
    use super::wants_meeting;

    #[test]
    fn requests_in_six_languages() {
        for asks in [
            "Hi, could I book a demo for my team next week?",
            "I'd like to schedule a call with sales",
            "can we set up a meeting?",
            "Is it possible to arrange a consultation",
            "Quisiera agendar una llamada con ventas",
            "¿Puedo reservar una cita para el martes?",
            "Je voudrais prendre rendez-vous avec un conseiller",
            "Peut-on fixer un appel demain ?",
            "Kann ich einen Termin vereinbaren?",
            "Ich möchte ein Beratungsgespräch buchen",
            "Vorrei prenotare un appuntamento",
            "Possiamo fissare una chiamata?",
            "Queria marcar uma reunião com vocês",
            "Posso agendar uma demonstração?",
        ] {
            assert!(wants_meeting(&normalise(asks)), "{asks}");
        }
    }

    #[test]
    fn questions_and_refusals_are_not_requests() {
        for not in [
            "Is the demo free?",
            "When is my call scheduled?",
            "How do I cancel my booking?",
            "I don't want to book a meeting, just tell me the price",
            "Does the Pro plan include phone support?",
            "Where can I book a table at the restaurant?",
            "¿La demostración es gratuita?",
            "Je ne veux pas prendre rendez-vous",
            "Wann ist mein Termin?",
            "Quanto costa l'abbonamento?",
            "Thanks, that solved it!",
        ] {
            assert!(!wants_meeting(&normalise(not)), "{not}");
        }
    }
}
