//! The languages the policy understands, and what the AI says in each when it hands over,
//! resolves or greets. Detection is a count of very common words: enough to answer a visitor in
//! the language they wrote in.

use super::words::{normalise, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
}

const MARKERS: &[(Lang, &[&str])] = &[
    (
        Lang::Es,
        &[
            "el", "la", "los", "las", "un", "una", "es", "que", "por", "para", "con", "no", "mi",
            "hola", "gracias", "quiero", "puedo", "como", "donde", "esto", "esta", "persona",
            "necesito", "pedido", "ayuda",
        ],
    ),
    (
        Lang::Fr,
        &[
            "le", "la", "les", "un", "une", "est", "je", "vous", "pour", "avec", "pas", "mon",
            "bonjour", "merci", "veux", "puis", "comment", "ou", "c'est", "ca", "j'ai", "ma",
            "commande", "aide",
        ],
    ),
    (
        Lang::De,
        &[
            "der",
            "die",
            "das",
            "ein",
            "eine",
            "ist",
            "ich",
            "sie",
            "fur",
            "mit",
            "nicht",
            "mein",
            "hallo",
            "danke",
            "mochte",
            "kann",
            "wie",
            "wo",
            "bitte",
            "es",
            "meine",
            "bestellung",
            "hilfe",
            "mit",
        ],
    ),
];

/// The language a visitor most likely wrote in; English when nothing else stands out.
pub fn detect(text: &str) -> Lang {
    let text = normalise(text);
    let mut best = (Lang::En, 0);
    for (lang, markers) in MARKERS {
        let hits = words(&text).filter(|w| markers.contains(w)).count();
        if hits > best.1 {
            best = (*lang, hits);
        }
    }
    best.0
}

/// What the AI says in each situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    /// The visitor asked for a person.
    HandoverRequested,
    /// The visitor is frustrated.
    HandoverFrustrated,
    /// The knowledge base has nothing on this.
    HandoverNoAnswer,
    /// The model or the network failed and no passage could stand in.
    HandoverError,
    /// The visitor confirmed the answer helped.
    Resolved,
    /// Hello back.
    Greeting,
    /// Above the card of meeting slots.
    ChooseTime,
}

pub fn say(what: Say, lang: Lang) -> &'static str {
    use Lang::*;
    use Say::*;
    match (what, lang) {
        (HandoverRequested, En) => {
            "Of course — I've asked a member of our team to join. A human will reply here shortly."
        }
        (HandoverRequested, Es) => {
            "Por supuesto: he pedido a una persona de nuestro equipo que se una. Te responderá aquí en breve."
        }
        (HandoverRequested, Fr) => {
            "Bien sûr — j'ai demandé à un membre de notre équipe de vous rejoindre. Une personne vous répondra ici sous peu."
        }
        (HandoverRequested, De) => {
            "Natürlich – ich habe ein Teammitglied dazugeholt. Ein Mensch antwortet Ihnen hier in Kürze."
        }
        (HandoverFrustrated, En) => {
            "I'm sorry this has been frustrating. I've asked a member of our team to take over; a human will reply here shortly."
        }
        (HandoverFrustrated, Es) => {
            "Siento que esto esté siendo frustrante. He pedido a una persona de nuestro equipo que continúe; te responderá aquí en breve."
        }
        (HandoverFrustrated, Fr) => {
            "Je suis désolé que ce soit frustrant. J'ai demandé à un membre de notre équipe de prendre le relais ; une personne vous répondra ici sous peu."
        }
        (HandoverFrustrated, De) => {
            "Es tut mir leid, dass das so mühsam ist. Ich habe ein Teammitglied gebeten zu übernehmen; ein Mensch antwortet Ihnen hier in Kürze."
        }
        (HandoverNoAnswer, En) => {
            "I couldn't find that in our help articles, so I've asked a member of our team to join. A human will reply here shortly."
        }
        (HandoverNoAnswer, Es) => {
            "No encontré eso en nuestros artículos de ayuda, así que he pedido a una persona de nuestro equipo que se una. Te responderá aquí en breve."
        }
        (HandoverNoAnswer, Fr) => {
            "Je n'ai pas trouvé cela dans nos articles d'aide, j'ai donc demandé à un membre de notre équipe de vous rejoindre. Une personne vous répondra ici sous peu."
        }
        (HandoverNoAnswer, De) => {
            "Dazu habe ich in unseren Hilfeartikeln nichts gefunden, daher habe ich ein Teammitglied dazugeholt. Ein Mensch antwortet Ihnen hier in Kürze."
        }
        (HandoverError, En) => {
            "I'm having trouble answering right now, so I've asked a member of our team to join. A human will reply here shortly."
        }
        (HandoverError, Es) => {
            "Ahora mismo tengo problemas para responder, así que he pedido a una persona de nuestro equipo que se una. Te responderá aquí en breve."
        }
        (HandoverError, Fr) => {
            "J'ai du mal à répondre pour le moment, j'ai donc demandé à un membre de notre équipe de vous rejoindre. Une personne vous répondra ici sous peu."
        }
        (HandoverError, De) => {
            "Ich kann gerade nicht antworten, daher habe ich ein Teammitglied dazugeholt. Ein Mensch antwortet Ihnen hier in Kürze."
        }
        (Resolved, En) => "Glad I could help! I've marked this conversation as resolved.",
        (Resolved, Es) => {
            "¡Me alegro de haber ayudado! He marcado esta conversación como resuelta."
        }
        (Resolved, Fr) => "Ravi d'avoir pu aider ! J'ai marqué cette conversation comme résolue.",
        (Resolved, De) => {
            "Freut mich, dass ich helfen konnte! Ich habe dieses Gespräch als gelöst markiert."
        }
        (Greeting, En) => "Hi! What can I help you with today?",
        (Greeting, Es) => "¡Hola! ¿En qué puedo ayudarte hoy?",
        (Greeting, Fr) => "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
        (Greeting, De) => "Hallo! Wobei kann ich Ihnen heute helfen?",
        (ChooseTime, En) => "Happy to set that up. Choose a time that suits you:",
        (ChooseTime, Es) => "Con gusto. Elige el horario que te venga mejor:",
        (ChooseTime, Fr) => "Avec plaisir. Choisissez le créneau qui vous convient :",
        (ChooseTime, De) => "Gern. Wählen Sie einen passenden Termin:",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_visitors_language() {
        assert_eq!(detect("How do I reset my password?"), Lang::En);
        assert_eq!(detect("¿Dónde está mi pedido?"), Lang::Es);
        assert_eq!(detect("Je veux parler à quelqu'un"), Lang::Fr);
        assert_eq!(detect("Ich möchte mit einem Menschen sprechen"), Lang::De);
    }
}
