//! Connectors → WhatsApp: the WhatsApp Business (Cloud API) connection's settings, checked. The
//! secrets (access token, app secret, verify token) are written, never read back: the page is
//! told only whether each is set, and an empty field keeps the saved one. Changing where the
//! Graph API is reached needs the access token again, so a saved token is never sent to a host
//! it was not entered for.

use serde::{Deserialize, Serialize};

/// The public Graph API.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com/v21.0";
/// Where Meta sends messages and the verification handshake (relative to the public URL).
pub const WEBHOOK_PATH: &str = "/webhooks/whatsapp";

/// What is stored (key `whatsapp` in Settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappSettings {
    pub phone_number_id: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub graph_url: String,
    /// The approved template sent when the 24-hour window has closed, and its language.
    pub template_name: String,
    pub template_language: String,
    /// Whether a resolved WhatsApp conversation asks the customer for 1 to 5 stars (a list
    /// message to tap), as the widget does.
    #[serde(default)]
    pub ask_rating: bool,
}

/// What the page shows: everything but the secrets, and whether each secret is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappView {
    pub configured: bool,
    pub phone_number_id: String,
    pub graph_url: String,
    pub template_name: String,
    pub template_language: String,
    pub has_access_token: bool,
    pub has_app_secret: bool,
    pub has_verify_token: bool,
    #[serde(default)]
    pub ask_rating: bool,
    /// Where Meta posts (the callback URL to enter in the Meta app), on this server's public
    /// address.
    #[serde(default)]
    pub webhook_url: String,
}

impl WhatsappSettings {
    pub fn view(&self) -> WhatsappView {
        WhatsappView {
            configured: !self.phone_number_id.is_empty(),
            phone_number_id: self.phone_number_id.clone(),
            graph_url: self.graph_url.clone(),
            template_name: self.template_name.clone(),
            template_language: self.template_language.clone(),
            has_access_token: !self.access_token.is_empty(),
            has_app_secret: !self.app_secret.is_empty(),
            has_verify_token: !self.verify_token.is_empty(),
            ask_rating: self.ask_rating,
            webhook_url: String::new(),
        }
    }
}

/// What the form sends. Empty secret fields keep the saved values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappForm {
    pub phone_number_id: String,
    #[serde(default)]
    pub access_token: String,
    #[serde(default)]
    pub app_secret: String,
    #[serde(default)]
    pub verify_token: String,
    #[serde(default)]
    pub graph_url: String,
    #[serde(default)]
    pub template_name: String,
    #[serde(default)]
    pub template_language: String,
    /// The checkbox: present ("on") when ticked.
    #[serde(default)]
    pub ask_rating: Option<String>,
}

