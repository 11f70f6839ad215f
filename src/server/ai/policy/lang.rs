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
    It,
    Pt,
}

const MARKERS: &[(Lang, &[&str])] = &[
    // English has markers too: without them an English message would take the widget's
    // language (`detect_or`).
    (
        Lang::En,
        &[
            "the", "how", "what", "do", "does", "i", "my", "you", "your", "is", "are", "can",
            "where", "when", "why", "please", "thanks", "thank", "want", "need", "to", "and", "it",
            "this", "with", "have", "order", "help", "talk", "speak", "someone",
        ],
    ),
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
    (
        Lang::It,
        &[
            "il",
            "lo",
            "gli",
            "di",
            "che",
            "non",
            "per",
            "sono",
            "grazie",
            "voglio",
            "vorrei",
            "posso",
            "come",
            "dove",
            "questo",
            "ciao",
            "buongiorno",
            "mio",
            "aiuto",
            "ordine",
            "parlare",
            "della",
            "funziona",
            "perche",
            "ho",
            "sei",
            "qualcuno",
            "con",
            "una",
            "persona",
            "la",
            "un",
            "mi",
        ],
    ),
    (
        Lang::Pt,
        &[
            "os", "um", "uma", "nao", "obrigado", "obrigada", "quero", "onde", "isso", "meu",
            "minha", "ajuda", "falar", "com", "voce", "ola", "bom", "eu", "tenho", "preciso",
            "recebi", "consigo", "ainda", "tambem", "como", "posso", "pedido", "funciona", "voces",
            "para", "por", "que",
        ],
    ),
];

/// The language a visitor most likely wrote in; English when nothing else stands out.
///
/// Each word votes for the languages that list it, split between them: "con una persona" is
/// as Spanish as it is Italian, and "vorrei" settles it.
pub fn detect(text: &str) -> Lang {
    detect_or(text, Lang::En)
}

/// The language of `text`, or `fallback` (the widget's language) when nothing in it tells:
/// "agent", "ok", an order number.
pub fn detect_or(text: &str, fallback: Lang) -> Lang {
    let text = normalise(text);
    let mut votes = [0.0f64; MARKERS.len()];
    for word in words(&text) {
        let sharing = MARKERS.iter().filter(|(_, m)| m.contains(&word)).count();
        for (vote, (_, markers)) in votes.iter_mut().zip(MARKERS) {
            if markers.contains(&word) {
                *vote += 1.0 / sharing as f64;
            }
        }
    }
    // The first language with the most votes; no votes at all: the fallback.
    let mut best = (fallback, 0.0);
    for (vote, (lang, _)) in votes.iter().zip(MARKERS) {
        if *vote > best.1 {
            best = (*lang, *vote);
        }
    }
    best.0
}

impl Lang {
    /// From a language tag ("fr", "pt-BR"); None for a language the AI does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Lang::En,
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "it" => Lang::It,
            "pt" => Lang::Pt,
            _ => return None,
        })
    }
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
    /// Thanks or "ok" with nothing asked: the AI offers more help and waits.
    AnythingElse,
    /// "Leave a message" with no one to answer now: the team replies by email later.
    MessageLeft,
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
        (ChooseTime, It) => "Volentieri. Scegli l'orario che preferisci:",
        (ChooseTime, Pt) => "Com prazer. Escolha o horário que for melhor para você:",
        (HandoverRequested, It) => {
            "Certo: ho chiesto a una persona del nostro team di unirsi. Un operatore ti risponderà qui a breve."
        }
        (HandoverRequested, Pt) => {
            "Claro: pedi a uma pessoa da nossa equipe para entrar na conversa. Um atendente vai responder aqui em breve."
        }
        (HandoverFrustrated, It) => {
            "Mi dispiace che sia stato frustrante. Ho chiesto a una persona del nostro team di continuare; ti risponderà qui a breve."
        }
        (HandoverFrustrated, Pt) => {
            "Sinto muito que isso tenha sido frustrante. Pedi a uma pessoa da nossa equipe para continuar; ela vai responder aqui em breve."
        }
        (HandoverNoAnswer, It) => {
            "Non ho trovato questa informazione nei nostri articoli, quindi ho chiesto a una persona del nostro team di unirsi. Ti risponderà qui a breve."
        }
        (HandoverNoAnswer, Pt) => {
            "Não encontrei isso nos nossos artigos de ajuda, então pedi a uma pessoa da nossa equipe para entrar na conversa. Ela vai responder aqui em breve."
        }
        (HandoverError, It) => {
            "Al momento non riesco a rispondere, quindi ho chiesto a una persona del nostro team di unirsi. Ti risponderà qui a breve."
        }
        (HandoverError, Pt) => {
            "No momento não consigo responder, então pedi a uma pessoa da nossa equipe para entrar na conversa. Ela vai responder aqui em breve."
        }
        (Resolved, It) => {
            "Felice di esserti stato d'aiuto! Ho segnato questa conversazione come risolta."
        }
        (Resolved, Pt) => "Que bom que pude ajudar! Marquei esta conversa como resolvida.",
        (Greeting, It) => "Ciao! Come posso aiutarti oggi?",
        (Greeting, Pt) => "Olá! Como posso ajudar você hoje?",
        (AnythingElse, En) => "Happy to help. Is there anything else I can do for you?",
        (AnythingElse, Es) => "Con gusto. ¿Hay algo más en lo que pueda ayudarte?",
        (AnythingElse, Fr) => "Avec plaisir. Puis-je vous aider pour autre chose ?",
        (AnythingElse, De) => "Gern geschehen. Kann ich Ihnen sonst noch helfen?",
        (AnythingElse, It) => "Con piacere. Posso aiutarti in qualcos'altro?",
        (AnythingElse, Pt) => "Por nada. Posso ajudar em mais alguma coisa?",
        (MessageLeft, En) => {
            "Our team is away right now. Write your message here: they will read it and reply by email as soon as they are back."
        }
        (MessageLeft, Es) => {
            "Nuestro equipo no está disponible ahora. Escribe aquí tu mensaje: lo leerán y te responderán por correo en cuanto vuelvan."
        }
        (MessageLeft, Fr) => {
            "Notre équipe est absente pour le moment. Écrivez votre message ici : elle le lira et vous répondra par e-mail dès son retour."
        }
        (MessageLeft, De) => {
            "Unser Team ist gerade nicht da. Schreiben Sie Ihre Nachricht hier: Es liest sie und antwortet per E-Mail, sobald es zurück ist."
        }
        (MessageLeft, It) => {
            "Il nostro team al momento non è disponibile. Scrivi qui il tuo messaggio: lo leggerà e ti risponderà via e-mail appena torna."
        }
        (MessageLeft, Pt) => {
            "Nossa equipe não está disponível agora. Escreva sua mensagem aqui: ela vai ler e responder por e-mail assim que voltar."
        }
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
        assert_eq!(detect("Vorrei parlare con una persona"), Lang::It);
        assert_eq!(detect("Não recebi o meu pedido"), Lang::Pt);
        // Nothing in "agent" tells: the widget's language decides.
        assert_eq!(detect_or("agent", Lang::Fr), Lang::Fr);
        assert_eq!(detect_or("How do I reset my password?", Lang::Fr), Lang::En);
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("nl"), None);
    }
}
