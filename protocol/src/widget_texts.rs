//! The widget's own words (its buttons, hints and labels; not the messages). English is
//! built into the widget; the other languages are served by the widget API
//! (`GET /api/widget/v1/texts/{lang}`) and fetched by the loader next to the wasm, so a visitor
//! downloads only their own language. The AI's fixed messages follow the same language (the
//! widget sends it as the visitor's `language`).

/// Every text the widget shows: its index in `ENGLISH` and in each translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    OpenChat,
    Chat,
    Title,
    TalkToHuman,
    LeaveMessage,
    HumanOnTheWay,
    MessageLeft,
    BookMeeting,
    CloseChat,
    Resolved,
    StartNew,
    Typing,
    Placeholder,
    Message,
    Send,
    SendFile,
    Welcome,
    Away,
    Source,
    NewConversation,
    NotSentRetry,
    FileNotSent,
    HowDidWeDo,
    Stars,
    AnythingToAdd,
    SendRating,
    ThanksFeedback,
    ChooseStars,
    NotSentTryAgain,
    WhoAreYou,
    Name,
    Email,
    Phone,
    StartChat,
    ThanksHowHelp,
    Unreachable,
    You,
    AiAssistant,
    SupportAgent,
    Menu,
    NewChat,
    StillOpen,
    Past,
    Back,
    NoPast,
    Older,
    StatusOpen,
    StatusResolved,
    AiTyping,
    LeaveEmail,
    Optional,
    TooFast,
}

/// How many texts there are.
pub const COUNT: usize = Text::TooFast as usize + 1;

/// The built-in texts, in the order of `Text`.
pub const ENGLISH: [&str; COUNT] = [
    "Open chat",                            // OpenChat
    "Chat",                                 // Chat
    "Support",                              // Title
    "Talk to a human",                      // TalkToHuman
    "Leave a message",                      // LeaveMessage
    "A human is on the way",                // HumanOnTheWay
    "Message left for the team",            // MessageLeft
    "Book a meeting",                       // BookMeeting
    "Close chat",                           // CloseChat
    "This conversation has been resolved.", // Resolved
    "Start a new conversation",             // StartNew
    "Support Agent is typing…",             // Typing
    "Type your message…",                   // Placeholder
    "Message",                              // Message
    "Send",                                 // Send
    "Send a file",                          // SendFile
    "Hi! Ask us anything — our AI assistant answers right away, and a human is one click away.", // Welcome
    "Our team is away right now. Leave a message here and we will get back to you as soon as we are back.", // Away
    "Source: ",                                                 // Source
    "New conversation. How can we help?",                       // NewConversation
    "Not sent — click to retry.",                               // NotSentRetry
    "not sent, please try again.",                              // FileNotSent
    "How did we do?",                                           // HowDidWeDo
    "stars",                                                    // Stars
    "Anything to add? (optional)",                              // AnythingToAdd
    "Send rating",                                              // SendRating
    "Thank you for your feedback!",                             // ThanksFeedback
    "Choose 1 to 5 stars.",                                     // ChooseStars
    "Not sent. Please try again.",                              // NotSentTryAgain
    "Before we start, tell us who you are:",                    // WhoAreYou
    "Name",                                                     // Name
    "Email",                                                    // Email
    "Phone",                                                    // Phone
    "Start chat",                                               // StartChat
    "Thanks! How can we help?",                                 // ThanksHowHelp
    "We could not reach support. Please try again.",            // Unreachable
    "You",                                                      // You
    "AI Assistant",                                             // AiAssistant
    "Support Agent",                                            // SupportAgent
    "Menu",                                                     // Menu
    "New conversation",                                         // NewChat
    "Your conversation is still open",                          // StillOpen
    "Past conversations",                                       // Past
    "Back to the conversation",                                 // Back
    "No conversations yet.",                                    // NoPast
    "Show older",                                               // Older
    "Open",                                                     // StatusOpen
    "Resolved",                                                 // StatusResolved
    "AI Assistant is typing…",                                  // AiTyping
    "Leave your email address, so we can reply:",               // LeaveEmail
    "(optional)",                                               // Optional
    "Sending too fast: your message will go in a few seconds.", // TooFast
];

