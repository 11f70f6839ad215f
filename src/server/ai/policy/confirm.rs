//! Whether a message confirms the issue is solved, and whether it asks for anything at all.
//!
//! Not a list of whole sentences: the message is read as cues, in six languages (English,
//! Spanish, French, German, Italian, Portuguese), and scored.
//!
//! - Positive cues: a good outcome ("worked", "funciona", "geklappt", "risolto"), thanks
//!   ("thank…", "gracias", "merci", "obrigad…"), a closing ("that's all", "bonne journée",
//!   "nada mais"), or a plain acknowledgement ("ok", "cool", "vale"; weak on its own).
//! - Blockers: a question (a question mark, or a clause that starts with a question word), a
//!   request ("I need", "je voudrais", "preciso"), a contrast ("but", "aber", "però"), a
//!   negation anywhere ("not", "pas", "nicht", "não"), or a problem word ("error", "Fehler")
//!   unless a good outcome says it is solved ("resolveu meu problema").
//! - Everything else is content; each content word weighs against the positive cues, so "thanks,
//!   now cancel my subscription" is not a confirmation.
//!
//! Phrases that contain a negation or a problem word but are positive ("no problem", "nothing
//! else", "problem solved", "sin problemas") are taken out first.

use super::words::{has_phrase, normalise, words};

/// Whole phrases read before single words; taken out of the text once counted.
const PHRASES: &[(&str, Cue)] = &[
    // Positive phrases that contain a negation or a problem word.
    ("problem solved", Cue::Outcome),
    ("problem fixed", Cue::Outcome),
    ("issue solved", Cue::Outcome),
    ("issue resolved", Cue::Outcome),
    ("problema resuelto", Cue::Outcome),
    ("problema solucionado", Cue::Outcome),
    ("probleme resolu", Cue::Outcome),
    ("probleme regle", Cue::Outcome),
    ("problem gelost", Cue::Outcome),
    ("problem behoben", Cue::Outcome),
    ("problema risolto", Cue::Outcome),
    ("problema resolvido", Cue::Outcome),
    ("no problem", Cue::Ack),
    ("no worries", Cue::Ack),
    ("sin problemas", Cue::Outcome),
    ("sans probleme", Cue::Outcome),
    ("pas de souci", Cue::Ack),
    ("kein problem", Cue::Ack),
    ("ohne probleme", Cue::Outcome),
    ("nessun problema", Cue::Ack),
    ("senza problemi", Cue::Outcome),
    ("sem problemas", Cue::Outcome),
    ("nothing else", Cue::Closing),
    ("no thanks", Cue::Closing),
    ("no thank you", Cue::Closing),
    ("nada mas", Cue::Closing),
    ("no gracias", Cue::Closing),
    ("rien d'autre", Cue::Closing),
    ("non merci", Cue::Closing),
    ("nichts weiter", Cue::Closing),
    ("sonst nichts", Cue::Closing),
    ("nein danke", Cue::Closing),
    ("niente altro", Cue::Closing),
    ("nient'altro", Cue::Closing),
    ("no grazie", Cue::Closing),
    ("nada mais", Cue::Closing),
    ("nao obrigado", Cue::Closing),
    ("nao obrigada", Cue::Closing),
    ("de nada", Cue::Ack),
    // Positive phrases made of ordinary words.
    ("makes sense", Cue::Outcome),
    ("got it", Cue::Outcome),
    ("all good", Cue::Closing),
    ("all set", Cue::Closing),
    ("good to go", Cue::Outcome),
    ("that's all", Cue::Closing),
    ("that is all", Cue::Closing),
    ("that's everything", Cue::Closing),
    ("have a nice day", Cue::Closing),
    ("have a good day", Cue::Closing),
    ("have a great day", Cue::Closing),
    ("take care", Cue::Closing),
    ("eso es todo", Cue::Closing),
    ("es todo", Cue::Closing),
    ("hasta luego", Cue::Closing),
    ("buen dia", Cue::Closing),
    ("c'est tout", Cue::Closing),
    ("au revoir", Cue::Closing),
    ("bonne journee", Cue::Closing),
    ("bonne soiree", Cue::Closing),
    ("a bientot", Cue::Closing),
    ("c'est bon", Cue::Outcome),
    ("das war's", Cue::Closing),
    ("das wars", Cue::Closing),
    ("das war alles", Cue::Closing),
    ("schonen tag", Cue::Closing),
    ("auf wiedersehen", Cue::Closing),
    ("alles klar", Cue::Outcome),
    ("alles gut", Cue::Outcome),
    ("e tutto", Cue::Closing),
    ("buona giornata", Cue::Closing),
    ("buona serata", Cue::Closing),
    ("va bene", Cue::Ack),
    ("so isso", Cue::Closing),
    ("e isso", Cue::Closing),
    ("ate logo", Cue::Closing),
    ("bom dia para voce", Cue::Closing),
    ("deu certo", Cue::Outcome),
    ("tudo certo", Cue::Outcome),
    ("tudo bem", Cue::Ack),
    ("ca m'aide", Cue::Outcome),
    ("ca m'a aide", Cue::Outcome),
    ("vous m'avez aide", Cue::Outcome),
    ("eso ayuda", Cue::Outcome),
    ("me ayudo", Cue::Outcome),
    ("me ha ayudado", Cue::Outcome),
    ("mi ha aiutato", Cue::Outcome),
    ("mi hai aiutato", Cue::Outcome),
    ("me ajudou", Cue::Outcome),
    ("isso ajuda", Cue::Outcome),
    ("that helps", Cue::Outcome),
    ("this helps", Cue::Outcome),
    ("das hilft", Cue::Outcome),
    ("hilft mir", Cue::Outcome),
    ("vielen dank", Cue::Thanks),
    ("thumbs up", Cue::Ack),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// It worked, it is solved, it helped.
    Outcome,
    Thanks,
    /// Goodbye, that's all.
    Closing,
    /// Okay, cool: positive but weak.
    Ack,
}

