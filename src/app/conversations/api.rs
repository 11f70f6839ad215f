//! The conversations page's server functions and the shapes they return.
//! Each starts with `operator()`: no session, no data.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::{ConversationStatus, Message};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator, state};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: i64,
    pub visitor: String,
    pub last_message: Option<String>,
    pub last_activity_at: i64,
    pub created_at: i64,
    pub message_count: i64,
    pub status: ConversationStatus,
    pub joined: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub all: i64,
    pub open: i64,
    pub needs_agent: i64,
    pub resolved: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct List {
    pub rows: Vec<Row>,
    pub counts: Counts,
    /// The server's clock when the list was read, for "time since last activity".
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub id: i64,
    pub visitor: String,
    pub status: ConversationStatus,
    pub browser: Option<String>,
    pub timezone: Option<String>,
    pub referrer: Option<String>,
    pub page: Option<String>,
    pub messages: Vec<Message>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// The operator looking at it.
    pub me: i64,
}

impl Detail {
    pub fn held_by_me(&self) -> bool {
        self.assignee_id == Some(self.me)
    }

    pub fn locked_by_another(&self) -> bool {
        self.assignee_id.is_some_and(|a| a != self.me)
    }
}

pub fn visitor_label(visitor_id: i64) -> String {
    format!("Visitor #{visitor_id}")
}

#[server]
pub async fn list_conversations(status: Option<String>) -> Result<List, AppError> {
    use crate::server::db;
    operator().await?;
    let state = state()?;
    let status = match status.as_deref() {
        None | Some("" | "all") => None,
        Some(s) => Some(
            ConversationStatus::parse(s)
                .ok_or_else(|| AppError::Invalid(format!("Unknown status {s:?}.")).respond())?,
        ),
    };
    let rows = db::conversations::list(&state.db.read, status, 200).await?;
    let mut counts = Counts::default();
    for (status, n) in db::conversations::count_by_status(&state.db.read).await? {
        counts.all += n;
        match status {
            ConversationStatus::Open | ConversationStatus::Delegated => counts.open += n,
            ConversationStatus::NeedsAgent => counts.needs_agent += n,
            ConversationStatus::Resolved => counts.resolved += n,
        }
    }
    Ok(List {
        rows: rows
            .into_iter()
            .map(|c| Row {
                id: c.id,
                visitor: visitor_label(c.visitor_id),
                last_message: c.last_message,
                last_activity_at: c.last_activity_at,
                created_at: c.created_at,
                message_count: c.message_count,
                status: c.status,
                joined: c.assignee_id.is_some(),
            })
            .collect(),
        counts,
        now: crate::server::now_ms(),
    })
}

#[server]
pub async fn get_conversation(id: i64) -> Result<Detail, AppError> {
    use crate::server::db;
    let me = operator().await?;
    let state = state()?;
    let mut conn = state.db.read.acquire().await?;
    let c = db::conversations::find(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())?;
    drop(conn);
    let visitor = db::visitors::find(&state.db.read, c.visitor_id).await?;
    let messages = db::messages::for_conversation(&state.db.read, id).await?;
    let v = visitor.as_ref();
    Ok(Detail {
        id: c.id,
        visitor: visitor_label(c.visitor_id),
        status: c.status,
        browser: v.and_then(|v| v.browser.clone()),
        timezone: v.and_then(|v| v.timezone.clone()),
        referrer: v.and_then(|v| v.referrer.clone()),
        page: v.and_then(|v| v.page.clone()),
        messages,
        assignee_id: c.assignee_id,
        assignee_name: c.assignee_name,
        me: me.id,
    })
}

#[server]
pub async fn join_conversation(id: i64) -> Result<(), AppError> {
    let me = operator().await?;
    Ok(crate::server::conversations::join(&state()?.db, id, me.id).await?)
}

#[server]
pub async fn leave_conversation(id: i64) -> Result<(), AppError> {
    let me = operator().await?;
    Ok(crate::server::conversations::leave(&state()?.db, id, me.id).await?)
}

#[server]
pub async fn send_reply(id: i64, body: String) -> Result<(), AppError> {
    let me = operator().await?;
    crate::server::conversations::post_operator_message(&state()?.db, id, me.id, &body).await?;
    Ok(())
}

#[server]
pub async fn escalate_conversation(id: i64) -> Result<(), AppError> {
    use crate::server::conversations::{Actor, escalate};
    let me = operator().await?;
    escalate(&state()?.db, id, Actor::Operator(me.id), None).await?;
    Ok(())
}

#[server]
pub async fn resolve_conversation(id: i64) -> Result<(), AppError> {
    use crate::server::conversations::{Actor, resolve};
    let me = operator().await?;
    resolve(&state()?.db, id, Actor::Operator(me.id)).await?;
    Ok(())
}

/// A reply draft from Copilot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopilotDraft {
    pub text: String,
    pub source: Option<String>,
}

/// Two or three reply drafts for the conversation: from the LLM when one is configured, else the
/// most relevant knowledge-base passages.
#[server]
pub async fn copilot_drafts(id: i64) -> Result<Vec<CopilotDraft>, AppError> {
    operator().await?;
    let state = state()?;
    let drafts = crate::server::ai::copilot::drafts(&state.db, &state.config.agent, id).await?;
    Ok(drafts
        .into_iter()
        .map(|d| CopilotDraft {
            text: d.text,
            source: d.source,
        })
        .collect())
}
