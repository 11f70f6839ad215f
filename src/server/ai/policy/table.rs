//! The policy's table: visitor messages in English, Spanish, French, German, Italian and
//! Portuguese, with what the AI must do. Each row is one case; a failure names the row.

use super::*;
use Decision::*;
use Frustration::*;
use Handover::*;
use liaison_protocol::Sender::{Agent, Ai, Customer};

/// An answered question, as earlier turns.
const ANSWERED: &[(Sender, &str)] = &[
    (Customer, "How do I reset my password?"),
    (
        Ai,
        "Open the sign-in page and click \"Forgot password\"; we email you a link.",
    ),
];

const NOTHING: &[(Sender, &str)] = &[];

/// The AI's answer did not help once already.
const FAILED_ONCE: &[(Sender, &str)] = &[
    (Customer, "Where is my order?"),
    (
        Ai,
        "You get a tracking link by email when your order ships.",
    ),
    (Customer, "That doesn't help, I never got an email."),
    (Ai, "Please check your spam folder for a message from us."),
];

const FAILED_ONCE_ES: &[(Sender, &str)] = &[
    (Customer, "¿Dónde está mi pedido?"),
    (Ai, "Recibes un enlace de seguimiento por correo."),
    (Customer, "No me ayuda, no recibí nada."),
    (Ai, "Revisa la carpeta de spam, por favor."),
];

const FAILED_ONCE_DE: &[(Sender, &str)] = &[
    (Customer, "Wo ist meine Bestellung?"),
    (
        Ai,
        "Sie erhalten einen Link zur Sendungsverfolgung per E-Mail.",
    ),
    (Customer, "Das hilft nicht, ich habe keine E-Mail bekommen."),
    (Ai, "Bitte sehen Sie im Spam-Ordner nach."),
];

const SHIPPING_ASKED: &[(Sender, &str)] = &[
    (Customer, "Do you ship to Canada?"),
    (
        Ai,
        "We ship to the EU, the UK, the United States and Canada.",
    ),
];

const PASSWORD_ASKED_FR: &[(Sender, &str)] = &[
    (Customer, "Comment réinitialiser mon mot de passe ?"),
    (
        Ai,
        "Cliquez sur « Mot de passe oublié » sur la page de connexion.",
    ),
];

const OPERATOR_ANSWERED: &[(Sender, &str)] = &[
    (Customer, "Can you change my invoice address?"),
    (Agent, "Done — the new address is on your next invoice."),
];

