//! How the visitor feels about the conversation: frustrated, unhappy with the last answer,
//! satisfied, or just saying hello. Each takes the normalised message.

use super::words::{find_phrase, has_phrase};

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
    // Italian
    "e inutile",
    "sei inutile",
    "stupido",
    "ridicolo",
    "perdita di tempo",
    "che schifo",
    "assurdo",
    // Portuguese
    "isso e inutil",
    "voce e inutil",
    "perda de tempo",
    "lixo",
    "porcaria",
    "palhacada",
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
    // Italian
    "non mi aiuta",
    "non aiuta",
    "non funziona",
    "non e quello che ho chiesto",
    "e sbagliato",
    "non capisci",
    // Portuguese
    "nao ajuda",
    "nao me ajudou",
    "nao funciona",
    "nao foi isso que perguntei",
    "esta errado",
    "voce nao entende",
];

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
    "ciao",
    "buongiorno",
    "buonasera",
    "salve",
    "ola",
    "oi",
    "bom dia",
    "boa tarde",
    "boa noite",
];

pub fn insults_or_verdict(text: &str) -> bool {
    // "not useless" is still about usefulness, and rare enough not to matter.
    find_phrase(text, FRUSTRATION).is_some()
}

pub fn dissatisfied(text: &str) -> bool {
    find_phrase(text, DISSATISFIED).is_some()
}

/// What may follow a greeting without making it a question: "hi there", "hello again team".
const GREETING_FILLER: &[&str] = &[
    "there", "again", "everyone", "all", "team", "folks", "a", "todos", "tout", "le", "monde",
    "zusammen", "tutti", "pessoal",
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
