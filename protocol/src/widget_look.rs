//! How the widget looks on a customer's site (Settings → Widget): its colour, title, greeting
//! and which corner the launcher sits in. Empty title and greeting mean the widget's own, in the
//! visitor's language.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    #[default]
    Right,
    Left,
}

impl Position {
    pub const ALL: [Position; 2] = [Position::Right, Position::Left];

    pub fn as_str(self) -> &'static str {
        match self {
            Position::Right => "right",
            Position::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<Position> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Position::Right => "Bottom right",
            Position::Left => "Bottom left",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetLook {
    /// "#rrggbb": the header, the launcher, the visitor's bubbles and the buttons.
    pub colour: String,
    /// Above the conversation; empty: "Support" in the visitor's language.
    pub title: String,
    /// The first thing the widget says; empty: its own welcome in the visitor's language.
    pub greeting: String,
    pub position: Position,
}

/// The colour the widget has until Settings change it.
pub const DEFAULT_COLOUR: &str = "#4f46e5";
pub const MAX_TITLE_CHARS: usize = 40;
pub const MAX_GREETING_CHARS: usize = 300;

impl Default for WidgetLook {
    fn default() -> Self {
        WidgetLook {
            colour: DEFAULT_COLOUR.to_string(),
            title: String::new(),
            greeting: String::new(),
            position: Position::Right,
        }
    }
}

impl WidgetLook {
    /// The look as saved: trimmed, the colour in lower case; or what is wrong with it.
    pub fn checked(self) -> Result<WidgetLook, String> {
        let colour = self.colour.trim().to_ascii_lowercase();
        let hex = colour.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "{:?} is not a colour: use #rrggbb, like {DEFAULT_COLOUR}.",
                self.colour
            ));
        }
        let title = self.title.trim().to_string();
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!(
                "The title is too long: at most {MAX_TITLE_CHARS} characters."
            ));
        }
        let greeting = self.greeting.trim().to_string();
        if greeting.chars().count() > MAX_GREETING_CHARS {
            return Err(format!(
                "The greeting is too long: at most {MAX_GREETING_CHARS} characters."
            ));
        }
        Ok(WidgetLook {
            colour,
            title,
            greeting,
            position: self.position,
        })
    }
}

/// The one tag a customer's page includes to show the widget served by `origin`.
pub fn embed_snippet(origin: &str) -> String {
    let origin = origin.trim_end_matches('/');
    format!(
        "<script type=\"module\" src=\"{origin}/widget/liaison.js\" data-liaison-url=\"{origin}\"></script>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(colour: &str, title: &str, greeting: &str) -> WidgetLook {
        WidgetLook {
            colour: colour.into(),
            title: title.into(),
            greeting: greeting.into(),
            position: Position::Left,
        }
    }

    #[test]
    fn a_look_is_checked_and_tidied() {
        let ok = look(" #0F766E ", "  Help ", " Hello! ").checked().unwrap();
        assert_eq!(
            (ok.colour.as_str(), ok.title.as_str(), ok.greeting.as_str()),
            ("#0f766e", "Help", "Hello!")
        );
        assert!(
            look("red", "", "")
                .checked()
                .unwrap_err()
                .contains("#rrggbb")
        );
        assert!(look("#12345", "", "").checked().is_err());
        assert!(look("#12345g", "", "").checked().is_err());
        assert!(
            look("#123456", &"x".repeat(41), "")
                .checked()
                .unwrap_err()
                .contains("title")
        );
        assert!(look("#123456", "", &"é".repeat(301)).checked().is_err());
        assert!(look("#123456", "", &"é".repeat(300)).checked().is_ok());
    }

    #[test]
    fn the_snippet_names_the_server_twice() {
        assert_eq!(
            embed_snippet("https://support.example.com/"),
            "<script type=\"module\" src=\"https://support.example.com/widget/liaison.js\" data-liaison-url=\"https://support.example.com\"></script>"
        );
    }
}