/// Single words, whole; a trailing `*` matches any ending ("thank*" matches "thanks").
const WORDS: &[(Cue, &[&str])] = &[
    (
        Cue::Outcome,
        &[
            // English
            "works",
            "worked",
            "working",
            "helped",
            "helps",
            "helpful",
            "solved",
            "solves",
            "fixed",
            "sorted",
            "resolved",
            "perfect",
            "perfectly",
            "great",
            "awesome",
            "excellent",
            "brilliant",
            "fantastic",
            "wonderful",
            "amazing",
            "exactly",
            "clear",
            "understood",
            "arrived",
            "received",
            "found",
            "success*",
            "done",
            "able",
            // Spanish
            "funciona",
            "funciono",
            "funcionando",
            "ayudo",
            "ayudado",
            "sirvio",
            "sirve",
            "resuelto",
            "resuelta",
            "solucionado",
            "solucionada",
            "arreglado",
            "arreglada",
            "perfecto",
            "perfecta",
            "genial",
            "excelente",
            "estupendo",
            "entendido",
            "listo",
            "llego",
            "recibido",
            "recibi",
            "encontre",
            // French
            "marche",
            "fonctionne",
            "resolu",
            "resolue",
            "regle",
            "parfait",
            "parfaite",
            "super",
            "excellent",
            "nickel",
            "compris",
            "recu",
            "arrive",
            "trouve",
            "impeccable",
            // German
            "funktioniert",
            "klappt",
            "geklappt",
            "geholfen",
            "gelost",
            "behoben",
            "erledigt",
            "perfekt",
            "toll",
            "prima",
            "klasse",
            "verstanden",
            "ausgezeichnet",
            "angekommen",
            "erhalten",
            "gefunden",
            "wunderbar",
            "geht",
            // Italian
            "funziona",
            "funzionato",
            "funzionava",
            "risolto",
            "risolta",
            "aiutato",
            "perfetto",
            "perfetta",
            "ottimo",
            "ottima",
            "fantastico",
            "capito",
            "chiaro",
            "arrivato",
            "arrivata",
            "ricevuto",
            "sistemato",
            "trovato",
            // Portuguese
            "funcionou",
            "resolvido",
            "resolvida",
            "resolveu",
            "ajudou",
            "perfeito",
            "perfeita",
            "otimo",
            "otima",
            "entendi",
            "chegou",
            "recebi",
            "consegui",
            "encontrei",
        ],
    ),
    (
        Cue::Thanks,
        &[
            "thank*",
            "thx",
            "ty",
            "tks",
            "cheers",
            "appreciat*",
            "gracias",
            "agradec*",
            "merci",
            "remerci*",
            "danke",
            "dankeschon",
            "bedank*",
            "grazie",
            "ringrazi*",
            "obrigad*",
            "valeu",
            "brigad*",
        ],
    ),
    (
        Cue::Closing,
        &[
            "bye",
            "goodbye",
            "adios",
            "chao",
            "tschuss",
            "ciao",
            "arrivederci",
            "tchau",
        ],
    ),
    (
        Cue::Ack,
        &[
            "ok",
            "okay",
            "k",
            "kk",
            "cool",
            "nice",
            "good",
            "alright",
            "fine",
            "sweet",
            "vale",
            "bueno",
            "bien",
            "claro",
            "d'accord",
            "dac",
            "gut",
            "schon",
            "bene",
            "certo",
            "beleza",
            "legal",
            "bom",
            "top",
            // Praise
            "kind",
            "lovely",
            "gentil*",
            "amable",
            "freundlich",
            "nett",
            "simpatic*",
        ],
    ),
];

