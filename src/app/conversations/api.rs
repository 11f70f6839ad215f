//! The conversations page's server functions and the shapes they return.
//! Each starts with `operator()`: no session, no data.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::{ConversationSummary, Filter, InboxCounts, LiveVisitor, Message};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator, state};

/// Conversations per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// One page of the list, and what the live patches need to continue from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct List {
    pub rows: Vec<ConversationSummary>,
    pub counts: InboxCounts,
    /// Events up to this id are already in `rows` and `counts`; older patches are stale.
    pub cursor: i64,
    /// The server's clock when the list was read, for "time since last activity".
    pub now: i64,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<i64>,
    /// Whether newer conversations exist above this page (it is not the first page).
    pub newer: bool,
    /// The operator reading it (the list of "Mine" follows their locks).
    pub me: i64,
}

/// Where the list view is: tab, channel, search, and page. Parsed from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub filter: Filter,
    pub search: Option<String>,
    /// Older than this conversation id (in a search: this message id).
    pub before: Option<i64>,
    /// Newer than this conversation id (the previous page).
    pub after: Option<i64>,
}

impl View {
    pub fn is_first_page(&self) -> bool {
        self.before.is_none() && self.after.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub conversation: ConversationSummary,
    pub browser: Option<String>,
    pub timezone: Option<String>,
    pub referrer: Option<String>,
    pub page: Option<String>,
    pub email: Option<String>,
    pub messages: Vec<Message>,
    /// Events up to this id are reflected here.
    pub cursor: i64,
    /// The operator looking at it.
    pub me: i64,
    /// Whether they may reassign conversations they do not hold (Admin, Owner).
    pub reassigns: bool,
    /// The customer's rating, once given.
    pub rating: Option<liaison_protocol::rating::Rating>,
    /// A WhatsApp conversation's number and 24-hour window.
    #[serde(default)]
    pub whatsapp: Option<WhatsappThread>,
}

/// What the panel shows of a WhatsApp conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappThread {
    /// The customer's number (E.164).
    pub phone: String,
    /// When the 24-hour window closes (Unix ms; in the past once closed).
    pub window_closes_at: i64,
    /// The approved template offered once it has closed (empty when none is set).
    pub template: String,
}

/// One page of the list. Flat arguments, so the call is a plain form (`tab=needs_agent&...`).
#[server]
pub async fn list_conversations(
    tab: Option<String>,
    channel: Option<String>,
    who: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<List, AppError> {
    use crate::server::db::{self, conversations::PageAt};
    use liaison_protocol::{Channel, Holder, Tab};
    let me = operator().await?.id;
    let tab = match tab.as_deref() {
        None | Some("") => Tab::All,
        Some(t) => Tab::parse(t)
            .ok_or_else(|| AppError::Invalid(format!("Unknown tab {t:?}.")).respond())?,
    };
    let channel = match channel.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            Channel::parse(c)
                .ok_or_else(|| AppError::Invalid(format!("Unknown channel {c:?}.")).respond())?,
        ),
    };
    let holder = match who.as_deref() {
        None | Some("") => None,
        Some(w) => Some(
            Holder::parse(w)
                .ok_or_else(|| AppError::Invalid(format!("Unknown holder {w:?}.")).respond())?,
        ),
    };
    let view = View {
        filter: Filter {
            tab,
            channel,
            holder,
        },
        search: q,
        before,
        after,
    };
    let state = state()?;
    let mut conn = state.db.read.acquire().await?;
    // Read the cursor first: whatever happens after it arrives as a patch.
    let cursor = db::events::latest_id(&state.db.read).await?;
    let counts = db::conversations::counts(conn.conn()).await?;
    let (rows, older, newer) = match view.search.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => {
            if text.chars().count() > 200 {
                return Err(
                    AppError::Invalid("Search for at most 200 characters.".into()).respond(),
                );
            }
            let found = db::search::conversations(
                conn.conn(),
                text,
                view.filter,
                me,
                view.before,
                PAGE_SIZE as usize,
            )
            .await?;
            (found.rows, found.next, view.before.is_some())
        }
        _ => {
            let at = match (view.before, view.after) {
                (Some(b), _) => PageAt::Before(b),
                (None, Some(a)) => PageAt::After(a),
                (None, None) => PageAt::First,
            };
            let mut rows =
                db::conversations::page(conn.conn(), view.filter, me, at, PAGE_SIZE + 1).await?;
            let more = rows.len() as i64 > PAGE_SIZE;
            let (older, newer) = match at {
                PageAt::After(_) => {
                    // Read newest-last and reversed: the extra row is the newest one.
                    if more {
                        rows.remove(0);
                    }
                    (rows.last().map(|r| r.id), more)
                }
                _ => {
                    rows.truncate(PAGE_SIZE as usize);
                    (
                        more.then(|| rows.last().map(|r| r.id)).flatten(),
                        at != PageAt::First,
                    )
                }
            };
            (rows, older, newer)
        }
    };
    Ok(List {
        rows: rows.iter().map(|r| r.summary()).collect(),
        counts,
        cursor,
        now: crate::server::now_ms(),
        older,
        newer,
        me,
    })
}

