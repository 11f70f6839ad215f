//! Operator roles and what each may reach. Owner > Admin > Agent: each has what the one below
//! has, plus more (the spec's sidebar: everyone has conversations; Admin and Owner the knowledge
//! base, gaps, team and settings; the Owner alone billing and usage).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Agent, Role::Admin, Role::Owner]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// How the dashboard names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Agent => "Agent",
            Role::Admin => "Admin",
            Role::Owner => "Owner",
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn at_least(self, required: Role) -> bool {
        self >= required
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Owner.at_least(Role::Admin));
        assert!(Role::Admin.at_least(Role::Admin));
        assert!(!Role::Agent.at_least(Role::Admin));
        assert!(!Role::Admin.at_least(Role::Owner));
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
