//! Quick replies: canned answers operators insert by typing `/` in the composer. Admins and
//! Owners manage them in Settings (title, shortcut, text). What is valid and what a typed
//! `/query` matches are here, so the server and the composer agree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    pub id: i64,
    pub title: String,
    /// Typed after `/`: lowercase letters, digits, `-` and `_`.
    pub shortcut: String,
    pub body: String,
}

pub const MAX_TITLE_CHARS: usize = 80;
pub const MAX_SHORTCUT_CHARS: usize = 32;

/// A quick reply as typed in Settings, trimmed; or what is wrong with it.
pub fn validate<'a>(
    title: &'a str,
    shortcut: &'a str,
    body: &'a str,
) -> Result<(&'a str, String, &'a str), String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!(
            "Give the quick reply a title of 1 to {MAX_TITLE_CHARS} characters."
        ));
    }
    let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if shortcut.is_empty() || shortcut.len() > MAX_SHORTCUT_CHARS || !shortcut.chars().all(ok) {
        return Err(format!(
            "The shortcut is 1 to {MAX_SHORTCUT_CHARS} letters, digits, - or _ (e.g. \"refund\")."
        ));
    }
    let body = crate::message::validate_body(body).map_err(str::to_string)?;
    Ok((title, shortcut, body))
}

/// What the composer's `/` menu is filtering by: the text after a leading `/`, while it is
/// one word (a space ends the menu). None when the draft does not start a command.
pub fn typed_query(draft: &str) -> Option<&str> {
    let rest = draft.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

/// The replies matching `query`, shortcut-prefix matches first, then titles containing it
/// (case-insensitive); everything for an empty query.
pub fn matching<'a>(replies: &'a [QuickReply], query: &str) -> Vec<&'a QuickReply> {
    let q = query.to_lowercase();
    let mut first: Vec<&QuickReply> = replies
        .iter()
        .filter(|r| r.shortcut.starts_with(&q))
        .collect();
    first.extend(
        replies
            .iter()
            .filter(|r| !r.shortcut.starts_with(&q) && r.title.to_lowercase().contains(&q)),
    );
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(id: i64, title: &str, shortcut: &str) -> QuickReply {
        QuickReply {
            id,
            title: title.into(),
            shortcut: shortcut.into(),
            body: format!("{title}!"),
        }
    }

    #[test]
    fn shortcuts_are_simple_words() {
        assert_eq!(
            validate(" Greeting ", "/Hello", " Hi there "),
            Ok(("Greeting", "hello".into(), "Hi there"))
        );
        assert!(validate("Greeting", "hello world", "Hi").is_err());
        assert!(validate("Greeting", "", "Hi").is_err());
        assert!(validate("", "hi", "Hi").is_err());
        assert!(validate("Greeting", "hi", "  ").is_err());
        assert!(validate(&"t".repeat(81), "hi", "Hi").is_err());
    }

    #[test]
    fn the_menu_filters_as_you_type() {
        assert_eq!(typed_query("/"), Some(""));
        assert_eq!(typed_query("/ref"), Some("ref"));
        assert_eq!(typed_query("/ref and"), None);
        assert_eq!(typed_query("hello /ref"), None);
        let all = [
            reply(1, "Refund policy", "refund"),
            reply(2, "Greeting", "hi"),
            reply(3, "Where is my refund?", "status"),
        ];
        let ids = |q: &str| matching(&all, q).iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(""), [1, 2, 3]);
        assert_eq!(ids("ref"), [1, 3]);
        assert_eq!(ids("REF"), [1, 3]);
        assert_eq!(ids("hi"), [2]);
        assert_eq!(ids("h"), [2, 3], "a title containing it comes after");
        assert!(ids("zzz").is_empty());
    }
}
