//! Handing a conversation to another operator (the dashboard guide's "Conversation Handoff"):
//! Transfer reassigns it at once; Delegate asks another operator, who accepts (the lock moves to
//! them) or rejects (it stays with the sender); while the request is pending the sender keeps the
//! conversation and its status is Delegated. Both carry an optional reason for the receiver.
//! Who may do what, to whom: plain functions, checked by the server before any change.

use crate::role::Role;
use crate::status::{self, ConversationStatus, StatusAction, TransitionError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    /// Reassign now.
    Transfer,
    /// Ask; the target accepts or rejects.
    Delegate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffError {
    /// The reason is longer than [`MAX_REASON_CHARS`] (it holds this many).
    ReasonTooLong(usize),
    /// The target is the operator who would hand it over, or already holds it.
    SameOperator,
    /// No such operator, or one who cannot sign in any more.
    UnknownTarget,
    /// Only the holder hands a conversation over (an Admin or Owner may also transfer one they
    /// do not hold).
    NotAllowed,
    /// Only the operator a delegation was sent to answers it.
    NotTheTarget,
    /// The conversation's status does not allow it (resolved, or a delegation pending or not).
    Status(TransitionError),
}

impl fmt::Display for HandoffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandoffError::ReasonTooLong(n) => write!(
                f,
                "The reason is {n} characters long; at most {MAX_REASON_CHARS} are allowed."
            ),
            HandoffError::SameOperator => f.write_str("Choose another operator."),
            HandoffError::UnknownTarget => f.write_str("That operator does not exist."),
            HandoffError::NotAllowed => f.write_str("Join the session first."),
            HandoffError::NotTheTarget => {
                f.write_str("Only the operator it was sent to can answer this request.")
            }
            HandoffError::Status(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HandoffError {}

impl From<TransitionError> for HandoffError {
    fn from(e: TransitionError) -> Self {
        HandoffError::Status(e)
    }
}

/// One step of a handoff, as events and the thread record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffStep {
    /// Reassigned at once.
    Transferred,
    /// A delegation was sent; the target decides.
    Requested,
    /// The target took the conversation over.
    Accepted,
    /// The target declined; the sender keeps the conversation.
    Rejected,
}

/// The operator-only line the thread shows for a step: who did what, and the reason.
pub fn line(step: HandoffStep, from: &str, to: &str, reason: Option<&str>) -> String {
    let what = match step {
        HandoffStep::Transferred => format!("{from} transferred the conversation to {to}"),
        HandoffStep::Requested => format!("{from} asked {to} to take over the conversation"),
        HandoffStep::Accepted => format!("{to} accepted {from}'s request and took over"),
        HandoffStep::Rejected => format!("{to} declined {from}'s request; {from} keeps it"),
    };
    match reason {
        Some(r) => format!("{what}. Reason: {r}"),
        None => format!("{what}."),
    }
}

/// The reason as typed: trimmed, and None when nothing is left.
pub fn reason(text: &str) -> Result<Option<&str>, HandoffError> {
    let text = text.trim();
    let n = text.chars().count();
    if n > MAX_REASON_CHARS {
        return Err(HandoffError::ReasonTooLong(n));
    }
    Ok((n > 0).then_some(text))
}

/// What a handoff checks about the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub status: ConversationStatus,
    pub holder: Option<i64>,
}

/// Whether `actor` (with `role`) may hand the conversation to `target` (None: no such active
/// operator), and the status it then has. A transfer of a conversation with a delegation
/// pending withdraws the request.
pub fn may_hand_off(
    kind: Handoff,
    held: Held,
    actor: i64,
    role: Role,
    target: Option<i64>,
) -> Result<ConversationStatus, HandoffError> {
    if held.status.is_closed() {
        return Err(TransitionError::Closed.into());
    }
    let target = target.ok_or(HandoffError::UnknownTarget)?;
    if target == actor || held.holder == Some(target) {
        return Err(HandoffError::SameOperator);
    }
    let holds = held.holder == Some(actor);
    match kind {
        Handoff::Transfer if holds || role.at_least(Role::Admin) => {
            Ok(status::next_status(held.status, StatusAction::Transfer)?)
        }
        Handoff::Delegate if holds => Ok(status::next_status(held.status, StatusAction::Delegate)?),
        _ => Err(HandoffError::NotAllowed),
    }
}

/// Whether `actor` may accept or reject the delegation pending for `pending_target`; the
/// status either answer leaves.
pub fn may_answer(
    status: ConversationStatus,
    pending_target: Option<i64>,
    actor: i64,
) -> Result<ConversationStatus, HandoffError> {
    let next = status::next_status(status, StatusAction::AnswerDelegation)?;
    match pending_target {
        Some(target) if target == actor => Ok(next),
        _ => Err(HandoffError::NotTheTarget),
    }
}

#[cfg(test)]
mod tests {
    use super::ConversationStatus::*;
    use super::*;