#[server]
pub async fn get_conversation(id: i64) -> Result<Detail, AppError> {
    use crate::server::db;
    let me = operator().await?;
    let state = state()?;
    let cursor = db::events::latest_id(&state.db.read).await?;
    let mut conn = state.db.read.acquire().await?;
    let c = db::conversations::find(conn.conn(), id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())?;
    drop(conn);
    let visitor = db::visitors::find(&state.db.read, c.visitor_id).await?;
    let messages =
        db::messages::for_conversation(&state.db.read, id, db::messages::Audience::Operators)
            .await?;
    let v = visitor.as_ref();
    let whatsapp = match v.and_then(|v| v.whatsapp.clone()) {
        Some(phone) if c.channel == liaison_protocol::Channel::Whatsapp => {
            let last = messages
                .iter()
                .filter(|m| m.sender == liaison_protocol::Sender::Customer)
                .map(|m| m.created_at)
                .max();
            let template = crate::server::whatsapp::saved(&state.db.read)
                .await?
                .map(|w| w.template_name)
                .unwrap_or_default();
            Some(WhatsappThread {
                phone,
                window_closes_at: liaison_protocol::whatsapp_webhook::window_closes_at(last),
                template,
            })
        }
        _ => None,
    };
    Ok(Detail {
        conversation: c.summary(),
        browser: v.and_then(|v| v.browser.clone()),
        timezone: v.and_then(|v| v.timezone.clone()),
        referrer: v.and_then(|v| v.referrer.clone()),
        page: v.and_then(|v| v.page.clone()),
        email: v.and_then(|v| v.email.clone()),
        messages,
        cursor,
        me: me.id,
        reassigns: me.role.at_least(liaison_protocol::Role::Admin),
        rating: db::ratings::find(&state.db.read, id).await?,
        whatsapp,
    })
}

/// The conversation's row after an operator's action: the panel shows the outcome from the
/// answer itself, even before (or without) the live event.
#[cfg(feature = "ssr")]
async fn row_after(id: i64) -> Result<ConversationSummary, AppError> {
    let state = state()?;
    let mut conn = state.db.read.acquire().await?;
    crate::server::db::conversations::find(conn.conn(), id)
        .await?
        .map(|c| c.summary())
        .ok_or_else(|| AppError::NotFound.respond())
}

#[server]
pub async fn join_conversation(id: i64) -> Result<ConversationSummary, AppError> {
    let me = operator().await?;
    crate::server::conversations::join(&state()?.db, id, me.id).await?;
    row_after(id).await
}

#[server]
pub async fn leave_conversation(id: i64) -> Result<ConversationSummary, AppError> {
    let me = operator().await?;
    crate::server::conversations::leave(&state()?.db, id, me.id).await?;
    row_after(id).await
}

#[server]
pub async fn send_reply(id: i64, body: String) -> Result<Message, AppError> {
    let me = operator().await?;
    Ok(crate::server::conversations::post_operator_message(&state()?.db, id, me.id, &body).await?)
}

