//! Leads: a visitor's contact details captured by an operator ("Capture Lead" in the panel).
//! Email is required; name, phone, company and message are optional. The checks are here so the
//! panel's form and the server agree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadForm {
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub message: String,
}

/// A lead as stored and listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub message: Option<String>,
    /// The conversation it was captured in.
    pub conversation_id: Option<i64>,
    /// Who captured it.
    pub captured_by: Option<String>,
    pub created_at: i64,
}

/// The form's fields, trimmed, with optional ones None when empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLead {
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub message: Option<String>,
}

/// Whether `email` looks like an address mail can be sent to: one `@`, something before it, a
/// domain with a dot and no empty label after it, no spaces, at most 254 characters.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A phone number as people write it: digits with spaces, dots, dashes, parentheses and a
/// leading +; 5 to 20 digits.
pub fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let rest_ok = phone
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    rest_ok && (5..=20).contains(&digits)
}

impl LeadForm {
    pub fn check(&self) -> Result<CheckedLead, String> {
        let email = self.email.trim();
        if email.is_empty() {
            return Err("Email is required.".into());
        }
        if !valid_email(email) {
            return Err(format!("{email:?} is not a valid email address."));
        }
        let optional = |v: &str, max: usize, what: &str| -> Result<Option<String>, String> {
            let v = v.trim();
            if v.chars().count() > max {
                return Err(format!(
                    "The {what} is too long ({max} characters at most)."
                ));
            }
            Ok((!v.is_empty()).then(|| v.to_string()))
        };
        let phone = optional(&self.phone, 32, "phone number")?;
        if let Some(p) = &phone
            && !valid_phone(p)
        {
            return Err(format!("{p:?} is not a phone number."));
        }
        Ok(CheckedLead {
            email: email.to_string(),
            name: optional(&self.name, 120, "name")?,
            phone,
            company: optional(&self.company, 120, "company")?,
            message: optional(&self.message, 2000, "message")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "ana@example.com",
            "ana.lopez+shop@mail.example.co.uk",
            "jörg@müller.de",
            "x@a.io",
        ] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana @example.com",
            "ana@example..com",
            "ana@-example.com",
            "ana@example.com.",
            "a@b@c.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(valid_phone("+33 6 12 34 56 78"));
        assert!(valid_phone("(555) 123-4567"));
        assert!(!valid_phone("call me"));
        assert!(!valid_phone("12"));
        assert!(!valid_phone("55+5 123"));
    }

    #[test]
    fn the_form_needs_only_an_email() {
        let form = LeadForm {
            email: "  ana@example.com ".into(),
            company: " ".into(),
            ..Default::default()
        };
        let lead = form.check().unwrap();
        assert_eq!(lead.email, "ana@example.com");
        assert_eq!(lead.company, None);
        assert_eq!(
            LeadForm::default().check().unwrap_err(),
            "Email is required."
        );
        let bad_phone = LeadForm {
            email: "ana@example.com".into(),
            phone: "soon".into(),
            ..Default::default()
        };
        assert!(
            bad_phone
                .check()
                .unwrap_err()
                .contains("not a phone number")
        );
    }
}
