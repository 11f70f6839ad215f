//! Text normalisation for the policy's phrase rules: lowercase, accents folded, punctuation
//! dropped, single spaces. "¿Puedo hablar con un HUMANO?" becomes "puedo hablar con un humano".

/// Folds the accents the supported languages use, so "ça" matches "ca" and "für" matches "fur".
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// Lowercase words separated by single spaces; apostrophes (also the typographic one phones
/// type) kept inside words ("don't").
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text = text.to_lowercase().replace('ß', "ss").replace('’', "'");
    for c in text.chars() {
        let c = fold(c);
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// Whether the normalised `text` contains `phrase` as whole words.
pub fn has_phrase(text: &str, phrase: &str) -> bool {
    let (text, phrase) = (format!(" {text} "), format!(" {phrase} "));
    text.contains(&phrase)
}

/// The first phrase of `phrases` the normalised text contains.
pub fn find_phrase<'p>(text: &str, phrases: &[&'p str]) -> Option<&'p str> {
    phrases.iter().copied().find(|p| has_phrase(text, p))
}

/// The words of a normalised text.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ').filter(|w| !w.is_empty())
}

/// Whether a message is shouted: at least three words and 12 letters, nearly all capitals.
pub fn is_shouting(raw: &str) -> bool {
    let letters: Vec<char> = raw.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    let word_count = raw
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    letters.len() >= 12 && word_count >= 3 && upper * 10 >= letters.len() * 9
}

/// How alike two questions are: the share of content words they have in common (Jaccard).
pub fn similarity(a: &str, b: &str) -> f64 {
    let content = |t: &str| -> Vec<String> {
        words(&normalise(t))
            .filter(|w| w.chars().count() > 2)
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (content(a), content(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.iter().filter(|w| b.contains(w)).count() as f64;
    let union = (a.len() + b.len()) as f64 - shared;
    shared / union
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_accents_case_and_punctuation() {
        assert_eq!(
            normalise("¿Puedo hablar con un HUMANO?"),
            "puedo hablar con un humano"
        );
        assert_eq!(normalise("Ça m’aide, merci!"), "ca m'aide merci");
        assert_eq!(normalise("Straße  für   Sie"), "strasse fur sie");
    }

    #[test]
    fn phrases_match_whole_words() {
        assert!(has_phrase("i want a human now", "a human"));
        assert!(!has_phrase("the human resources page", "human please"));
        assert!(!has_phrase("agents", "agent"));
    }

    #[test]
    fn shouting_needs_enough_capital_letters() {
        assert!(is_shouting("WHY DOES THIS NOT WORK"));
        assert!(!is_shouting("Why does this not work"));
        assert!(!is_shouting("FAQ URL?"));
        assert!(!is_shouting("I use the EU VAT ID"));
    }

    #[test]
    fn similar_questions() {
        assert!(similarity("How do I reset my password?", "how do i reset my password") > 0.99);
        assert!(similarity("How do I reset my password?", "Do you ship to Canada?") < 0.2);
        assert_eq!(similarity("", "hi"), 0.0);
    }
}