/// Earlier turns, the new message, what the AI must do.
type Row = (&'static [(Sender, &'static str)], &'static str, Decision);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // --- English: explicit requests for a human (never sent to the model first)
    (NOTHING, "Can I talk to a human?", Escalate(Requested)),
    (NOTHING, "I want a REAL PERSON", Escalate(Requested)),
    (NOTHING, "agent", Escalate(Requested)),
    (NOTHING, "Agent please!", Escalate(Requested)),
    (NOTHING, "let me speak to someone", Escalate(Requested)),
    (NOTHING, "Is there a live agent?", Escalate(Requested)),
    (NOTHING, "connect me with customer service", Escalate(Requested)),
    (ANSWERED, "human", Escalate(Requested)),
    (NOTHING, "I'd like a representative", Escalate(Requested)),
    // --- English: questions to answer
    (NOTHING, "How do I reset my password?", Answer),
    (NOTHING, "What are your opening hours?", Answer),
    (NOTHING, "Is the human resources module included?", Answer),
    (NOTHING, "Do you ship to Canada?", Answer),
    (NOTHING, "Who is your user agent parser vendor for browsers?", Answer),
    (ANSWERED, "And how do I change my email address?", Answer),
    (ANSWERED, "Thanks, but how do I change my email?", Answer),
    (NOTHING, "Thanks in advance, where are my invoices?", Answer),
    (NOTHING, "I use the EU VAT ID, is that fine?", Answer),
    (FAILED_ONCE, "Where do I find the tracking link?", Answer),
    (ANSWERED, "That doesn't help.", Answer),
    // --- English: greetings
    (NOTHING, "Hi!", Greet),
    (NOTHING, "hello there", Greet),
    (NOTHING, "Good morning", Greet),
    (NOTHING, "Hi, do you ship to Canada?", Answer),
    // --- English: frustration
    (ANSWERED, "This is useless.", Escalate(Frustrated(Insult))),
    (NOTHING, "you're a stupid bot", Escalate(Frustrated(Insult))),
    (ANSWERED, "What a waste of time", Escalate(Frustrated(Insult))),
    (NOTHING, "WHY IS MY ORDER NOT HERE YET", Escalate(Frustrated(Shouting))),
    (SHIPPING_ASKED, "Do you ship to Canada??", Escalate(Frustrated(RepeatedQuestion))),
    (ANSWERED, "how do I reset my password", Escalate(Frustrated(RepeatedQuestion))),
    (FAILED_ONCE, "That still doesn't work.", Escalate(Frustrated(AiFailedTwice))),
    (FAILED_ONCE, "Not helpful at all", Escalate(Frustrated(AiFailedTwice))),
    // --- English: confirmations resolve (only after an answer)
    (ANSWERED, "Thanks, that helps!", Resolve),
    (ANSWERED, "Perfect, thanks", Resolve),
    (ANSWERED, "That solved it", Resolve),
    (ANSWERED, "thank you!", Resolve),
    (OPERATOR_ANSWERED, "Great, thanks", Resolve),
    (ANSWERED, "Got it, thanks. That's all I needed.", Resolve),
    (NOTHING, "Thanks", Acknowledge),
    (ANSWERED, "Thanks, that helps, but is there a fee?", Answer),
    // --- Spanish
    (NOTHING, "¿Puedo hablar con una persona?", Escalate(Requested)),
    (NOTHING, "Quiero hablar con un humano", Escalate(Requested)),
    (NOTHING, "humano por favor", Escalate(Requested)),
    (NOTHING, "¿Hacen envíos a Canadá?", Answer),
    (NOTHING, "¿Cómo cambio mi contraseña?", Answer),
    (NOTHING, "Hola", Greet),
    (ANSWERED, "Esto es inútil", Escalate(Frustrated(Insult))),
    (ANSWERED, "Gracias, eso ayuda", Resolve),
    (ANSWERED, "¡Muchas gracias!", Resolve),
    (ANSWERED, "Gracias, pero ¿y las facturas?", Answer),
    (FAILED_ONCE_ES, "Sigue sin funcionar", Escalate(Frustrated(AiFailedTwice))),
    // --- French
    (NOTHING, "Je voudrais parler à quelqu'un", Escalate(Requested)),
    (NOTHING, "Puis-je parler à un conseiller ?", Escalate(Requested)),
    (NOTHING, "Livrez-vous au Canada ?", Answer),
    (NOTHING, "Bonjour", Greet),
    (ANSWERED, "C'est nul", Escalate(Frustrated(Insult))),
    (ANSWERED, "Merci, ça m'aide !", Resolve),
    (ANSWERED, "Merci beaucoup", Resolve),
    (PASSWORD_ASKED_FR, "Comment réinitialiser mon mot de passe ?", Escalate(Frustrated(RepeatedQuestion))),
    (PASSWORD_ASKED_FR, "Merci, mais où sont mes factures ?", Answer),
    // --- German
    (NOTHING, "Ich möchte mit einem Menschen sprechen", Escalate(Requested)),
    (NOTHING, "Kann ich mit einem Mitarbeiter sprechen?", Escalate(Requested)),
    (NOTHING, "Liefern Sie nach Kanada?", Answer),
    (NOTHING, "Guten Morgen", Greet),
    (ANSWERED, "Das ist nutzlos", Escalate(Frustrated(Insult))),
    (ANSWERED, "WARUM FUNKTIONIERT DAS NICHT", Escalate(Frustrated(Shouting))),
    (ANSWERED, "Danke, das hilft!", Resolve),
    (ANSWERED, "Vielen Dank", Resolve),
    (FAILED_ONCE_DE, "Das hilft mir nicht", Escalate(Frustrated(AiFailedTwice))),
    (ANSWERED, "Danke, aber wo finde ich die Rechnungen?", Answer),
    // --- Italian
    (NOTHING, "Vorrei parlare con un operatore", Escalate(Requested)),
    (NOTHING, "Posso parlare con una persona?", Escalate(Requested)),
    (NOTHING, "Spedite in Canada?", Answer),
    (NOTHING, "Come posso cambiare la password del mio account?", Answer),
    (NOTHING, "Buongiorno", Greet),
    (ANSWERED, "Che perdita di tempo", Escalate(Frustrated(Insult))),
    (ANSWERED, "Grazie, mi hai aiutato", Resolve),
    (ANSWERED, "Grazie mille!", Resolve),
    (ANSWERED, "Grazie, ma dove trovo le fatture?", Answer),
    // --- Portuguese
    (NOTHING, "Quero falar com um atendente", Escalate(Requested)),
    (NOTHING, "Posso falar com uma pessoa?", Escalate(Requested)),
    (NOTHING, "Vocês enviam para o Canadá?", Answer),
    (NOTHING, "Olá", Greet),
    (ANSWERED, "Que perda de tempo", Escalate(Frustrated(Insult))),
    (ANSWERED, "Obrigado, funcionou!", Resolve),
    (ANSWERED, "Muito obrigada", Resolve),
    (ANSWERED, "Obrigado, mas como mudo meu e-mail?", Answer),
];

