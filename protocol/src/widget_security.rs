//! Settings → Widget security: which sites may embed the chat, and identity verification (the
//! customer's site signs its user's id so the visitor is that user on every device). Pure
//! rules; the server checks signatures and keeps the secret sealed.

use serde::{Deserialize, Serialize};

/// As stored (the secret sealed by the server; never sent to the browser).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetSecurity {
    /// Origins like `https://shop.example.com` or `https://*.example.com`; empty: any site.
    pub allowed_origins: Vec<String>,
    /// The HMAC key of identity verification; empty: not set up.
    pub identity_secret: String,
    /// Sessions may not name a user without a valid signature.
    pub require_identity: bool,
}

/// What the Settings page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSecurityView {
    pub allowed_origins: Vec<String>,
    pub has_identity_secret: bool,
    pub require_identity: bool,
}

/// The form as posted: one site per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSecurityForm {
    #[serde(default)]
    pub allowed_origins: String,
    /// The checkbox (present when ticked).
    #[serde(default)]
    pub require_identity: Option<String>,
}

/// A user the site says the visitor is: `hash` = hex(HMAC-SHA256(secret, id)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserClaim {
    pub id: String,
    #[serde(default)]
    pub hash: Option<String>,
}

/// The longest user id accepted.
pub const MAX_USER_ID: usize = 200;
/// At most this many allowed sites.
pub const MAX_ORIGINS: usize = 100;

impl WidgetSecurity {
    pub fn view(&self) -> WidgetSecurityView {
        WidgetSecurityView {
            allowed_origins: self.allowed_origins.clone(),
            has_identity_secret: !self.identity_secret.is_empty(),
            require_identity: self.require_identity,
        }
    }

    /// Whether a browser on `origin` may use the widget API.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.is_empty()
            || self
                .allowed_origins
                .iter()
                .any(|allowed| origin_matches(allowed, origin))
    }
}

impl WidgetSecurityForm {
    /// The settings this form makes of `saved` (the secret is kept), or what is wrong.
    pub fn apply(&self, saved: &WidgetSecurity) -> Result<WidgetSecurity, String> {
        let allowed_origins = parse_origins(&self.allowed_origins)?;
        let require_identity = self.require_identity.is_some();
        if require_identity && saved.identity_secret.is_empty() {
            return Err(
                "Generate an identity secret first: without one no visitor can be verified.".into(),
            );
        }
        Ok(WidgetSecurity {
            allowed_origins,
            identity_secret: saved.identity_secret.clone(),
            require_identity,
        })
    }
}

/// One origin per line (or comma): `https://shop.example.com`, `http://localhost:8080`, or
/// `https://*.example.com` for its subdomains. No path; lower-cased; duplicates dropped.
pub fn parse_origins(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for line in text
        .split(['\n', ','])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let origin = line.trim_end_matches('/').to_ascii_lowercase();
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| format!("{line:?}: a site starts with https:// (or http://)."))?;
        let name = host.strip_prefix("*.").unwrap_or(host);
        let (name, port) = match name.rsplit_once(':') {
            Some((n, p)) if !n.contains(']') || n.ends_with(']') => (n, Some(p)),
            _ => (name, None),
        };
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c));
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
        if !name_ok || !port_ok || host.contains(['/', '?', '#', '@']) {
            return Err(format!(
                "{line:?} is not a site like https://shop.example.com (no path)."
            ));
        }
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    if out.len() > MAX_ORIGINS {
        return Err(format!("At most {MAX_ORIGINS} sites."));
    }
    Ok(out)
}

fn origin_matches(allowed: &str, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    if let Some((scheme, rest)) = allowed.split_once("://*.") {
        // `https://*.example.com` is any subdomain, not example.com itself (list both).
        origin
            .strip_prefix(scheme)
            .and_then(|o| o.strip_prefix("://"))
            .is_some_and(|host| {
                host.strip_suffix(rest)
                    .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1)
            })
    } else {
        allowed == origin
    }
}

/// Who a new or returning session is, from what the site claimed and how the signature checked
/// (`signed`: None when there is no secret to check with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Anonymous,
    Verified(String),
}

/// The rule: a valid signature makes the visitor that user; a wrong one is refused; a user
/// named without a signature (or with no secret set up) is not believed, and refused when
/// verification is required.
pub fn identify(
    claim: Option<&UserClaim>,
    signed: Option<bool>,
    require: bool,
) -> Result<Identity, &'static str> {
    let Some(claim) = claim.filter(|c| !c.id.trim().is_empty()) else {
        return Ok(Identity::Anonymous);
    };
    if claim.id.chars().count() > MAX_USER_ID {
        return Err("user_id is too long (200 characters at most).");
    }
    match (claim.hash.as_deref().filter(|h| !h.is_empty()), signed) {
        (Some(_), Some(true)) => Ok(Identity::Verified(claim.id.clone())),
        (Some(_), Some(false)) => Err("user_hash does not match user_id: identity refused."),
        _ if require => Err("This site requires a verified user: user_hash is missing."),
        _ => Ok(Identity::Anonymous),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_parsed_and_matched() {
        let list = parse_origins(
            "https://Shop.Example.com/\nhttp://localhost:8080, https://*.example.org\n\nhttps://shop.example.com",
        )
        .unwrap();
        assert_eq!(
            list,
            [
                "https://shop.example.com",
                "http://localhost:8080",
                "https://*.example.org"
            ]
        );
        let s = WidgetSecurity {
            allowed_origins: list,
            ..Default::default()
        };
        assert!(s.allows_origin("https://shop.example.com"));
        assert!(s.allows_origin("http://localhost:8080"));
        assert!(s.allows_origin("https://help.example.org"));
        assert!(!s.allows_origin("https://example.org"));
        assert!(!s.allows_origin("https://evilexample.org"));
        assert!(!s.allows_origin("http://shop.example.com"));
        assert!(!s.allows_origin("https://shop.example.com.evil.net"));
        assert!(!s.allows_origin("null"));
        assert!(WidgetSecurity::default().allows_origin("https://anything.example"));
        for bad in [
            "shop.example.com",
            "https://shop.example.com/path",
            "ftp://x",
            "https://",
            "https://a:b",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identity_rules() {
        let claim = |hash: Option<&str>| UserClaim {
            id: "user-42".into(),
            hash: hash.map(str::to_string),
        };
        let verified = Ok(Identity::Verified("user-42".into()));
        assert_eq!(
            identify(Some(&claim(Some("ab"))), Some(true), false),
            verified
        );
        assert!(identify(Some(&claim(Some("ab"))), Some(false), false).is_err());
        assert_eq!(
            identify(Some(&claim(None)), None, false),
            Ok(Identity::Anonymous)
        );
        assert!(identify(Some(&claim(None)), None, true).is_err());
        // No secret set up: a signature cannot be checked, so it is not believed.
        assert_eq!(
            identify(Some(&claim(Some("ab"))), None, false),
            Ok(Identity::Anonymous)
        );
        assert_eq!(identify(None, None, true), Ok(Identity::Anonymous));
        let long = UserClaim {
            id: "x".repeat(201),
            hash: Some("ab".into()),
        };
        assert!(identify(Some(&long), Some(true), false).is_err());
    }

    #[test]
    fn requiring_needs_a_secret() {
        let form = WidgetSecurityForm {
            allowed_origins: String::new(),
            require_identity: Some("on".into()),
        };
        assert!(form.apply(&WidgetSecurity::default()).is_err());
        let saved = WidgetSecurity {
            identity_secret: "sealed".into(),
            ..Default::default()
        };
        assert!(form.apply(&saved).unwrap().require_identity);
    }
}
