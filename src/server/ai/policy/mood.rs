//! How the visitor feels about the conversation: frustrated, unhappy with the last answer,
//! satisfied, or just saying hello. Each takes the normalised message.

use super::words::{find_phrase, has_phrase, words};

/// Insults and verdicts on the service itself: one is enough to hand over.
const FRUSTRATION: &[&str] = &[
    // English
    "this is useless",
    "you are useless",
    "you're useless",
    "useless bot",
    "stupid bot",
    "dumb bot",
    "this is ridiculous",
    "ridiculous",
    "waste of time",
    "wasting my time",
    "worst service",
    "terrible service",
    "this is a joke",
    "are you kidding",
    "fed up",
    "sick of this",
    "idiot",
    "idiots",
    "stupid",
    "useless",
    "garbage",
    "rubbish",
    "crap",
    "wtf",
    "pathetic",
    // Spanish
    "esto es inutil",
    "eres inutil",
    "inutil",
    "estupido",
    "idiota",
    "una perdida de tiempo",
    "basura",
    "harto",
    "harta",
    "ridiculo",
    // French
    "c'est nul",
    "c'est inutile",
    "inutile",
    "nul",
    "debile",
    "perte de temps",
    "n'importe quoi",
    "j'en ai marre",
    "ridicule",
    // German
    "das ist nutzlos",
    "nutzlos",
    "dumm",
    "blod",
    "zeitverschwendung",
    "scheisse",
    "mist",
    "lacherlich",
    "unverschamt",
];

/// The last answer did not help.
const DISSATISFIED: &[&str] = &[
    // English
    "that doesn't help",
    "that does not help",
    "doesn't help",
    "didn't help",
    "not helpful",
    "that's not what i asked",
    "not what i asked",
    "that's wrong",
    "that is wrong",
    "wrong answer",
    "doesn't answer",
    "didn't answer",
    "still doesn't work",
    "still not working",
    "doesn't work",
    "not working",
    "you don't understand",
    "that's not it",
    "no that's not",
    // Spanish
    "no me ayuda",
    "no ayuda",
    "no es lo que pregunte",
    "no funciona",
    "sigue sin funcionar",
    "no entiendes",
    "eso esta mal",
    // French
    "ca ne m'aide pas",
    "ne m'aide pas",
    "ca n'aide pas",
    "ce n'est pas ce que j'ai demande",
    "ca ne marche pas",
    "ne fonctionne pas",
    "vous ne comprenez pas",
    "c'est faux",
    // German
    "das hilft nicht",
    "hilft mir nicht",
    "hilft nicht",
    "das habe ich nicht gefragt",
    "funktioniert nicht",
    "das ist falsch",
    "sie verstehen mich nicht",
    "du verstehst mich nicht",
];

/// The visitor says the answer worked.
const CONFIRMED: &[&str] = &[
    // English
    "that helps",
    "that helped",
    "this helps",
    "this helped",
    "that solved it",
    "that solves it",
    "problem solved",
    "issue solved",
    "that fixed it",
    "that works",
    "it works now",
    "works now",
    "that's all i needed",
    "all sorted",
    "got it thanks",
    "perfect thanks",
    "great thanks",
    "awesome thanks",
    "thanks that helps",
    "that answers my question",
    // Spanish
    "eso ayuda",
    "me ayudo",
    "me sirvio",
    "problema resuelto",
    "ya funciona",
    "eso es todo",
    "perfecto gracias",
    // French
    "ca m'aide",
    "ca m'a aide",
    "probleme resolu",
    "ca marche",
    "ca fonctionne",
    "c'est tout",
    "parfait merci",
    // German
    "das hilft",
    "das hat geholfen",
    "problem gelost",
    "es funktioniert",
    "funktioniert jetzt",
    "das war's",
    "perfekt danke",
];

/// Thanks on its own ("thanks!", "merci beaucoup") after an answer also closes the conversation.
const THANKS_ALONE: &[&str] = &[
    "thanks",
    "thank you",
    "thanks a lot",
    "thank you so much",
    "many thanks",
    "cheers",
    "ok thanks",
    "ok thank you",
    "gracias",
    "muchas gracias",
    "merci",
    "merci beaucoup",
    "danke",
    "danke schon",
    "vielen dank",
];

/// Words that turn a thank-you into a new question: "thanks, but how do I...".
const BUT: &[&str] = &["but", "however", "pero", "mais", "aber", "though"];

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hi there",
    "hello there",
    "good morning",
    "good afternoon",
    "good evening",
    "hola",
    "buenos dias",
    "buenas tardes",
    "bonjour",
    "bonsoir",
    "salut",
    "hallo",
    "guten tag",
    "guten morgen",
    "servus",
    "moin",
];

pub fn insults_or_verdict(text: &str) -> bool {
    // "not useless" is still about usefulness, and rare enough not to matter.
    find_phrase(text, FRUSTRATION).is_some()
}

pub fn dissatisfied(text: &str) -> bool {
    find_phrase(text, DISSATISFIED).is_some()
}

/// A confirmation that closes the conversation: a "that helped" phrase, or thanks alone, with no
/// new question or "but" in it. `raw` is the message as typed (for the question mark).
pub fn confirms(text: &str, raw: &str) -> bool {
    if raw.contains('?') || words(text).any(|w| BUT.contains(&w)) || dissatisfied(text) {
        return false;
    }
    let thanks_only = THANKS_ALONE.contains(&text);
    thanks_only || find_phrase(text, CONFIRMED).is_some()
}

/// What may follow a greeting without making it a question: "hi there", "hello again team".
const GREETING_FILLER: &[&str] = &[
    "there", "again", "everyone", "all", "team", "folks", "a", "todos", "tout", "le", "monde",
    "zusammen",
];

/// A bare greeting with nothing to answer yet: "Hi!", "Bonjour", "hello there".
pub fn greeting_only(text: &str) -> bool {
    GREETINGS.iter().any(|g| {
        has_phrase(text, g)
            && format!(" {text} ")
                .replacen(&format!(" {g} "), " ", 1)
                .split(' ')
                .filter(|w| !w.is_empty())
                .all(|w| GREETING_FILLER.contains(&w))
    })
}
