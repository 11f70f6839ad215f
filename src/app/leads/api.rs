//! Leads' server functions: the panel's "Capture Lead" (pre-fill and save) and the Leads page.
//! Every operator may capture and list leads.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::lead::{Lead, LeadForm};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator, state};

/// Leads per page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPage {
    pub rows: Vec<Lead>,
    /// Where the next (older) page starts.
    pub older: Option<i64>,
}

/// What the visitor already told us (their stored name, email and phone, e.g. from the
/// pre-chat form), to pre-fill the form.
#[server]
pub async fn lead_prefill(conversation_id: i64) -> Result<LeadForm, AppError> {
    use crate::server::db;
    operator().await?;
    let state = state()?;
    let mut conn = state.db.read.acquire().await?;
    let c = db::conversations::find(conn.conn(), conversation_id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())?;
    drop(conn);
    let v = db::visitors::find(&state.db.read, c.visitor_id).await?;
    Ok(LeadForm {
        email: v.as_ref().and_then(|v| v.email.clone()).unwrap_or_default(),
        name: v.as_ref().and_then(|v| v.name.clone()).unwrap_or_default(),
        phone: v.as_ref().and_then(|v| v.phone.clone()).unwrap_or_default(),
        ..Default::default()
    })
}

/// Saves a lead from this conversation. Email is required and checked.
#[server]
pub async fn capture_lead(conversation_id: i64, form: LeadForm) -> Result<i64, AppError> {
    use crate::server::db;
    let me = operator().await?;
    let lead = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let state = state()?;
    let mut tx = state.db.write().await?;
    let c = db::conversations::find(tx.conn(), conversation_id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())?;
    let id = db::leads::insert(tx.conn(), &lead, conversation_id, c.visitor_id, me.id).await?;
    // Outgoing webhooks (`lead.captured`) read it from the event log.
    tx.emit(
        liaison_protocol::Event::LeadCaptured {
            lead: Box::new(liaison_protocol::lead::Lead {
                id,
                email: lead.email,
                name: lead.name,
                phone: lead.phone,
                company: lead.company,
                message: lead.message,
                conversation_id: Some(conversation_id),
                captured_by: Some(me.name.clone()),
                created_at: crate::server::now_ms(),
            }),
        },
        None,
    );
    tx.commit().await?;
    Ok(id)
}

#[server]
pub async fn list_leads(q: Option<String>, before: Option<i64>) -> Result<LeadPage, AppError> {
    operator().await?;
    let q = q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::Invalid("Search for at most 200 characters.".into()).respond());
    }
    let mut rows =
        crate::server::db::leads::page(&state()?.db.read, q, before, PAGE_SIZE + 1).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(LeadPage {
        older: more.then(|| rows.last().map(|r| r.id)).flatten(),
        rows,
    })
}
