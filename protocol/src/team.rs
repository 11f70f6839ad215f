//! The Team page's rules (Settings → Team, Admins and Owners): who may invite whom, what an
//! invitation and its acceptance must hold. Pure, so every case is a unit test; the server
//! applies them before it writes anything.

use crate::Role;
use crate::lead::valid_email;
use serde::{Deserialize, Serialize};

/// How long an invitation link works.
pub const INVITE_DAYS: i64 = 7;
/// The shortest password an operator may choose.
pub const MIN_PASSWORD: usize = 10;
/// How long a password reset link works.
pub const RESET_HOURS: i64 = 24;

/// An operator's name, trimmed: present and at most 80 characters.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err("Give your name (80 characters at most).".into());
    }
    Ok(name.to_string())
}

/// A password an operator chooses: `MIN_PASSWORD` to 256 characters.
pub fn check_password(password: &str) -> Result<String, String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(format!(
            "Choose a password of {MIN_PASSWORD} characters or more."
        ));
    }
    if length > 256 {
        return Err("That password is too long (256 characters at most).".into());
    }
    Ok(password.to_string())
}

/// A new password typed twice.
fn check_twice(new: &str, again: &str) -> Result<String, String> {
    if new != again {
        return Err("The two new passwords differ.".into());
    }
    check_password(new)
}

/// Admins invite Agents; only the Owner invites Admins. Nobody is invited as Owner (the Owner
/// transfers ownership instead), and Agents invite nobody.
pub fn may_invite(actor: Role, invited: Role) -> Result<(), &'static str> {
    match (actor, invited) {
        (_, Role::Owner) => Err("Nobody is invited as Owner: the Owner transfers ownership."),
        (Role::Owner, _) | (Role::Admin, Role::Agent) => Ok(()),
        (Role::Admin, Role::Admin) => Err("Only the Owner invites Admins."),
        (Role::Agent, _) => Err("Only Admins and the Owner invite operators."),
    }
}

/// Admins deactivate Agents; the Owner deactivates Admins and Agents. Nobody deactivates the
/// Owner (there must be one) or themselves.
pub fn may_deactivate(actor: Role, target: Role, themselves: bool) -> Result<(), &'static str> {
    match (actor, target) {
        _ if themselves => Err("You cannot deactivate yourself."),
        (_, Role::Owner) => Err("The Owner cannot be deactivated."),
        (Role::Owner, _) | (Role::Admin, Role::Agent) => Ok(()),
        (Role::Admin, Role::Admin) => Err("Only the Owner deactivates Admins."),
        (Role::Agent, _) => Err("Only Admins and the Owner deactivate operators."),
    }
}

/// A password reset link is made for someone else, down the roles as deactivation is: Admins
/// for Agents, the Owner for Admins and Agents. Operators change their own password on their
/// Profile, with the current one.
pub fn may_reset_password(actor: Role, target: Role, themselves: bool) -> Result<(), &'static str> {
    match (actor, target) {
        _ if themselves => Err("Change your own password on your Profile."),
        (_, Role::Owner) => Err("The Owner changes their password on their Profile."),
        (Role::Owner, _) | (Role::Admin, Role::Agent) => Ok(()),
        (Role::Admin, Role::Admin) => Err("Only the Owner resets an Admin's password."),
        (Role::Agent, _) => Err("Only Admins and the Owner reset passwords."),
    }
}

/// Only the Owner changes roles, between Agent and Admin (ownership is transferred, not given
/// as a role, so the Owner stays one person).
pub fn may_change_role(actor: Role, target: Role, to: Role) -> Result<(), &'static str> {
    match (actor, target, to) {
        (Role::Owner, Role::Owner, _) => {
            Err("The Owner's role is changed by transferring ownership.")
        }
        (Role::Owner, _, Role::Owner) => Err("Ownership is transferred, not given as a role."),
        (Role::Owner, _, _) => Ok(()),
        _ => Err("Only the Owner changes roles."),
    }
}

