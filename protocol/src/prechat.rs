//! The widget's pre-chat form: which of name, email and phone Settings asks for (and which are
//! required), when the widget shows it, and the checks on what the visitor gives. What is given
//! is stored on the visitor: operators see the name on the row, and it pre-fills Capture Lead.

use crate::lead::{valid_email, valid_phone};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    #[default]
    Off,
    Optional,
    Required,
}

impl Ask {
    pub const ALL: [Ask; 3] = [Ask::Off, Ask::Optional, Ask::Required];

    pub fn as_str(self) -> &'static str {
        match self {
            Ask::Off => "off",
            Ask::Optional => "optional",
            Ask::Required => "required",
        }
    }

    pub fn parse(s: &str) -> Option<Ask> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Settings → Pre-chat form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrechatSettings {
    pub name: Ask,
    pub email: Ask,
    pub phone: Ask,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Email,
    Phone,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
        }
    }
}

/// One field of the form as the widget shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    pub field: Field,
    pub required: bool,
}

impl PrechatSettings {
    fn fields(&self) -> [(Field, Ask); 3] {
        [
            (Field::Name, self.name),
            (Field::Email, self.email),
            (Field::Phone, self.phone),
        ]
    }

    /// What the widget asks a visitor who has `given` (name, email, phone already on file):
    /// nothing once they have a conversation, nothing when every required field is on file and
    /// they gave something; otherwise every field Settings asks for.
    pub fn to_ask(&self, has_conversation: bool, given: [bool; 3]) -> Vec<Asked> {
        let fields = self.fields();
        let asked = fields.iter().filter(|(_, a)| *a != Ask::Off);
        let required_given = fields
            .iter()
            .zip(given)
            .all(|((_, a), g)| *a != Ask::Required || g);
        let any_given = fields
            .iter()
            .zip(given)
            .any(|((_, a), g)| *a != Ask::Off && g);
        if has_conversation || (required_given && any_given) {
            return Vec::new();
        }
        asked
            .map(|(field, a)| Asked {
                field: *field,
                required: *a == Ask::Required,
            })
            .collect()
    }
}

/// `POST /prechat` (widget API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrechatForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// What is stored: fields the form does not ask for are ignored, empty ones are None.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl PrechatForm {
    pub fn check(&self, settings: &PrechatSettings) -> Result<Given, String> {
        let take = |value: &str, ask: Ask, label: &str, max: usize| {
            let v = value.trim();
            match ask {
                Ask::Off => Ok(None),
                Ask::Required if v.is_empty() => Err(format!("Please give your {label}.")),
                _ if v.chars().count() > max => Err(format!(
                    "Your {label} is too long ({max} characters at most)."
                )),
                _ => Ok((!v.is_empty()).then(|| v.to_string())),
            }
        };
        let given = Given {
            name: take(&self.name, settings.name, "name", 120)?,
            email: take(&self.email, settings.email, "email address", 254)?,
            phone: take(&self.phone, settings.phone, "phone number", 32)?,
        };
        if let Some(e) = &given.email
            && !valid_email(e)
        {
            return Err(format!("{e:?} is not a valid email address."));
        }
        if let Some(p) = &given.phone
            && !valid_phone(p)
        {
            return Err(format!("{p:?} is not a phone number."));
        }
        Ok(given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME_AND_EMAIL: PrechatSettings = PrechatSettings {
        name: Ask::Optional,
        email: Ask::Required,
        phone: Ask::Off,
    };

    #[test]
    fn the_form_shows_until_what_is_required_is_on_file() {
        let fields: Vec<Field> = NAME_AND_EMAIL
            .to_ask(false, [false; 3])
            .iter()
            .map(|a| a.field)
            .collect();
        assert_eq!(fields, [Field::Name, Field::Email]);
        assert!(NAME_AND_EMAIL.to_ask(false, [false; 3])[1].required);
        assert_eq!(NAME_AND_EMAIL.to_ask(false, [true, false, false]).len(), 2);
        assert!(
            NAME_AND_EMAIL
                .to_ask(false, [false, true, false])
                .is_empty()
        );
        assert!(NAME_AND_EMAIL.to_ask(true, [false; 3]).is_empty());
        assert!(
            PrechatSettings::default()
                .to_ask(false, [false; 3])
                .is_empty()
        );
        let optional = PrechatSettings {
            phone: Ask::Optional,
            ..PrechatSettings::default()
        };
        assert_eq!(optional.to_ask(false, [false; 3]).len(), 1);
        assert!(optional.to_ask(false, [false, false, true]).is_empty());
    }

    #[test]
    fn answers_are_checked() {
        let form = |name: &str, email: &str, phone: &str| PrechatForm {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
        };
        let given = form(" Ana ", "ana@example.com", "+34 600").check(&NAME_AND_EMAIL);
        assert_eq!(
            given.unwrap(),
            Given {
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                phone: None,
            },
            "the phone is not asked, so not stored"
        );
        assert!(
            form("Ana", "", "")
                .check(&NAME_AND_EMAIL)
                .unwrap_err()
                .contains("email")
        );
        assert!(
            form("", "ana@", "")
                .check(&NAME_AND_EMAIL)
                .unwrap_err()
                .contains("valid")
        );
        assert_eq!(
            form("", "ana@example.com", "")
                .check(&NAME_AND_EMAIL)
                .unwrap()
                .name,
            None
        );
        let phone = PrechatSettings {
            phone: Ask::Required,
            ..PrechatSettings::default()
        };
        assert!(form("", "", "call me").check(&phone).is_err());
        assert!(form("", "", "+44 20 7946 0958").check(&phone).is_ok());
        assert!(
            form(&"x".repeat(121), "", "")
                .check(&NAME_AND_EMAIL)
                .is_err()
        );
    }
}