/// The languages served besides English, with their texts in the order of `Text`.
pub const TRANSLATIONS: [(&str, [&str; COUNT]); 5] = [
    (
        "fr",
        [
            "Ouvrir le chat",                  // OpenChat
            "Chat",                            // Chat
            "Assistance",                      // Title
            "Parler à un humain",              // TalkToHuman
            "Laisser un message",              // LeaveMessage
            "Un humain arrive",                // HumanOnTheWay
            "Message laissé à l'équipe",       // MessageLeft
            "Prendre rendez-vous",             // BookMeeting
            "Fermer le chat",                  // CloseChat
            "Cette conversation est résolue.", // Resolved
            "Nouvelle conversation",           // StartNew
            "Un conseiller écrit…",            // Typing
            "Écrivez votre message…",          // Placeholder
            "Message",                         // Message
            "Envoyer",                         // Send
            "Envoyer un fichier",              // SendFile
            "Bonjour ! Posez-nous vos questions : notre assistant IA répond tout de suite, et un humain est à un clic.", // Welcome
            "Notre équipe est absente pour le moment. Laissez un message ici : nous vous répondrons dès notre retour.", // Away
            "Source : ",                                                         // Source
            "Nouvelle conversation. Comment pouvons-nous vous aider ?",          // NewConversation
            "Non envoyé — cliquez pour réessayer.",                              // NotSentRetry
            "non envoyé, veuillez réessayer.",                                   // FileNotSent
            "Comment avons-nous fait ?",                                         // HowDidWeDo
            "étoiles",                                                           // Stars
            "Un commentaire ? (facultatif)",                                     // AnythingToAdd
            "Envoyer la note",                                                   // SendRating
            "Merci pour votre avis !",                                           // ThanksFeedback
            "Choisissez de 1 à 5 étoiles.",                                      // ChooseStars
            "Non envoyé. Veuillez réessayer.",                                   // NotSentTryAgain
            "Avant de commencer, dites-nous qui vous êtes :",                    // WhoAreYou
            "Nom",                                                               // Name
            "E-mail",                                                            // Email
            "Téléphone",                                                         // Phone
            "Commencer",                                                         // StartChat
            "Merci ! Comment pouvons-nous vous aider ?",                         // ThanksHowHelp
            "Impossible de joindre l'assistance. Veuillez réessayer.",           // Unreachable
            "Vous",                                                              // You
            "Assistant IA",                                                      // AiAssistant
            "Conseiller",                                                        // SupportAgent
            "Menu",                                                              // Menu
            "Nouvelle conversation",                                             // NewChat
            "Votre conversation est encore ouverte",                             // StillOpen
            "Conversations précédentes",                                         // Past
            "Retour à la conversation",                                          // Back
            "Aucune conversation pour l'instant.",                               // NoPast
            "Plus anciennes",                                                    // Older
            "Ouverte",                                                           // StatusOpen
            "Résolue",                                                           // StatusResolved
            "L'assistant IA écrit…",                                             // AiTyping
            "Laissez votre adresse e-mail pour que nous puissions répondre :",   // LeaveEmail
            "(facultatif)",                                                      // Optional
            "Envoi trop rapide : votre message partira dans quelques secondes.", // TooFast
        ],
    ),
    (
        "de",
        [
            "Chat öffnen",                        // OpenChat
            "Chat",                               // Chat
            "Support",                            // Title
            "Mit einem Menschen sprechen",        // TalkToHuman
            "Nachricht hinterlassen",             // LeaveMessage
            "Ein Mensch ist unterwegs",           // HumanOnTheWay
            "Nachricht an das Team hinterlassen", // MessageLeft
            "Termin buchen",                      // BookMeeting
            "Chat schließen",                     // CloseChat
            "Dieses Gespräch ist gelöst.",        // Resolved
            "Neues Gespräch beginnen",            // StartNew
            "Ein Mitarbeiter schreibt…",          // Typing
            "Ihre Nachricht…",                    // Placeholder
            "Nachricht",                          // Message
            "Senden",                             // Send
            "Datei senden",                       // SendFile
            "Hallo! Fragen Sie uns alles – unser KI-Assistent antwortet sofort, und ein Mensch ist nur einen Klick entfernt.", // Welcome
            "Unser Team ist gerade nicht da. Hinterlassen Sie hier eine Nachricht; wir melden uns, sobald wir zurück sind.", // Away
            "Quelle: ",                                                           // Source
            "Neues Gespräch. Wie können wir helfen?",                             // NewConversation
            "Nicht gesendet – zum Wiederholen klicken.",                          // NotSentRetry
            "nicht gesendet, bitte erneut versuchen.",                            // FileNotSent
            "Wie waren wir?",                                                     // HowDidWeDo
            "Sterne",                                                             // Stars
            "Noch etwas? (optional)",                                             // AnythingToAdd
            "Bewertung senden",                                                   // SendRating
            "Danke für Ihr Feedback!",                                            // ThanksFeedback
            "Wählen Sie 1 bis 5 Sterne.",                                         // ChooseStars
            "Nicht gesendet. Bitte erneut versuchen.",                            // NotSentTryAgain
            "Bevor wir beginnen, sagen Sie uns, wer Sie sind:",                   // WhoAreYou
            "Name",                                                               // Name
            "E-Mail",                                                             // Email
            "Telefon",                                                            // Phone
            "Chat starten",                                                       // StartChat
            "Danke! Wie können wir helfen?",                                      // ThanksHowHelp
            "Der Support ist nicht erreichbar. Bitte erneut versuchen.",          // Unreachable
            "Sie",                                                                // You
            "KI-Assistent",                                                       // AiAssistant
            "Support-Mitarbeiter",                                                // SupportAgent
            "Menü",                                                               // Menu
            "Neues Gespräch",                                                     // NewChat
            "Ihr Gespräch ist noch offen",                                        // StillOpen
            "Frühere Gespräche",                                                  // Past
            "Zurück zum Gespräch",                                                // Back
            "Noch keine Gespräche.",                                              // NoPast
            "Ältere anzeigen",                                                    // Older
            "Offen",                                                              // StatusOpen
            "Gelöst",                                                             // StatusResolved
            "Der KI-Assistent schreibt…",                                         // AiTyping
            "Hinterlassen Sie Ihre E-Mail-Adresse, damit wir antworten können:",  // LeaveEmail
            "(optional)",                                                         // Optional
            "Zu schnell gesendet: Ihre Nachricht geht in wenigen Sekunden raus.", // TooFast
        ],
    ),
    (
        "es",
        [
            "Abrir el chat",                    // OpenChat
            "Chat",                             // Chat
            "Soporte",                          // Title
            "Hablar con una persona",           // TalkToHuman
            "Dejar un mensaje",                 // LeaveMessage
            "Una persona viene en camino",      // HumanOnTheWay
            "Mensaje dejado al equipo",         // MessageLeft
            "Reservar una reunión",             // BookMeeting
            "Cerrar el chat",                   // CloseChat
            "Esta conversación está resuelta.", // Resolved
            "Iniciar una nueva conversación",   // StartNew
            "Un agente está escribiendo…",      // Typing
            "Escribe tu mensaje…",              // Placeholder
            "Mensaje",                          // Message
            "Enviar",                           // Send
            "Enviar un archivo",                // SendFile
            "¡Hola! Pregúntanos lo que quieras: nuestro asistente de IA responde al instante, y una persona está a un clic.", // Welcome
            "Nuestro equipo no está disponible ahora. Deja un mensaje aquí y te responderemos en cuanto volvamos.", // Away
            "Fuente: ",                                                    // Source
            "Nueva conversación. ¿En qué podemos ayudarte?",               // NewConversation
            "No enviado: haz clic para reintentar.",                       // NotSentRetry
            "no enviado, inténtalo de nuevo.",                             // FileNotSent
            "¿Qué tal lo hicimos?",                                        // HowDidWeDo
            "estrellas",                                                   // Stars
            "¿Algo que añadir? (opcional)",                                // AnythingToAdd
            "Enviar valoración",                                           // SendRating
            "¡Gracias por tu opinión!",                                    // ThanksFeedback
            "Elige de 1 a 5 estrellas.",                                   // ChooseStars
            "No enviado. Inténtalo de nuevo.",                             // NotSentTryAgain
            "Antes de empezar, dinos quién eres:",                         // WhoAreYou
            "Nombre",                                                      // Name
            "Correo electrónico",                                          // Email
            "Teléfono",                                                    // Phone
            "Empezar",                                                     // StartChat
            "¡Gracias! ¿En qué podemos ayudarte?",                         // ThanksHowHelp
            "No pudimos contactar con soporte. Inténtalo de nuevo.",       // Unreachable
            "Tú",                                                          // You
            "Asistente de IA",                                             // AiAssistant
            "Agente de soporte",                                           // SupportAgent
            "Menú",                                                        // Menu
            "Nueva conversación",                                          // NewChat
            "Tu conversación sigue abierta",                               // StillOpen
            "Conversaciones anteriores",                                   // Past
            "Volver a la conversación",                                    // Back
            "Aún no hay conversaciones.",                                  // NoPast
            "Ver anteriores",                                              // Older
            "Abierta",                                                     // StatusOpen
            "Resuelta",                                                    // StatusResolved
            "El asistente de IA está escribiendo…",                        // AiTyping
            "Déjanos tu correo electrónico para poder responderte:",       // LeaveEmail
            "(opcional)",                                                  // Optional
            "Envío demasiado rápido: tu mensaje saldrá en unos segundos.", // TooFast
        ],
    ),
    (
        "it",
        [
            "Apri la chat",                    // OpenChat
            "Chat",                            // Chat
            "Assistenza",                      // Title
            "Parla con una persona",           // TalkToHuman
            "Lascia un messaggio",             // LeaveMessage
            "Una persona sta arrivando",       // HumanOnTheWay
            "Messaggio lasciato al team",      // MessageLeft
            "Prenota un incontro",             // BookMeeting
            "Chiudi la chat",                  // CloseChat
            "Questa conversazione è risolta.", // Resolved
            "Inizia una nuova conversazione",  // StartNew
            "Un operatore sta scrivendo…",     // Typing
            "Scrivi il tuo messaggio…",        // Placeholder
            "Messaggio",                       // Message
            "Invia",                           // Send
            "Invia un file",                   // SendFile
            "Ciao! Chiedici qualsiasi cosa: il nostro assistente IA risponde subito, e una persona è a un clic di distanza.", // Welcome
            "Il nostro team al momento non è disponibile. Lascia un messaggio qui e ti risponderemo appena torniamo.", // Away
            "Fonte: ",                                                        // Source
            "Nuova conversazione. Come possiamo aiutarti?",                   // NewConversation
            "Non inviato: fai clic per riprovare.",                           // NotSentRetry
            "non inviato, riprova.",                                          // FileNotSent
            "Come siamo andati?",                                             // HowDidWeDo
            "stelle",                                                         // Stars
            "Qualcosa da aggiungere? (facoltativo)",                          // AnythingToAdd
            "Invia valutazione",                                              // SendRating
            "Grazie per il tuo feedback!",                                    // ThanksFeedback
            "Scegli da 1 a 5 stelle.",                                        // ChooseStars
            "Non inviato. Riprova.",                                          // NotSentTryAgain
            "Prima di iniziare, dicci chi sei:",                              // WhoAreYou
            "Nome",                                                           // Name
            "E-mail",                                                         // Email
            "Telefono",                                                       // Phone
            "Inizia",                                                         // StartChat
            "Grazie! Come possiamo aiutarti?",                                // ThanksHowHelp
            "Impossibile raggiungere l'assistenza. Riprova.",                 // Unreachable
            "Tu",                                                             // You
            "Assistente IA",                                                  // AiAssistant
            "Operatore",                                                      // SupportAgent
            "Menu",                                                           // Menu
            "Nuova conversazione",                                            // NewChat
            "La tua conversazione è ancora aperta",                           // StillOpen
            "Conversazioni precedenti",                                       // Past
            "Torna alla conversazione",                                       // Back
            "Ancora nessuna conversazione.",                                  // NoPast
            "Mostra precedenti",                                              // Older
            "Aperta",                                                         // StatusOpen
            "Risolta",                                                        // StatusResolved
            "L'assistente IA sta scrivendo…",                                 // AiTyping
            "Lasciaci il tuo indirizzo e-mail, così possiamo risponderti:",   // LeaveEmail
            "(facoltativo)",                                                  // Optional
            "Invio troppo rapido: il messaggio partirà tra qualche secondo.", // TooFast
        ],
    ),
    (
        "pt",
        [
            "Abrir o chat",                   // OpenChat
            "Chat",                           // Chat
            "Suporte",                        // Title
            "Falar com uma pessoa",           // TalkToHuman
            "Deixar uma mensagem",            // LeaveMessage
            "Uma pessoa está a caminho",      // HumanOnTheWay
            "Mensagem deixada para a equipe", // MessageLeft
            "Agendar uma reunião",            // BookMeeting
            "Fechar o chat",                  // CloseChat
            "Esta conversa foi resolvida.",   // Resolved
            "Iniciar uma nova conversa",      // StartNew
            "Um atendente está digitando…",   // Typing
            "Digite sua mensagem…",           // Placeholder
            "Mensagem",                       // Message
            "Enviar",                         // Send
            "Enviar um arquivo",              // SendFile
            "Olá! Pergunte o que quiser: nosso assistente de IA responde na hora, e uma pessoa está a um clique.", // Welcome
            "Nossa equipe não está disponível agora. Deixe uma mensagem aqui e responderemos assim que voltarmos.", // Away
            "Fonte: ",                                                     // Source
            "Nova conversa. Como podemos ajudar?",                         // NewConversation
            "Não enviado: clique para tentar de novo.",                    // NotSentRetry
            "não enviado, tente de novo.",                                 // FileNotSent
            "Como nos saímos?",                                            // HowDidWeDo
            "estrelas",                                                    // Stars
            "Algo a acrescentar? (opcional)",                              // AnythingToAdd
            "Enviar avaliação",                                            // SendRating
            "Obrigado pela sua avaliação!",                                // ThanksFeedback
            "Escolha de 1 a 5 estrelas.",                                  // ChooseStars
            "Não enviado. Tente de novo.",                                 // NotSentTryAgain
            "Antes de começar, diga quem você é:",                         // WhoAreYou
            "Nome",                                                        // Name
            "E-mail",                                                      // Email
            "Telefone",                                                    // Phone
            "Começar",                                                     // StartChat
            "Obrigado! Como podemos ajudar?",                              // ThanksHowHelp
            "Não foi possível falar com o suporte. Tente de novo.",        // Unreachable
            "Você",                                                        // You
            "Assistente de IA",                                            // AiAssistant
            "Atendente",                                                   // SupportAgent
            "Menu",                                                        // Menu
            "Nova conversa",                                               // NewChat
            "Sua conversa ainda está aberta",                              // StillOpen
            "Conversas anteriores",                                        // Past
            "Voltar à conversa",                                           // Back
            "Ainda não há conversas.",                                     // NoPast
            "Ver anteriores",                                              // Older
            "Aberta",                                                      // StatusOpen
            "Resolvida",                                                   // StatusResolved
            "O assistente de IA está digitando…",                          // AiTyping
            "Deixe seu e-mail para podermos responder:",                   // LeaveEmail
            "(opcional)",                                                  // Optional
            "Envio rápido demais: sua mensagem sairá em alguns segundos.", // TooFast
        ],
    ),
];