/// Written apart from the rule's word lists (after it, without looking at them): how visitors
/// really close a conversation, and messages that look like thanks but still ask for something.
#[rustfmt::skip]
const FRESH: &[Row] = &[
    // English
    (ANSWERED, "Brilliant, that did the trick. Cheers!", Resolve),
    (ANSWERED, "ahh ok found it, thank you so much", Resolve),
    (ANSWERED, "Yep that sorted it 🙏", Resolve),
    (ANSWERED, "Legend, thanks", Resolve),
    (ANSWERED, "Appreciate it!", Resolve),
    (ANSWERED, "ok that worked. have a good one", Resolve),
    (ANSWERED, "No, that's everything. Thanks for your help!", Resolve),
    (ANSWERED, "Thank you, I was able to log in", Resolve),
    (OPERATOR_ANSWERED, "Super, much appreciated", Resolve),
    (ANSWERED, "thanks but the link has expired", Answer),
    (ANSWERED, "Thanks. One more thing: can I pay by invoice", Answer),
    (ANSWERED, "Cheers, though I still can't see the button", Answer),
    (ANSWERED, "That worked for the app, not for the website", Answer),
    (ANSWERED, "Thank you, now I need to change my billing address", Answer),
    (NOTHING, "thank you!", Acknowledge),
    (NOTHING, "My invoice shows the wrong amount", Answer),
    // Spanish
    (ANSWERED, "¡Genial, ya está! Gracias", Resolve),
    (ANSWERED, "Listo, muchas gracias por la ayuda", Resolve),
    (ANSWERED, "Perfecto, ya pude entrar. Gracias", Resolve),
    (ANSWERED, "Mil gracias, todo bien", Resolve),
    (ANSWERED, "Gracias, pero todavía no me llega el correo", Answer),
    (ANSWERED, "Vale, gracias. ¿Y cómo descargo la factura?", Answer),
    (NOTHING, "gracias!!", Acknowledge),
    // French
    (ANSWERED, "Super, ça a marché. Merci beaucoup !", Resolve),
    (ANSWERED, "Nickel, merci pour votre aide", Resolve),
    (ANSWERED, "C'est réglé, merci et bonne journée", Resolve),
    (ANSWERED, "Parfait, j'ai trouvé. Merci !", Resolve),
    (ANSWERED, "Merci, mais le lien ne fonctionne pas", Answer),
    (ANSWERED, "D'accord merci, et pour annuler mon abonnement ?", Answer),
    (NOTHING, "Merci d'avance !", Acknowledge),
    // German
    (ANSWERED, "Super, hat geklappt. Danke!", Resolve),
    (ANSWERED, "Danke, jetzt geht es wieder", Resolve),
    (ANSWERED, "Top, vielen Dank für die schnelle Hilfe", Resolve),
    (ANSWERED, "Alles klar, danke. Schönen Tag noch!", Resolve),
    (ANSWERED, "Danke, aber der Link ist abgelaufen", Answer),
    (ANSWERED, "Danke. Wie kann ich mein Abo kündigen?", Answer),
    (NOTHING, "Danke schön", Acknowledge),
    // Italian
    (ANSWERED, "Perfetto, ora funziona. Grazie!", Resolve),
    (ANSWERED, "Ok grazie, tutto risolto", Resolve),
    (ANSWERED, "Ottimo, grazie mille e buona giornata", Resolve),
    (ANSWERED, "Ti ringrazio, sei stato gentilissimo", Resolve),
    (ANSWERED, "Grazie, però il codice non arriva", Answer),
    (ANSWERED, "Grazie. Come cambio la password?", Answer),
    (NOTHING, "grazie", Acknowledge),
    // Portuguese
    (ANSWERED, "Valeu, deu tudo certo!", Resolve),
    (ANSWERED, "Consegui entrar, obrigado!", Resolve),
    (ANSWERED, "Perfeito, era isso mesmo. Obrigada", Resolve),
    (ANSWERED, "Ótimo, muito obrigado pela ajuda", Resolve),
    (ANSWERED, "Obrigado, mas o código não chegou", Answer),
    (ANSWERED, "Obrigada. E como cancelo a assinatura?", Answer),
    (NOTHING, "obrigado!", Acknowledge),
    // A second batch, written after the first one's fixes.
    (ANSWERED, "That's exactly what I needed, ta", Resolve),
    (ANSWERED, "oh nice, it's showing up now. thanks!", Resolve),
    (ANSWERED, "Works like a charm, thank you", Resolve),
    (ANSWERED, "Thanks! You've been really helpful", Resolve),
    (ANSWERED, "thanks, but where do I enter the code", Answer),
    (ANSWERED, "Ok thanks. The export button is greyed out though", Answer),
    (ANSWERED, "Muchas gracias, muy amable", Resolve),
    (ANSWERED, "Ya lo tengo, gracias 😊", Resolve),
    (ANSWERED, "Gracias, necesito también el recibo", Answer),
    (ANSWERED, "Merci, c'est parfait", Resolve),
    (ANSWERED, "Top, merci beaucoup !", Resolve),
    (ANSWERED, "Merci, je n'ai toujours pas reçu l'e-mail", Answer),
    (ANSWERED, "Danke für die Info, das passt so", Resolve),
    (ANSWERED, "Vielen Dank, Problem gelöst", Resolve),
    (ANSWERED, "Danke, ich brauche noch eine Rechnung", Answer),
    (ANSWERED, "Grazie, gentilissimi!", Resolve),
    (ANSWERED, "Perfetto, ci sono riuscito. Grazie", Resolve),
    (ANSWERED, "Grazie ma il pagamento è stato rifiutato", Answer),
    (ANSWERED, "Beleza, valeu pela ajuda!", Resolve),
    (ANSWERED, "Muito obrigado, resolveu meu problema", Resolve),
    (ANSWERED, "Obrigado, porém ainda aparece um erro", Answer),
];