/// The holder sends the approved template on a WhatsApp conversation whose 24-hour window
/// has closed (or any time: a template is always allowed).
#[server]
pub async fn send_whatsapp_template(id: i64) -> Result<Message, AppError> {
    let me = operator().await?;
    let state = state()?;
    let w = crate::server::whatsapp::connection(&state.db)
        .await?
        .ok_or_else(|| AppError::Invalid("WhatsApp is not connected.".into()).respond())?;
    Ok(crate::server::conversations::send_template(
        &state.db,
        id,
        me.id,
        &w.template_name,
        &w.template_language,
    )
    .await?)
}

#[server]
pub async fn escalate_conversation(id: i64) -> Result<ConversationSummary, AppError> {
    use crate::server::conversations::{Actor, escalate};
    let me = operator().await?;
    escalate(&state()?.db, id, Actor::Operator(me.id), None).await?;
    row_after(id).await
}

#[server]
pub async fn resolve_conversation(id: i64) -> Result<ConversationSummary, AppError> {
    use crate::server::conversations::{Actor, resolve};
    let me = operator().await?;
    resolve(&state()?.db, id, Actor::Operator(me.id)).await?;
    row_after(id).await
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

/// Visitors on the site now, and the event cursor the panel follows from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentVisitors {
    pub visitors: Vec<LiveVisitor>,
    pub cursor: i64,
    pub now: i64,
}

#[server]
pub async fn live_visitors() -> Result<PresentVisitors, AppError> {
    operator().await?;
    let state = state()?;
    let cursor = crate::server::db::events::latest_id(&state.db.read).await?;
    Ok(PresentVisitors {
        visitors: state.presence.everyone().await?,
        cursor,
        now: crate::server::now_ms(),
    })
}

/// An operator a conversation can be handed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teammate {
    pub id: i64,
    pub name: String,
    /// Their availability toggle says online.
    pub online: bool,
}

/// Every other operator, online ones first: the Transfer / Delegate picker.
#[server]
pub async fn teammates() -> Result<Vec<Teammate>, AppError> {
    let me = operator().await?;
    let all = crate::server::db::users::teammates(&state()?.db.read).await?;
    Ok(all
        .into_iter()
        .filter(|t| t.id != me.id)
        .map(|t| Teammate {
            id: t.id,
            name: t.name,
            online: t.available,
        })
        .collect())
}

/// Transfer (`delegate` false: at once) or Delegate (a request the target answers).
#[server]
pub async fn hand_off(
    id: i64,
    to: i64,
    delegate: bool,
    reason: String,
) -> Result<ConversationSummary, AppError> {
    use liaison_protocol::handoff::Handoff;
    let me = operator().await?;
    let kind = if delegate {
        Handoff::Delegate
    } else {
        Handoff::Transfer
    };
    crate::server::conversations::hand_off(&state()?.db, id, kind, &me, to, &reason).await?;
    row_after(id).await
}

/// The target of a pending delegation accepts or rejects it.
#[server]
pub async fn answer_delegation(id: i64, accept: bool) -> Result<ConversationSummary, AppError> {
    let me = operator().await?;
    crate::server::conversations::answer_delegation(&state()?.db, id, &me, accept).await?;
    row_after(id).await
}

/// This operator is typing a reply (the visitor sees "Support Agent is typing…"), or has the
/// conversation open (other operators see who is looking). Live only: nothing is stored.
#[server]
pub async fn signal_presence(id: i64, typing: bool) -> Result<(), AppError> {
    use liaison_protocol::{Event, Sender};
    let me = operator().await?;
    let state = state()?;
    let mut conn = state.db.read.acquire().await?;
    let c = crate::server::db::conversations::find(conn.conn(), id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())?;
    drop(conn);
    let event = if typing {
        if c.assignee_id != Some(me.id) || c.status.is_closed() {
            // Only the holder's typing means a reply is coming.
            return Ok(());
        }
        Event::Typing {
            conversation_id: id,
            sender: Sender::Agent,
        }
    } else {
        Event::Viewing {
            conversation_id: id,
            operator_id: me.id,
            name: me.name,
        }
    };
    state.db.bus().publish_live(event, c.visitor_id);
    Ok(())
}