/// The Owner hands ownership to an Admin, and becomes an Admin: there is always exactly one
/// Owner, so the last Owner can never be removed.
pub fn may_transfer_ownership(
    actor: Role,
    target: Role,
    themselves: bool,
) -> Result<(), &'static str> {
    match (actor, target) {
        _ if themselves => Err("You are the Owner already."),
        (Role::Owner, Role::Admin) => Ok(()),
        (Role::Owner, _) => Err("Ownership goes to an Admin: make them an Admin first."),
        _ => Err("Only the Owner transfers ownership."),
    }
}

/// The invitation form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteForm {
    pub email: String,
    /// "agent" or "admin".
    pub role: String,
}

impl InviteForm {
    /// The address (trimmed) and role, checked for `actor`.
    pub fn check(&self, actor: Role) -> Result<(String, Role), String> {
        let email = self.email.trim();
        if !valid_email(email) {
            return Err(format!("{email:?} is not a valid email address."));
        }
        let role = Role::parse(self.role.trim())
            .ok_or_else(|| format!("{:?} is not a role (agent or admin).", self.role))?;
        may_invite(actor, role)?;
        Ok((email.to_string(), role))
    }
}

/// What the invitee chooses when they accept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptForm {
    pub name: String,
    pub password: String,
}

impl AcceptForm {
    /// The name (trimmed) and password, checked.
    pub fn check(&self) -> Result<(String, String), String> {
        Ok((check_name(&self.name)?, check_password(&self.password)?))
    }
}

/// Avatar colours an operator picks from (readable with white initials, in both themes).
pub const AVATAR_COLOURS: [&str; 8] = [
    "#4f46e5", "#0891b2", "#059669", "#ca8a04", "#ea580c", "#dc2626", "#db2777", "#7c3aed",
];

/// An operator's own profile: name and avatar colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub name: String,
    pub colour: String,
}

impl ProfileForm {
    /// The name (trimmed) and colour, checked.
    pub fn check(&self) -> Result<(String, String), String> {
        let name = check_name(&self.name)?;
        let colour = self.colour.trim().to_ascii_lowercase();
        if !AVATAR_COLOURS.contains(&colour.as_str()) {
            return Err(format!(
                "{:?} is not one of the avatar colours.",
                self.colour
            ));
        }
        Ok((name, colour))
    }
}

/// A new password for oneself: the current one, and the new one twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordForm {
    pub current: String,
    pub new: String,
    pub again: String,
}

impl PasswordForm {
    /// The new password, checked (the current one is the server's to verify).
    pub fn check(&self) -> Result<String, String> {
        check_twice(&self.new, &self.again)
    }
}

/// A new password chosen through a reset link, typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetForm {
    pub new: String,
    pub again: String,
}

