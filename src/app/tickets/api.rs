//! The Tickets page's server functions (everyone), and the panel's "Create ticket".

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::ticket::{Ticket, TicketCounts, TicketForm};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator, state};

pub const PAGE_SIZE: i64 = 50;

/// One page of the list, the counts, and who can be assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPage {
    pub rows: Vec<Ticket>,
    pub counts: TicketCounts,
    /// Where the next page starts, when there is one.
    pub older: Option<i64>,
    /// Events up to this id are in the page.
    pub cursor: i64,
    pub me: i64,
    /// Active operators (id, name), for the assignee dropdown.
    pub operators: Vec<(i64, String)>,
}

/// One page, by the list's URL: `status`, `priority`, `mine`, `q`, `before`.
#[server]
pub async fn list_tickets(
    status: Option<String>,
    priority: Option<String>,
    mine: Option<bool>,
    q: Option<String>,
    before: Option<i64>,
) -> Result<TicketPage, AppError> {
    use crate::server::db;
    use liaison_protocol::ticket::{Priority, TicketFilter, TicketStatus};
    let me = operator().await?;
    let invalid = |m: String| AppError::Invalid(m).respond();
    let filter = TicketFilter {
        status: match status.as_deref().unwrap_or("") {
            "" => None,
            s => Some(
                TicketStatus::parse(s).ok_or_else(|| invalid(format!("Unknown status {s:?}.")))?,
            ),
        },
        priority: match priority.as_deref().unwrap_or("") {
            "" => None,
            p => Some(
                Priority::parse(p).ok_or_else(|| invalid(format!("Unknown priority {p:?}.")))?,
            ),
        },
        mine: mine.unwrap_or(false),
    };
    let pool = &state()?.db.read;
    let cursor = db::events::latest_id(pool).await?;
    let mut rows = match q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(text) if text.chars().count() > 200 => {
            return Err(invalid("Search for at most 200 characters.".into()));
        }
        Some(text) => db::tickets::search(pool, text, filter, me.id, before, PAGE_SIZE + 1).await?,
        None => db::tickets::page(pool, filter, me.id, before, PAGE_SIZE + 1).await?,
    };
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let operators = assignable(pool).await?;
    Ok(TicketPage {
        older: more.then(|| rows.last().map(|r| r.id)).flatten(),
        counts: db::tickets::counts(pool.acquire().await?.conn()).await?,
        rows,
        cursor,
        me: me.id,
        operators,
    })
}

#[server]
pub async fn create_ticket(form: TicketForm) -> Result<Ticket, AppError> {
    let me = operator().await?;
    let fields = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    Ok(crate::server::tickets::create(&state()?.db, me.id, fields).await?)
}

#[server]
pub async fn update_ticket(id: i64, form: TicketForm) -> Result<Ticket, AppError> {
    operator().await?;
    let fields = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    Ok(crate::server::tickets::change(&state()?.db, id, fields).await?)
}

/// What the panel's "Create ticket" needs: the tickets made from the conversation, and who can
/// be assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelTickets {
    pub tickets: Vec<Ticket>,
    pub operators: Vec<(i64, String)>,
}

#[server]
pub async fn conversation_tickets(conversation_id: i64) -> Result<PanelTickets, AppError> {
    operator().await?;
    let pool = &state()?.db.read;
    Ok(PanelTickets {
        tickets: crate::server::db::tickets::for_conversation(pool, conversation_id).await?,
        operators: assignable(pool).await?,
    })
}

/// Active operators (id, name): who a ticket can be assigned to.
#[cfg(feature = "ssr")]
async fn assignable(pool: &crate::server::db::Pool) -> Result<Vec<(i64, String)>, AppError> {
    Ok(crate::server::db::users::members(pool)
        .await?
        .into_iter()
        .filter(|m| !m.deactivated)
        .map(|m| (m.id, m.name))
        .collect())
}
