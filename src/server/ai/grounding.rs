//! Grounded answers: before a model's answer is stored, what it states as fact is checked
//! against the passages it cites. Small models stream fluent answers with the right citation
//! and a wrong price; here every number (prices, durations, limits, times), every plan name
//! and every settings path or quoted label in the answer must appear in those passages (or in
//! the visitor's own question). Pure functions; `agent` replaces an answer that fails with the
//! best passage and records it in AI usage.
//!
//! Numbers are compared as written in digits ("30", "19.99" = "19,99"); numbers spelled out
//! ("thirty") are not checked. Paths and quoted labels are only checked when the answer is in
//! the passages' language (a Spanish answer may translate "Settings").

use super::policy::lang;

/// What the answer states that its sources do not: empty when it is grounded.
pub fn unsupported(answer: &str, sources: &str, question: &str) -> Vec<String> {
    let known: Vec<String> = numbers(sources).chain(numbers(question)).collect();
    let mut missing: Vec<String> = numbers(answer).filter(|n| !known.contains(n)).collect();
    let haystack = sources.to_lowercase();
    let in_sources = |s: &str| haystack.contains(&s.to_lowercase());
    missing.extend(plans(answer).filter(|p| !in_sources(p)));
    if lang::detect(answer) == lang::detect(sources) {
        missing.extend(labels(answer).filter(|l| !in_sources(l)));
    }
    missing.dedup();
    missing
}

/// The numbers written in digits, normalised: "1,000" and "1000" are one number, "19,99" and
/// "19.99" another. A list marker at the start of a line ("1. Open…", "2) Click…") is not a
/// claim.
fn numbers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().flat_map(|line| {
        let mut out = Vec::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], '.' | ',')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            let marker = line[..line.char_indices().nth(start).map_or(0, |(b, _)| b)]
                .trim()
                .is_empty()
                && matches!(chars.get(i), Some('.' | ')'))
                && chars.get(i + 1).is_none_or(|c| c.is_whitespace());
            if !marker {
                out.push(normalise_number(
                    &chars[start..i].iter().collect::<String>(),
                ));
            }
        }
        out
    })
}

/// "1,000" → "1000", "19,99" → "19.99", "1.000,50" → "1000.50".
fn normalise_number(n: &str) -> String {
    let groups: Vec<&str> = n.split(['.', ',']).collect();
    match groups.as_slice() {
        [whole] => whole.to_string(),
        [rest @ .., last] if last.len() == 3 => format!("{}{last}", rest.concat()),
        [rest @ .., last] => format!("{}.{last}", rest.concat()),
        [] => String::new(),
    }
}

/// Words for a plan or tier, in the supported languages.
const PLAN_WORDS: &[&str] = &[
    "plan", "plans", "tier", "plano", "piano", "tarif", "tarifa", "formule", "abo",
];

/// Plan names: the capitalised word before or after a plan word ("the Pro plan", "plan
/// Business", "Premium tier").
fn plans(text: &str) -> impl Iterator<Item = String> + '_ {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !PLAN_WORDS.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        for near in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
            if let Some(name) = words.get(near)
                && name.chars().next().is_some_and(char::is_uppercase)
                && !PLAN_WORDS.contains(&name.to_lowercase().as_str())
            {
                out.push(name.to_string());
            }
        }
    }
    out.into_iter()
}

/// Settings paths ("Settings > Billing", "Settings → Profile") and short quoted labels
/// ("Forgot password"): each part must be in the sources.
fn labels(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.contains('>') || line.contains('→') {
            let parts: Vec<&str> = line.split(['>', '→']).collect();
            for (i, part) in parts.iter().enumerate() {
                // The words right next to the arrow are the label.
                let words: Vec<&str> = part.split_whitespace().collect();
                let label = if i == 0 {
                    words.last().copied()
                } else {
                    words.first().copied()
                };
                if let Some(l) = label {
                    let l = l.trim_matches(|c: char| !c.is_alphanumeric());
                    if !l.is_empty() {
                        out.push(l.to_string());
                    }
                }
            }
        }
        for (open, close) in [('"', '"'), ('“', '”'), ('«', '»')] {
            let mut rest = line;
            while let Some(a) = rest.find(open) {
                let after = &rest[a + open.len_utf8()..];
                let Some(b) = after.find(close) else { break };
                let quoted = after[..b].trim();
                if !quoted.is_empty() && quoted.split_whitespace().count() <= 5 {
                    out.push(quoted.to_string());
                }
                rest = &after[b + close.len_utf8()..];
            }
        }
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "Standard delivery takes 3 to 5 working days; express delivery takes \
        1 to 2 working days. The Pro plan costs $19.99 a month. Invoices are in Settings, then \
        Billing. Click \"Forgot password\" on the sign-in page. Orders over 1,000 EUR ship free.";

    #[test]
    fn what_the_sources_say_is_grounded() {
        let answer = "Express delivery takes 1 to 2 working days, and the Pro plan is $19.99.";
        assert!(unsupported(answer, SOURCE, "").is_empty());
        assert!(unsupported("Over 1000 EUR shipping is free.", SOURCE, "").is_empty());
        assert!(unsupported("Click \"Forgot password\".", SOURCE, "").is_empty());
        assert!(unsupported("Open Settings > Billing.", SOURCE, "").is_empty());
        // The answer may repeat the visitor's own numbers.
        assert!(
            unsupported(
                "Order 4521 ships in 3 to 5 days.",
                SOURCE,
                "Where is order 4521?"
            )
            .is_empty()
        );
        // List markers are not claims.
        assert!(unsupported("1. Open Settings.\n2. Choose Billing.", SOURCE, "").is_empty());
    }

    #[test]
    fn a_wrong_figure_or_an_invented_plan_is_caught() {
        assert_eq!(
            unsupported("The Pro plan costs $24.99.", SOURCE, ""),
            ["24.99"]
        );
        assert_eq!(unsupported("Delivery takes 7 days.", SOURCE, ""), ["7"]);
        assert_eq!(
            unsupported("Try the Business plan.", SOURCE, ""),
            ["Business"]
        );
        assert_eq!(
            unsupported("Open Settings > Payments.", SOURCE, ""),
            ["Payments"]
        );
        assert_eq!(
            unsupported("Click \"Reset account\".", SOURCE, ""),
            ["Reset account"]
        );
    }

    #[test]
    fn a_translated_answer_keeps_its_numbers_checked() {
        let es = "La entrega estándar tarda de 3 a 5 días hábiles. Ve a \"Configuración\".";
        assert!(unsupported(es, SOURCE, "").is_empty());
        assert_eq!(unsupported("La entrega tarda 10 días.", SOURCE, ""), ["10"]);
    }

    #[test]
    fn numbers_are_normalised() {
        assert_eq!(normalise_number("1,000"), "1000");
        assert_eq!(normalise_number("19,99"), "19.99");
        assert_eq!(normalise_number("1.000,50"), "1000.50");
    }
}