/// A template name as Meta allows it: lowercase letters, digits and underscores.
fn template_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A language code as Meta writes them: `en`, `en_US`, `pt_BR`.
fn language_ok(code: &str) -> bool {
    let mut parts = code.split('_');
    let lang = parts.next().unwrap_or_default();
    let region = parts.next();
    parts.next().is_none()
        && (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

impl WhatsappForm {
    /// The settings to store, from this form over what was saved: checked, each message says
    /// what to fix.
    pub fn apply(&self, saved: &WhatsappSettings) -> Result<WhatsappSettings, String> {
        let phone_number_id = self.phone_number_id.trim();
        if !(5..=20).contains(&phone_number_id.len())
            || !phone_number_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(
                "The phone number ID is the number Meta shows under WhatsApp → API Setup (digits only)."
                    .into(),
            );
        }
        let graph_url = match self.graph_url.trim().trim_end_matches('/') {
            "" => DEFAULT_GRAPH_URL.to_string(),
            u if u.starts_with("https://") || u.starts_with("http://") => u.to_string(),
            _ => return Err("The Graph API address must start with https:// (or http://).".into()),
        };
        let keep = |new: &str, old: &str| {
            let new = new.trim();
            if new.is_empty() {
                old.to_string()
            } else {
                new.to_string()
            }
        };
        let moved = !saved.graph_url.is_empty() && saved.graph_url != graph_url;
        let access_token = if moved && self.access_token.trim().is_empty() {
            return Err(
                "The Graph API address changed: enter the access token again, so it is only sent where you entered it for."
                    .into(),
            );
        } else {
            keep(&self.access_token, &saved.access_token)
        };
        let app_secret = keep(&self.app_secret, &saved.app_secret);
        let verify_token = keep(&self.verify_token, &saved.verify_token);
        for (value, what) in [
            (&access_token, "the access token"),
            (&app_secret, "the app secret"),
            (&verify_token, "a webhook verify token"),
        ] {
            if value.is_empty() {
                return Err(format!("Enter {what}."));
            }
        }
        if verify_token.len() < 8 {
            return Err("The verify token needs at least 8 characters.".into());
        }
        if [&access_token, &app_secret, &verify_token]
            .iter()
            .any(|s| s.chars().any(char::is_whitespace) || s.len() > 1024)
        {
            return Err("Tokens and secrets have no spaces and at most 1024 characters.".into());
        }
        let template_name = self.template_name.trim().to_string();
        let template_language = self.template_language.trim().to_string();
        if !template_name.is_empty() || !template_language.is_empty() {
            if !template_name_ok(&template_name) {
                return Err(
                    "The template name is the approved template's name: lowercase letters, digits and underscores."
                        .into(),
                );
            }
            if !language_ok(&template_language) {
                return Err("The template language is a code like en or en_US.".into());
            }
        }
        Ok(WhatsappSettings {
            phone_number_id: phone_number_id.to_string(),
            access_token,
            app_secret,
            verify_token,
            graph_url,
            template_name,
            template_language,
            ask_rating: self.ask_rating.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> WhatsappForm {
        WhatsappForm {
            phone_number_id: "106540352242922".into(),
            access_token: "EAAG-token".into(),
            app_secret: "0123456789abcdef".into(),
            verify_token: "liaison-verify".into(),
            graph_url: String::new(),
            template_name: "support_follow_up".into(),
            template_language: "en_US".into(),
            ask_rating: None,
        }
    }

    #[test]
    fn a_full_form_is_stored_and_secrets_are_kept_when_left_empty() {
        let first = full().apply(&WhatsappSettings::default()).unwrap();
        assert_eq!(first.graph_url, DEFAULT_GRAPH_URL);
        let view = first.view();
        assert!(view.configured && view.has_access_token && view.has_app_secret);
        let again = WhatsappForm {
            access_token: String::new(),
            app_secret: " ".into(),
            verify_token: String::new(),
            template_name: String::new(),
            template_language: String::new(),
            ..full()
        }
        .apply(&first)
        .unwrap();
        assert_eq!(again.access_token, "EAAG-token");
        assert_eq!(again.app_secret, "0123456789abcdef");
        assert_eq!(again.template_name, "", "the template can be taken away");
    }

    #[test]
    fn a_new_graph_address_needs_the_token_again() {
        let first = full().apply(&WhatsappSettings::default()).unwrap();
        let moved = WhatsappForm {
            graph_url: "https://graph.example.net/v21.0".into(),
            access_token: String::new(),
            ..full()
        };
        assert!(
            moved
                .apply(&first)
                .unwrap_err()
                .contains("access token again")
        );
        let with_token = WhatsappForm {
            access_token: "new-token".into(),
            ..moved
        };
        assert_eq!(with_token.apply(&first).unwrap().access_token, "new-token");
    }

    #[test]
    fn bad_fields_say_what_to_fix() {
        let empty = WhatsappSettings::default();
        for (form, says) in [
            (
                WhatsappForm {
                    phone_number_id: "12ab".into(),
                    ..full()
                },
                "phone number ID",
            ),
            (
                WhatsappForm {
                    access_token: String::new(),
                    ..full()
                },
                "access token",
            ),
            (
                WhatsappForm {
                    verify_token: "short".into(),
                    ..full()
                },
                "8 characters",
            ),
            (
                WhatsappForm {
                    graph_url: "graph.facebook.com".into(),
                    ..full()
                },
                "https://",
            ),
            (
                WhatsappForm {
                    template_name: "Follow Up".into(),
                    ..full()
                },
                "template name",
            ),
            (
                WhatsappForm {
                    template_language: "english".into(),
                    ..full()
                },
                "en_US",
            ),
            (
                WhatsappForm {
                    app_secret: "has space".into(),
                    ..full()
                },
                "no spaces",
            ),
        ] {
            let e = form.apply(&empty).unwrap_err();
            assert!(e.contains(says), "{form:?}: {e}");
        }
        assert!(language_ok("pt_BR") && language_ok("en") && !language_ok("en_us"));
    }
}