/// Words that carry no request and no sentiment: pronouns, articles, "so", "very", "help",
/// "quick". A trailing `*` matches any ending.
const FILLER: &[&str] = &[
    // English
    "i",
    "i'm",
    "im",
    "i've",
    "me",
    "my",
    "you",
    "you're",
    "your",
    "it",
    "it's",
    "its",
    "that",
    "that's",
    "thats",
    "this",
    "the",
    "a",
    "an",
    "so",
    "very",
    "much",
    "really",
    "for",
    "and",
    "now",
    "just",
    "all",
    "lot",
    "lots",
    "again",
    "help",
    "answer",
    "info",
    "information",
    "yes",
    "yeah",
    "yep",
    "sure",
    "we",
    "is",
    "was",
    "be",
    "has",
    "have",
    "had",
    "to",
    "of",
    "in",
    "on",
    "with",
    "quick",
    "fast",
    "guys",
    "team",
    "bot",
    "oh",
    "ah",
    "wow",
    "indeed",
    "there",
    "everything",
    "needed",
    "looking",
    "totally",
    "quick*",
    "fast*",
    "rapid*",
    "schnell*",
    "veloc*",
    "prompt*",
    // Spanish
    "eso",
    "esto",
    "es",
    "fue",
    "mi",
    "tu",
    "su",
    "muy",
    "mucho",
    "muchas",
    "muchisimas",
    "la",
    "el",
    "lo",
    "los",
    "las",
    "un",
    "una",
    "y",
    "ya",
    "ahora",
    "todo",
    "por",
    "para",
    "ayuda",
    "respuesta",
    "si",
    "de",
    "con",
    "te",
    "le",
    "les",
    "que",
    // French
    "ca",
    "c'est",
    "cela",
    "ce",
    "est",
    "etait",
    "m'a",
    "mon",
    "ma",
    "votre",
    "vous",
    "ton",
    "ta",
    "tres",
    "beaucoup",
    "pour",
    "le",
    "du",
    "des",
    "et",
    "tout",
    "maintenant",
    "oui",
    "reponse",
    "j'ai",
    "je",
    "en",
    "qui",
    "l'aide",
    "aide",
    "bien",
    "a",
    "au",
    "vos",
    // German
    "das",
    "ist",
    "war",
    "hat",
    "mir",
    "mich",
    "ich",
    "sie",
    "ihre",
    "ihr",
    "du",
    "dein",
    "sehr",
    "vielen",
    "viel",
    "fur",
    "die",
    "der",
    "den",
    "dem",
    "und",
    "jetzt",
    "alles",
    "nun",
    "hilfe",
    "antwort",
    "ja",
    "wirklich",
    "auch",
    "mal",
    "es",
    "ihnen",
    "dir",
    // Italian
    "e",
    "era",
    "mi",
    "ha",
    "hai",
    "molto",
    "mille",
    "per",
    "il",
    "gli",
    "l'aiuto",
    "aiuto",
    "risposta",
    "ora",
    "adesso",
    "tutto",
    "tante",
    "di",
    "del",
    "della",
    "che",
    "tua",
    "vostro",
    "vostra",
    "tanto",
    "sei",
    "stato",
    "stata",
    "siete",
    // Portuguese
    "isso",
    "isto",
    "foi",
    "meu",
    "minha",
    "muito",
    "muita",
    "pela",
    "pelo",
    "o",
    "os",
    "as",
    "um",
    "uma",
    "agora",
    "tudo",
    "sim",
    "voce",
    "seu",
    "sua",
    "do",
    "da",
    "pra",
];

