//! The customer's rating of a resolved conversation: 1–5 stars, optional feedback categories
//! (configurable in Settings) and an optional comment. Operators see it in the panel header,
//! the list's Rating column and the Reviews page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One line of the Reviews page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub conversation_id: i64,
    pub visitor: String,
    pub rating: Rating,
    pub rated_at: Option<i64>,
    /// The operator who resolved it, if one did.
    pub resolved_by: Option<String>,
}

/// The categories offered when Settings name none.
pub const DEFAULT_CATEGORIES: [&str; 4] = ["Fast", "Helpful", "Friendly", "Not solved"];

pub const MAX_COMMENT_CHARS: usize = 1000;

/// A rating as sent, checked against the categories on offer (`allowed`); duplicates are
/// dropped and the order of `allowed` kept.
pub fn validate(
    stars: i64,
    categories: &[String],
    comment: Option<&str>,
    allowed: &[String],
) -> Result<Rating, String> {
    let stars = u8::try_from(stars)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| format!("A rating is 1 to 5 stars (got {stars})."))?;
    if let Some(unknown) = categories.iter().find(|c| !allowed.contains(c)) {
        return Err(format!(
            "{unknown:?} is not one of the feedback categories."
        ));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(format!(
            "The comment is too long ({MAX_COMMENT_CHARS} characters at most)."
        ));
    }
    Ok(Rating {
        stars,
        categories: allowed
            .iter()
            .filter(|a| categories.contains(a))
            .cloned()
            .collect(),
        comment: comment.map(str::to_string),
    })
}

/// "★★★★☆" for 4 stars.
pub fn stars(n: u8) -> String {
    let n = n.min(5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn stars_are_one_to_five() {
        for bad in [0, 6, -1, 300] {
            assert!(validate(bad, &[], None, &allowed()).is_err(), "{bad}");
        }
        let r = validate(5, &[], Some("  "), &allowed()).unwrap();
        assert_eq!((r.stars, r.comment), (5, None));
    }

    #[test]
    fn categories_come_from_the_list() {
        let sent = vec!["Helpful".to_string(), "Fast".into(), "Fast".into()];
        let r = validate(4, &sent, Some(" Great "), &allowed()).unwrap();
        assert_eq!(r.categories, ["Fast", "Helpful"]);
        assert_eq!(r.comment.as_deref(), Some("Great"));
        assert!(validate(4, &["Rude".into()], None, &allowed()).is_err());
        assert!(validate(4, &[], Some(&"x".repeat(1001)), &allowed()).is_err());
        assert_eq!(stars(4), "★★★★☆");
    }
}
