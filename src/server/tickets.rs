//! What may happen to a ticket: it is made (by hand, or from a conversation in the panel) and
//! changed, in a write transaction with an event for every dashboard; when a ticket made from
//! a conversation becomes solved, the customer reads so in that conversation.

use crate::server::conversations::{self, OpError};
use crate::server::db::{self, Db, WriteTx};
use crate::server::now_ms;
use liaison_protocol::Event;
use liaison_protocol::ticket::{Ticket, TicketFields, TicketStatus, solved_notice};

/// The assignee is an active operator and the conversation exists, or a clear refusal.
async fn check_links(db: &Db, tx: &mut WriteTx, t: &TicketFields) -> Result<(), OpError> {
    if let Some(a) = t.assignee_id
        && db::users::find(&db.read, a).await?.is_none()
    {
        return Err(OpError::Refused(format!(
            "There is no active operator #{a}."
        )));
    }
    if let Some(c) = t.conversation_id
        && db::conversations::find(tx.conn(), c).await?.is_none()
    {
        return Err(OpError::Refused(format!("There is no conversation #{c}.")));
    }
    Ok(())
}

async fn changed(tx: &mut WriteTx, id: i64) -> Result<Ticket, OpError> {
    let ticket = db::tickets::find(tx.conn(), id)
        .await?
        .ok_or_else(|| OpError::Refused(format!("There is no ticket #{id}.")))?;
    let counts = db::tickets::counts(tx.conn()).await?;
    tx.emit(
        Event::TicketChanged {
            ticket: Box::new(ticket.clone()),
            counts,
        },
        None,
    );
    Ok(ticket)
}

pub async fn create(db: &Db, by: i64, t: TicketFields) -> Result<Ticket, OpError> {
    let mut tx = db.write().await?;
    check_links(db, &mut tx, &t).await?;
    let id = db::tickets::insert(tx.conn(), &t, by, now_ms()).await?;
    let ticket = changed(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ticket)
}

pub async fn change(db: &Db, id: i64, t: TicketFields) -> Result<Ticket, OpError> {
    let mut tx = db.write().await?;
    let before = db::tickets::find(tx.conn(), id)
        .await?
        .ok_or_else(|| OpError::Refused(format!("There is no ticket #{id}.")))?;
    check_links(db, &mut tx, &t).await?;
    db::tickets::update(tx.conn(), id, &t, now_ms()).await?;
    let ticket = changed(&mut tx, id).await?;
    if before.status != TicketStatus::Solved
        && ticket.status == TicketStatus::Solved
        && let Some(c) = ticket.conversation_id
    {
        conversations::tell_customer(&mut tx, c, &solved_notice(id, &ticket.subject)).await?;
    }
    tx.commit().await?;
    Ok(ticket)
}