/// A clause that starts with one of these asks something (after the first word of a clause:
/// "thanks, how do I…").
const QUESTION_WORDS: &[&str] = &[
    // English
    "how", "what", "where", "why", "when", "which", "who", "can", "could", "would", "will", "is",
    "are", "do", "does", "did", "should", "may", "any", // Spanish
    "como", "que", "donde", "cuando", "cual", "quien", "puedo", "puede", "puedes", "hay",
    // French
    "comment", "quoi", "ou", "pourquoi", "quand", "quel", "quelle", "est-ce", "puis", "pouvez",
    "peut", "peux", "combien", // German
    "wie", "was", "wo", "warum", "wann", "welche", "welcher", "wer", "kann", "konnen", "gibt",
    "muss", "wieso", "weshalb", // Italian
    "come", "cosa", "dove", "perche", "quale", "chi", "posso", "puoi", "quanto",
    // Portuguese
    "onde", "porque", "qual", "quem", "posso", "pode", "quanto",
];

/// Exclamations that start like questions: "what a relief", "¡qué bien!".
const EXCLAMATIONS: &[&str] = &[
    "what a",
    "how nice",
    "how great",
    "how cool",
    "que bien",
    "que bueno",
    "que alivio",
    "quel soulagement",
    "wie schon",
    "wie toll",
    "che bello",
    "che bellezza",
    "que bom",
    "que otimo",
];

/// Asking for something more.
const REQUESTS: &[&str] = &[
    "want",
    "wants",
    "need",
    "needs",
    "i'd",
    "would",
    "please",
    "pls",
    "question",
    "explain",
    "tell",
    "show",
    "quiero",
    "quisiera",
    "necesito",
    "gustaria",
    "favor",
    "pregunta",
    "veux",
    "voudrais",
    "besoin",
    "aimerais",
    "plait",
    "svp",
    "mochte",
    "brauche",
    "bitte",
    "frage",
    "voglio",
    "vorrei",
    "bisogno",
    "piacerebbe",
    "domanda",
    "quero",
    "queria",
    "gostaria",
    "preciso",
    "pergunta",
];

/// "But", and its kin: what follows usually matters more.
const CONTRASTS: &[&str] = &[
    "but",
    "however",
    "though",
    "although",
    "pero",
    "aunque",
    "embargo",
    "mais",
    "cependant",
    "pourtant",
    "aber",
    "jedoch",
    "allerdings",
    "trotzdem",
    "tuttavia",
    "porem",
    "contudo",
    "entretanto",
];

/// "Ma" (Italian) and "mas" (Portuguese) mean "but" only at the start of a clause: mid-clause
/// they are "my" (French) and "more" (Spanish).
const CLAUSE_CONTRASTS: &[&str] = &["ma", "mas"];

/// Negations: one anywhere (outside the positive phrases) and it is not a confirmation.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "isn't",
    "wasn't", "aren't", "can't", "cant", "cannot", "won't", "hasn't", "haven't", "nothing",
    "nunca", "ni", "tampoco", "sin", "ne", "pas", "jamais", "rien", "nicht", "kein", "keine",
    "keinen", "nie", "nichts", "non", "mai", "senza", "niente", "nao", "nem", "sem", "nada",
    "unable",
];

/// Something is wrong.
const PROBLEMS: &[&str] = &[
    "problem*",
    "issue*",
    "error*",
    "erreur*",
    "fehler*",
    "errore*",
    "erro",
    "broken",
    "kaputt",
    "roto",
    "rota",
    "casse",
    "cassee",
    "rotto",
    "quebrado",
    "quebrada",
    "wrong",
    "faux",
    "falsch",
    "sbagliato",
    "errado",
    "fail*",
    "falla*",
    "echoue*",
    "fehlgeschlagen",
    "bug*",
    "crash*",
    "charged",
    "cobrado",
    "debite",
    "abgebucht",
    "addebitato",
    "cobrado",
    "missing",
    "falta",
    "manque",
    "fehlt",
    "manca",
    "refund*",
    "reembolso",
    "rembourse*",
    "erstattung",
    "rimborso",
];

/// Where a clause ends.
const CLAUSE_ENDS: [char; 9] = ['.', ',', ';', ':', '!', '¡', '\n', '—', '–'];

/// A clause of its own that only says no.
const BARE_NO: &[&str] = &["no", "nope", "nah", "non", "nein", "nao"];

/// How a message reads.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Reading {
    outcome: bool,
    thanks: bool,
    closing: bool,
    ack: bool,
    /// A question, a request, a contrast, a negation or a problem.
    blocked: bool,
    /// Words that are none of the cues and no filler.
    content: usize,
}

impl Reading {
    fn positive(self) -> bool {
        self.outcome || self.thanks || self.closing
    }