impl ResetForm {
    pub fn check(&self) -> Result<String, String> {
        check_twice(&self.new, &self.again)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_go_down_the_roles_and_never_to_oneself() {
        assert!(may_reset_password(Role::Owner, Role::Admin, false).is_ok());
        assert!(may_reset_password(Role::Owner, Role::Agent, false).is_ok());
        assert!(may_reset_password(Role::Admin, Role::Agent, false).is_ok());
        assert!(may_reset_password(Role::Admin, Role::Admin, false).is_err());
        assert!(may_reset_password(Role::Agent, Role::Agent, false).is_err());
        assert!(may_reset_password(Role::Admin, Role::Owner, false).is_err());
        assert!(may_reset_password(Role::Owner, Role::Owner, true).is_err());
        assert!(may_reset_password(Role::Admin, Role::Admin, true).is_err());
        let form = |new: &str, again: &str| ResetForm {
            new: new.into(),
            again: again.into(),
        };
        assert!(form("long enough pass", "long enough pass").check().is_ok());
        assert!(
            form("long enough pass", "long enough pasS")
                .check()
                .is_err()
        );
        assert!(form("short", "short").check().is_err());
    }

    #[test]
    fn admins_invite_agents_and_only_the_owner_invites_admins() {
        assert!(may_invite(Role::Owner, Role::Admin).is_ok());
        assert!(may_invite(Role::Owner, Role::Agent).is_ok());
        assert!(may_invite(Role::Admin, Role::Agent).is_ok());
        assert!(may_invite(Role::Admin, Role::Admin).is_err());
        assert!(may_invite(Role::Agent, Role::Agent).is_err());
        for actor in [Role::Agent, Role::Admin, Role::Owner] {
            assert!(may_invite(actor, Role::Owner).is_err());
        }
    }

    #[test]
    fn deactivation_goes_down_the_roles_and_never_to_the_owner_or_oneself() {
        assert!(may_deactivate(Role::Owner, Role::Admin, false).is_ok());
        assert!(may_deactivate(Role::Owner, Role::Agent, false).is_ok());
        assert!(may_deactivate(Role::Admin, Role::Agent, false).is_ok());
        assert!(may_deactivate(Role::Admin, Role::Admin, false).is_err());
        assert!(may_deactivate(Role::Agent, Role::Agent, false).is_err());
        assert!(may_deactivate(Role::Owner, Role::Owner, true).is_err());
        assert!(may_deactivate(Role::Admin, Role::Admin, true).is_err());
        assert!(may_deactivate(Role::Admin, Role::Owner, false).is_err());
    }

    #[test]
    fn only_the_owner_changes_roles_between_agent_and_admin() {
        assert!(may_change_role(Role::Owner, Role::Agent, Role::Admin).is_ok());
        assert!(may_change_role(Role::Owner, Role::Admin, Role::Agent).is_ok());
        assert!(may_change_role(Role::Owner, Role::Agent, Role::Owner).is_err());
        assert!(may_change_role(Role::Owner, Role::Owner, Role::Admin).is_err());
        assert!(may_change_role(Role::Admin, Role::Agent, Role::Admin).is_err());
        assert!(may_change_role(Role::Admin, Role::Agent, Role::Agent).is_err());
        assert!(may_change_role(Role::Agent, Role::Agent, Role::Admin).is_err());
    }

    #[test]
    fn ownership_goes_from_the_owner_to_an_admin() {
        assert!(may_transfer_ownership(Role::Owner, Role::Admin, false).is_ok());
        assert!(may_transfer_ownership(Role::Owner, Role::Agent, false).is_err());
        assert!(may_transfer_ownership(Role::Owner, Role::Owner, true).is_err());
        assert!(may_transfer_ownership(Role::Admin, Role::Admin, false).is_err());
    }

    #[test]
    fn a_profile_has_a_name_and_one_of_the_colours() {
        let form = |name: &str, colour: &str| ProfileForm {
            name: name.into(),
            colour: colour.into(),
        };
        assert_eq!(
            form(" Ana ", "#4F46E5").check(),
            Ok(("Ana".into(), "#4f46e5".into()))
        );
        assert!(form("", "#4f46e5").check().is_err());
        assert!(form("Ana", "#123456").check().is_err());
        assert!(form("Ana", "red").check().is_err());
        let change = |new: &str, again: &str| PasswordForm {
            current: "old one".into(),
            new: new.into(),
            again: again.into(),
        };
        assert_eq!(
            change("a long password", "a long password").check(),
            Ok("a long password".into())
        );
        assert!(
            change("a long password", "a long passwort")
                .check()
                .is_err()
        );
        assert!(change("short", "short").check().is_err());
    }

    #[test]
    fn an_invitation_names_an_address_and_a_role() {
        let form = |email: &str, role: &str| InviteForm {
            email: email.into(),
            role: role.into(),
        };
        assert_eq!(
            form(" ana@example.com ", "admin").check(Role::Owner),
            Ok(("ana@example.com".into(), Role::Admin))
        );
        assert!(form("ana", "agent").check(Role::Owner).is_err());
        assert!(form("ana@example.com", "boss").check(Role::Owner).is_err());
        assert!(form("ana@example.com", "admin").check(Role::Admin).is_err());
        assert!(form("ana@example.com", "owner").check(Role::Owner).is_err());
    }

    #[test]
    fn an_acceptance_needs_a_name_and_a_long_enough_password() {
        let form = |name: &str, password: &str| AcceptForm {
            name: name.into(),
            password: password.into(),
        };
        assert_eq!(
            form(" Ana ", "long enough!").check(),
            Ok(("Ana".into(), "long enough!".into()))
        );
        assert!(form("", "long enough!").check().is_err());
        assert!(form("Ana", "short").check().is_err());
        assert!(form("Ana", &"x".repeat(257)).check().is_err());
    }
}
