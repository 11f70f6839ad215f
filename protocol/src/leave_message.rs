//! "Leave a message": when no one can answer (every operator away, or outside business hours),
//! the widget's "Talk to a human" becomes "Leave a message", and the team will reply later, so it
//! needs an address to reply to. The visitor gives one, unless one is on file already (the
//! pre-chat form, or an earlier message left).

use crate::lead::valid_email;
use serde::{Deserialize, Serialize};

/// `POST /escalate`'s body (optional: "Talk to a human" sends none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalateRequest {
    /// The address to reply to, when leaving a message.
    #[serde(default)]
    pub email: String,
}

/// The address to store for a message left: `Ok(Some)` a new one the visitor gave,
/// `Ok(None)` the one `on_file` stays, and an error when there is none or it is not an address.
pub fn reply_address(on_file: Option<&str>, given: &str) -> Result<Option<String>, String> {
    let given = given.trim();
    if given.is_empty() {
        return match on_file {
            Some(_) => Ok(None),
            None => Err("Please give your email address, so the team can reply.".into()),
        };
    }
    if given.chars().count() > 254 || !valid_email(given) {
        return Err(format!("{given:?} is not a valid email address."));
    }
    Ok(Some(given.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_left_with_an_address_to_reply_to() {
        assert_eq!(
            reply_address(None, " ana@example.com "),
            Ok(Some("ana@example.com".into()))
        );
        assert_eq!(
            reply_address(Some("old@example.com"), "new@example.com"),
            Ok(Some("new@example.com".into()))
        );
        assert_eq!(reply_address(Some("ana@example.com"), "  "), Ok(None));
        assert!(
            reply_address(None, "")
                .unwrap_err()
                .contains("email address")
        );
        assert!(reply_address(None, "ana").is_err());
        assert!(reply_address(Some("ana@example.com"), "ana@").is_err());
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(reply_address(None, &long).is_err());
    }
}