    fn score(self) -> i64 {
        3 * i64::from(self.outcome)
            + 3 * i64::from(self.thanks)
            + 2 * i64::from(self.closing)
            + i64::from(self.ack)
            - self.content as i64
    }
}

/// The visitor says the issue is solved, or thanks and closes, with nothing more to ask.
/// `raw` is the message as typed.
pub fn confirms(raw: &str) -> bool {
    let r = read(raw);
    !r.blocked && r.positive() && r.score() >= 2
}

/// Whether a message asks for anything: a question, a request, a problem, a "but", or words
/// beyond thanks and acknowledgement. "Thanks!" and "ok" ask for nothing; "my order" does.
pub fn asks_for_something(raw: &str) -> bool {
    let r = read(raw);
    let cue = r.positive() || r.ack;
    r.blocked || r.content >= 2 || !cue
}

/// A reply made only of a thumbs-up, a heart or a smile.
fn emoji_thanks(raw: &str) -> bool {
    raw.chars().any(|c| {
        matches!(
            c,
            '👍' | '🙏'
                | '❤'
                | '😊'
                | '🙂'
                | '😀'
                | '😃'
                | '😄'
                | '👌'
                | '✅'
                | '🎉'
                | '💯'
                | '🥳'
        )
    })
}

fn matches(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| match w.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => *w == word,
    })
}

fn read(raw: &str) -> Reading {
    let clauses: Vec<String> = raw
        .split(CLAUSE_ENDS)
        .map(normalise)
        .filter(|c| !c.is_empty())
        .collect();
    let mut r = Reading {
        blocked: raw.contains(['?', '¿']),
        ..Reading::default()
    };
    for clause in &clauses {
        let first = words(clause).next().unwrap_or_default();
        let exclaimed = EXCLAMATIONS.iter().any(|e| has_phrase(clause, e));
        if (QUESTION_WORDS.contains(&first) && !exclaimed) || CLAUSE_CONTRASTS.contains(&first) {
            r.blocked = true;
        }
    }
    // "No, that's all, thanks": a clause that is only "no" answers "anything else?".
    let kept: Vec<&str> = clauses
        .iter()
        .map(String::as_str)
        .filter(|c| clauses.len() == 1 || !BARE_NO.contains(c))
        .collect();
    let mut text = format!(" {} ", kept.join(" "));
    let mut problem = false;
    for (phrase, cue) in PHRASES {
        let padded = format!(" {phrase} ");
        if text.contains(&padded) {
            text = text.replace(&padded, " ");
            r.mark(*cue);
        }
    }
    for word in words(&text) {
        if let Some((cue, _)) = WORDS.iter().find(|(_, list)| matches(word, list)) {
            r.mark(*cue);
        } else if matches(word, PROBLEMS) {
            problem = true;
        } else if matches(word, REQUESTS)
            || matches(word, CONTRASTS)
            || matches(word, NEGATIONS)
            || word.starts_with("n'")
        {
            r.blocked = true;
        } else if !matches(word, FILLER) && !matches(word, QUESTION_WORDS) {
            r.content += 1;
        }
    }
    if emoji_thanks(raw) {
        r.ack = true;
    }
    // "It solved my problem": a problem word next to a good outcome is the thing solved.
    r.blocked |= problem && !r.outcome;
    r
}

impl Reading {
    fn mark(&mut self, cue: Cue) {
        match cue {
            Cue::Outcome => self.outcome = true,
            Cue::Thanks => self.thanks = true,
            Cue::Closing => self.closing = true,
            Cue::Ack => self.ack = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thanks_and_outcomes_confirm() {
        assert!(confirms("Thanks!"));
        assert!(confirms("That worked, cheers"));
        assert!(confirms("obrigada, deu certo"));
        assert!(confirms("👍 thanks"));
    }

    #[test]
    fn blockers_win() {
        assert!(!confirms("Thanks, but it still fails"));
        assert!(!confirms("thanks, how do I export?"));
        assert!(!confirms("That didn't work"));
        assert!(!confirms("Thanks, I need an invoice too"));
        assert!(!confirms("Great, now cancel my subscription"));
    }

    #[test]
    fn asking_for_something() {
        assert!(!asks_for_something("thanks"));
        assert!(!asks_for_something("ok"));
        assert!(!asks_for_something("👍"));
        assert!(asks_for_something("my order"));
        assert!(asks_for_something("refund"));
        assert!(asks_for_something("Cancel my subscription"));
    }
}