    fn held(status: ConversationStatus, holder: Option<i64>) -> Held {
        Held { status, holder }
    }

    #[test]
    fn reasons_are_optional_and_short() {
        assert_eq!(reason("  "), Ok(None));
        assert_eq!(reason(" VIP customer "), Ok(Some("VIP customer")));
        assert_eq!(
            reason(&"é".repeat(200)).map(|r| r.map(str::len)),
            Ok(Some(400))
        );
        assert_eq!(
            reason(&"x".repeat(201)),
            Err(HandoffError::ReasonTooLong(201))
        );
        assert!(
            HandoffError::ReasonTooLong(201)
                .to_string()
                .contains("at most 200")
        );
    }

    #[test]
    fn the_holder_transfers_at_once_and_delegates_by_request() {
        let h = held(Open, Some(1));
        assert_eq!(
            may_hand_off(Handoff::Transfer, h, 1, Role::Agent, Some(2)),
            Ok(Open)
        );
        assert_eq!(
            may_hand_off(Handoff::Delegate, h, 1, Role::Agent, Some(2)),
            Ok(Delegated)
        );
    }

    #[test]
    fn others_may_not_unless_admins_transferring() {
        let h = held(Open, Some(1));
        for kind in [Handoff::Transfer, Handoff::Delegate] {
            assert_eq!(
                may_hand_off(kind, h, 3, Role::Agent, Some(2)),
                Err(HandoffError::NotAllowed)
            );
        }
        // An Admin or Owner reassigns a held conversation, or one waiting in Needs agent.
        assert_eq!(
            may_hand_off(Handoff::Transfer, h, 3, Role::Admin, Some(2)),
            Ok(Open)
        );
        assert_eq!(
            may_hand_off(
                Handoff::Transfer,
                held(NeedsAgent, None),
                3,
                Role::Owner,
                Some(2)
            ),
            Ok(Open)
        );
        // But delegation is the holder's request.
        assert_eq!(
            may_hand_off(Handoff::Delegate, h, 3, Role::Owner, Some(2)),
            Err(HandoffError::NotAllowed)
        );
    }

    #[test]
    fn targets_are_other_existing_operators() {
        let h = held(Open, Some(1));
        assert_eq!(
            may_hand_off(Handoff::Transfer, h, 1, Role::Agent, Some(1)),
            Err(HandoffError::SameOperator)
        );
        assert_eq!(
            may_hand_off(Handoff::Transfer, h, 3, Role::Admin, Some(1)),
            Err(HandoffError::SameOperator)
        );
        assert_eq!(
            may_hand_off(Handoff::Delegate, h, 1, Role::Agent, None),
            Err(HandoffError::UnknownTarget)
        );
    }

    #[test]
    fn status_limits_what_can_happen() {
        for kind in [Handoff::Transfer, Handoff::Delegate] {
            assert_eq!(
                may_hand_off(kind, held(Resolved, Some(1)), 1, Role::Owner, Some(2)),
                Err(HandoffError::Status(TransitionError::Closed))
            );
        }
        // One request at a time; a transfer withdraws a pending one.
        let pending = held(Delegated, Some(1));
        assert!(matches!(
            may_hand_off(Handoff::Delegate, pending, 1, Role::Agent, Some(3)),
            Err(HandoffError::Status(TransitionError::NotAllowed { .. }))
        ));
        assert_eq!(
            may_hand_off(Handoff::Transfer, pending, 1, Role::Agent, Some(3)),
            Ok(Open)
        );
        // A conversation waiting for an agent is joined, not delegated.
        assert!(matches!(
            may_hand_off(
                Handoff::Delegate,
                held(NeedsAgent, Some(1)),
                1,
                Role::Agent,
                Some(2)
            ),
            Err(HandoffError::Status(_))
        ));
    }

    #[test]
    fn lines_name_both_operators_and_the_reason() {
        assert_eq!(
            line(HandoffStep::Transferred, "Ana", "Ben", Some("VIP")),
            "Ana transferred the conversation to Ben. Reason: VIP"
        );
        let rejected = line(HandoffStep::Rejected, "Ana", "Ben", None);
        assert!(
            rejected.starts_with("Ben declined Ana's request"),
            "{rejected}"
        );
        assert!(rejected.ends_with('.'));
    }

    #[test]
    fn only_the_target_answers_a_pending_request() {
        assert_eq!(may_answer(Delegated, Some(2), 2), Ok(Open));
        assert_eq!(
            may_answer(Delegated, Some(2), 1),
            Err(HandoffError::NotTheTarget)
        );
        assert!(matches!(
            may_answer(Open, Some(2), 2),
            Err(HandoffError::Status(TransitionError::NotAllowed { .. }))
        ));
        assert_eq!(
            may_answer(Resolved, Some(2), 2),
            Err(HandoffError::Status(TransitionError::Closed))
        );
    }
}
