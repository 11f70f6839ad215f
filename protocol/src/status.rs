//! The conversation status machine and the lock rule.
//!
//! `open -> needs_agent -> (joined) -> resolved`, with `delegated` while a delegation is pending
//! (`handoff.rs` decides who may hand a conversation over).
//! A resolved conversation is closed: the visitor starts a new one.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Active; the AI answers unless an operator holds the conversation.
    Open,
    /// Flagged for human attention: a visitor is waiting for an operator.
    NeedsAgent,
    /// The holder asked another operator to take over and waits for the answer.
    Delegated,
    /// Closed.
    Resolved,
}

impl ConversationStatus {
    pub const ALL: [ConversationStatus; 4] = [
        ConversationStatus::Open,
        ConversationStatus::NeedsAgent,
        ConversationStatus::Delegated,
        ConversationStatus::Resolved,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::NeedsAgent => "needs_agent",
            ConversationStatus::Delegated => "delegated",
            ConversationStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// What operators read in the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            ConversationStatus::Open => "Open",
            ConversationStatus::NeedsAgent => "Needs agent",
            ConversationStatus::Delegated => "Delegated",
            ConversationStatus::Resolved => "Resolved",
        }
    }

    pub fn is_closed(self) -> bool {
        self == ConversationStatus::Resolved
    }
}

impl fmt::Display for ConversationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What someone does to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    /// The visitor asked for a human, the AI handed over, or an operator flagged it.
    Escalate,
    /// An operator takes the conversation (the lock).
    Join,
    /// The holder lets go; the AI answers again.
    Leave,
    /// The holder asks another operator to take over.
    Delegate,
    /// The holder (or an Admin) hands it to another operator at once; a pending delegation is
    /// withdrawn.
    Transfer,
    /// The delegation target accepts or rejects; either way the conversation is active again.
    AnswerDelegation,
    Resolve,
}

impl StatusAction {
    pub const ALL: [StatusAction; 7] = [
        StatusAction::Escalate,
        StatusAction::Join,
        StatusAction::Leave,
        StatusAction::Delegate,
        StatusAction::Transfer,
        StatusAction::AnswerDelegation,
        StatusAction::Resolve,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// The conversation is resolved; nothing more happens to it.
    Closed,
    /// Someone else holds the conversation.
    LockedByAnother,
    /// The action needs the caller to hold the conversation.
    NotHolder,
    /// The action does not apply to the conversation's current status.
    NotAllowed {
        from: ConversationStatus,
        action: StatusAction,
    },
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionError::Closed => f.write_str("This conversation is resolved."),
            TransitionError::LockedByAnother => f.write_str("Locked by another agent"),
            TransitionError::NotHolder => f.write_str("Join the session first."),
            TransitionError::NotAllowed { from, action } => {
                write!(
                    f,
                    "Cannot {action:?} a conversation that is {}.",
                    from.label()
                )
            }
        }
    }
}

impl std::error::Error for TransitionError {}

/// The status a conversation moves to when `action` happens to it.
///
/// Escalating a conversation that already needs an agent is not an error: a visitor who presses
/// "Talk to a human" twice is still waiting, once.
pub fn next_status(
    from: ConversationStatus,
    action: StatusAction,
) -> Result<ConversationStatus, TransitionError> {
    use ConversationStatus::*;
    use StatusAction::*;
    if from == Resolved {
        return Err(TransitionError::Closed);
    }
    match (from, action) {
        (Open | NeedsAgent, Escalate) => Ok(NeedsAgent),
        (Open | NeedsAgent, Join) => Ok(Open),
        (Open | NeedsAgent, Leave) => Ok(from),
        (Open, Delegate) => Ok(Delegated),
        (Delegated, AnswerDelegation) => Ok(Open),
        (Open | NeedsAgent | Delegated, Transfer) => Ok(Open),
        (_, Resolve) => Ok(Resolved),
        (from, action) => Err(TransitionError::NotAllowed { from, action }),
    }
}

/// Whether `operator` may join a conversation held by `holder`: only when nobody else holds it.
/// Joining a conversation one already holds is allowed (a second click changes nothing).
pub fn may_join(holder: Option<i64>, operator: i64) -> Result<(), TransitionError> {
    match holder {
        Some(other) if other != operator => Err(TransitionError::LockedByAnother),
        _ => Ok(()),
    }
}

/// Whether `operator` may send operator messages: only the holder.
pub fn may_send_as_operator(holder: Option<i64>, operator: i64) -> Result<(), TransitionError> {
    match holder {
        Some(h) if h == operator => Ok(()),
        Some(_) => Err(TransitionError::LockedByAnother),
        None => Err(TransitionError::NotHolder),
    }
}

/// The AI speaks only in an open conversation that no human holds. Once a human is requested
/// or holds the conversation, it stays silent: it never answers over an operator.
pub fn ai_may_reply(status: ConversationStatus, holder: Option<i64>) -> bool {
    status == ConversationStatus::Open && holder.is_none()
}

#[cfg(test)]
mod tests {
    use super::ConversationStatus::*;
    use super::StatusAction::*;
    use super::*;

    #[test]
    fn spelling_round_trips() {
        for status in ConversationStatus::ALL {
            assert_eq!(ConversationStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(ConversationStatus::parse("escalated"), None);
    }

    #[test]
    fn the_happy_path() {
        let s = next_status(Open, Escalate).unwrap();
        assert_eq!(s, NeedsAgent);
        let s = next_status(s, Join).unwrap();
        assert_eq!(s, Open);
        assert_eq!(next_status(s, Resolve).unwrap(), Resolved);
    }

    #[test]
    fn resolved_is_closed_for_every_action() {
        for action in StatusAction::ALL {
            assert_eq!(next_status(Resolved, action), Err(TransitionError::Closed));
        }
    }

    #[test]
    fn escalating_twice_waits_once() {
        assert_eq!(next_status(NeedsAgent, Escalate), Ok(NeedsAgent));
    }

    #[test]
    fn delegation_is_pending_until_answered() {
        assert_eq!(next_status(Open, Delegate), Ok(Delegated));
        assert!(next_status(Delegated, Join).is_err());
        assert!(next_status(Delegated, Escalate).is_err());
        assert!(next_status(NeedsAgent, Delegate).is_err());
        assert_eq!(next_status(Delegated, AnswerDelegation), Ok(Open));
        assert_eq!(next_status(Delegated, Resolve), Ok(Resolved));
        assert!(next_status(Open, AnswerDelegation).is_err());
    }

    #[test]
    fn only_one_holder() {
        assert_eq!(may_join(None, 1), Ok(()));
        assert_eq!(may_join(Some(1), 1), Ok(()));
        assert_eq!(may_join(Some(2), 1), Err(TransitionError::LockedByAnother));
        assert_eq!(
            TransitionError::LockedByAnother.to_string(),
            "Locked by another agent"
        );
    }

    #[test]
    fn only_the_holder_sends() {
        assert_eq!(may_send_as_operator(Some(1), 1), Ok(()));
        assert_eq!(
            may_send_as_operator(Some(2), 1),
            Err(TransitionError::LockedByAnother)
        );
        assert_eq!(
            may_send_as_operator(None, 1),
            Err(TransitionError::NotHolder)
        );
    }

    #[test]
    fn ai_is_silent_when_a_human_is_involved() {
        assert!(ai_may_reply(Open, None));
        assert!(!ai_may_reply(Open, Some(3)));
        assert!(!ai_may_reply(NeedsAgent, None));
        assert!(!ai_may_reply(Delegated, Some(3)));
        assert!(!ai_may_reply(Resolved, None));
    }
}