#[test]
fn fresh_examples() {
    let mut failures = Vec::new();
    for (history, message, expected) in FRESH {
        let turns: Vec<Turn<'_>> = history.iter().map(|(s, b)| Turn::new(*s, b)).collect();
        let got = decide(&turns, message);
        if got != *expected {
            failures.push(format!("{message:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        FRESH.len(),
        failures.join("\n")
    );
}

#[test]
fn the_policy_table() {
    assert!(TABLE.len() >= 60, "the issue asks for at least 60 rows");
    let mut failures = Vec::new();
    for (row, (history, message, expected)) in TABLE.iter().enumerate() {
        let turns: Vec<Turn<'_>> = history.iter().map(|(s, b)| Turn::new(*s, b)).collect();
        let got = decide(&turns, message);
        if got != *expected {
            failures.push(format!(
                "row {row}: {message:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_language_has_every_outcome() {
    let langs = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::It, Lang::Pt];
    for lang in langs {
        let mut seen = Vec::new();
        for (_, message, expected) in TABLE {
            if lang::detect(message) == lang || lang == Lang::En {
                seen.push(std::mem::discriminant(expected));
            }
        }
        for outcome in [Escalate(Requested), Answer, Resolve] {
            assert!(
                seen.contains(&std::mem::discriminant(&outcome)),
                "{lang:?} has no {outcome:?} row"
            );
        }
    }
}

#[test]
fn handover_messages_speak_the_visitors_language() {
    let es = lang::detect("¿Puedo hablar con una persona?");
    assert!(Handover::Requested.message(es).starts_with("Por supuesto"));
    let de = lang::detect("Ich möchte mit einem Menschen sprechen");
    assert!(Handover::Requested.message(de).starts_with("Natürlich"));
}