/// The languages the widget speaks. Kept apart from `TRANSLATIONS` so that the widget, which
/// reads only this, does not carry every translation.
pub const LANGUAGES: [&str; 6] = ["en", "fr", "de", "es", "it", "pt"];

/// The language code of a tag the widget speaks ("fr-CA" → "fr"), English included.
pub fn language(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|code| *code == primary)
}

/// The texts of a language other than English.
pub fn translation(code: &str) -> Option<&'static [&'static str; COUNT]> {
    TRANSLATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, texts)| texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_finds_open_chat_first() {
        // widget/loader.js labels the launcher with `texts[0]` before the widget loads.
        assert_eq!(Text::OpenChat as usize, 0);
    }

    #[test]
    fn every_language_has_every_text() {
        for (code, texts) in TRANSLATIONS {
            for (i, t) in texts.iter().enumerate() {
                assert!(!t.is_empty(), "{code}: text {i} is empty");
            }
        }
        assert_eq!(ENGLISH[Text::Send as usize], "Send");
        assert_eq!(translation("fr").unwrap()[Text::Send as usize], "Envoyer");
        assert_eq!(
            translation("de").unwrap()[Text::SupportAgent as usize],
            "Support-Mitarbeiter"
        );
    }

    #[test]
    fn the_languages_are_english_and_the_translations() {
        let mut codes = vec!["en"];
        codes.extend(TRANSLATIONS.iter().map(|(code, _)| *code));
        assert_eq!(codes, LANGUAGES);
    }

    #[test]
    fn tags_name_languages() {
        assert_eq!(language("fr-CA"), Some("fr"));
        assert_eq!(language("pt_BR"), Some("pt"));
        assert_eq!(language("en-GB"), Some("en"));
        assert_eq!(language("nl"), None);
        assert_eq!(language(""), None);
    }
}
