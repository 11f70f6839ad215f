//! Operators' signed-in sessions as the Profile and Team pages list them, who may end whose,
//! and a short name for the browser each came from. Pure, so every case is a unit test.

use crate::Role;
use serde::{Deserialize, Serialize};

/// One signed-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInSession {
    pub id: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    /// "Firefox on Linux"; the whole user agent is in `user_agent`.
    pub device: String,
    pub user_agent: String,
    pub address: String,
    /// The session this list was asked for from.
    pub current: bool,
}

/// Someone else's sessions are seen and ended down the roles, as deactivation is: Admins for
/// Agents, the Owner for Admins and Agents. Everyone manages their own on their Profile.
pub fn may_end_sessions(actor: Role, target: Role, themselves: bool) -> Result<(), &'static str> {
    match (actor, target) {
        _ if themselves => Err("Your own sessions are on your Profile."),
        (_, Role::Owner) => Err("The Owner ends their own sessions on their Profile."),
        (Role::Owner, _) | (Role::Admin, Role::Agent) => Ok(()),
        (Role::Admin, Role::Admin) => Err("Only the Owner ends an Admin's sessions."),
        (Role::Agent, _) => Err("Only Admins and the Owner end other operators' sessions."),
    }
}

/// "Browser on system" from a user agent, for a list a person reads ("Unknown browser" when
/// neither is recognised). Order matters: Edge and Opera say "Chrome" too, Chrome says
/// "Safari", and Android says "Linux".
pub fn device_name(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(mark, _)| user_agent.contains(mark))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) if user_agent.trim().is_empty() => "Unknown browser".into(),
        (None, None) => user_agent
            .split('/')
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_ended_down_the_roles_and_ones_own_on_the_profile() {
        assert!(may_end_sessions(Role::Owner, Role::Admin, false).is_ok());
        assert!(may_end_sessions(Role::Owner, Role::Agent, false).is_ok());
        assert!(may_end_sessions(Role::Admin, Role::Agent, false).is_ok());
        assert!(may_end_sessions(Role::Admin, Role::Admin, false).is_err());
        assert!(may_end_sessions(Role::Admin, Role::Owner, false).is_err());
        assert!(may_end_sessions(Role::Agent, Role::Agent, false).is_err());
        assert!(may_end_sessions(Role::Owner, Role::Owner, true).is_err());
    }

    #[test]
    fn browsers_are_named_as_people_know_them() {
        // Real user agents of current browsers, not the marks the table was written from.
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome on iOS",
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on ChromeOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0",
                "Opera on Windows",
            ),
            ("curl/8.5.0", "curl"),
            ("", "Unknown browser"),
        ];
        for (agent, name) in cases {
            assert_eq!(device_name(agent), name, "{agent}");
        }
    }
}
