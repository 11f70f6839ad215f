//! Transfer, Delegate, and the answer to a delegation: each one transaction that checks the
//! rules of `protocol::handoff`, moves the lock and the status, records the step as an event and
//! writes an operator-only line in the thread.

use super::{OpError, change_assignee, change_status, load, post};
use crate::server::auth::Operator;
use crate::server::db::{self, WriteTx, conversations::ConversationRow, messages::NewMessage};
use liaison_protocol::handoff::{self, Handoff, HandoffError, HandoffStep, Held};
use liaison_protocol::{Event, Sender};

/// `actor` hands the conversation to `target`: at once (Transfer: the lock moves to the
/// target), or as a request the target answers (Delegate: the status is Delegated and the actor
/// keeps the lock meanwhile). `reason` is optional, at most 200 characters.
pub async fn hand_off(
    db: &db::Db,
    conversation_id: i64,
    kind: Handoff,
    actor: &Operator,
    target: i64,
    reason: &str,
) -> Result<(), OpError> {
    let reason = handoff::reason(reason)?;
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    let target_name = db::users::name(tx.conn(), target).await?;
    let held = Held {
        status: conversation.status,
        holder: conversation.assignee_id,
    };
    let to = handoff::may_hand_off(
        kind,
        held,
        actor.id,
        actor.role,
        target_name.as_ref().map(|_| target),
    )?;
    let target_name = target_name.unwrap_or_default();
    let step = match kind {
        Handoff::Transfer => {
            change_assignee(&mut tx, &conversation, Some(target)).await?;
            change_status(&mut tx, &conversation, to, Some(actor.id)).await?;
            HandoffStep::Transferred
        }
        Handoff::Delegate => {
            change_status(&mut tx, &conversation, to, Some(actor.id)).await?;
            db::conversations::set_delegation(tx.conn(), conversation_id, target, reason).await?;
            HandoffStep::Requested
        }
    };
    record(
        &mut tx,
        &conversation,
        step,
        (actor.id, &actor.name),
        (target, &target_name),
        reason,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The target of a pending delegation accepts (the lock moves to them) or rejects (the sender
/// keeps it); either way the conversation is Open again.
pub async fn answer_delegation(
    db: &db::Db,
    conversation_id: i64,
    actor: &Operator,
    accept: bool,
) -> Result<(), OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    let pending = conversation.delegation.as_ref();
    let to = handoff::may_answer(conversation.status, pending.map(|d| d.to_id), actor.id)?;
    let reason = pending.and_then(|d| d.reason.clone());
    let sender = conversation.assignee_id.ok_or(HandoffError::NotAllowed)?;
    let sender_name = db::users::name(tx.conn(), sender)
        .await?
        .unwrap_or_default();
    // Moving to Open clears the pending request (see `db::conversations::set_status`).
    change_status(&mut tx, &conversation, to, Some(actor.id)).await?;
    let step = if accept {
        change_assignee(&mut tx, &conversation, Some(actor.id)).await?;
        HandoffStep::Accepted
    } else {
        HandoffStep::Rejected
    };
    record(
        &mut tx,
        &conversation,
        step,
        (sender, &sender_name),
        (actor.id, &actor.name),
        reason.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A deactivated operator's pending delegations end: one offered to them counts as rejected
/// (the sender keeps the conversation); one they offered is withdrawn and the conversation,
/// theirs no more, goes back to the queue (Open, nobody holding it). Anything else is left.
pub async fn withdraw_delegation(
    db: &db::Db,
    conversation_id: i64,
    leaving: &Operator,
) -> Result<(), OpError> {
    let mut tx = db.write().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    let Some(pending) = conversation.delegation.as_ref() else {
        return Ok(());
    };
    if pending.to_id == leaving.id {
        drop(tx);
        return answer_delegation(db, conversation_id, leaving, false).await;
    }
    if conversation.assignee_id != Some(leaving.id) {
        return Ok(());
    }
    // Moving to Open clears the pending request (see `db::conversations::set_status`).
    change_status(
        &mut tx,
        &conversation,
        liaison_protocol::ConversationStatus::Open,
        None,
    )
    .await?;
    change_assignee(&mut tx, &conversation, None).await?;
    tx.commit().await?;
    Ok(())
}

/// The step's event and its line in the thread, for operators only.
async fn record(
    tx: &mut WriteTx,
    conversation: &ConversationRow,
    step: HandoffStep,
    (from_id, from): (i64, &str),
    (to_id, to): (i64, &str),
    reason: Option<&str>,
) -> Result<(), OpError> {
    let line = handoff::line(step, from, to, reason);
    post(
        tx,
        conversation,
        NewMessage {
            author_id: Some(from_id),
            internal: true,
            ..NewMessage::text(conversation.id, Sender::System, &line)
        },
    )
    .await?;
    tx.emit(
        Event::Handoff {
            conversation_id: conversation.id,
            step,
            from_id,
            to_id,
            reason: reason.map(str::to_string),
        },
        Some(conversation.visitor_id),
    );
    Ok(())
}
