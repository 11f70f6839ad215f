//! Conversations: one row per chat session, with what the inbox shows kept on the row (message
//! count, last message, booking, rating) so a list page is one index range and no aggregation.
//! Lists are keyset-paginated, newest conversation first; counts come from the trigger-kept
//! `conversation_counts` table (migration 0012).

use super::{Backend, Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::ConversationStatus;
use liaison_protocol::analytics::HandoverReason;
use liaison_protocol::inbox::{
    self, Channel, ConversationSummary, Delegation, Filter, Holder, InboxCounts, Tab,
};
use liaison_protocol::widget_api::PastConversation;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    pub id: i64,
    pub visitor_id: i64,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub message_count: i64,
    pub last_message: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
    pub resolved_at: Option<i64>,
    pub booked: bool,
    pub rating: Option<u8>,
    pub visitor_name: Option<String>,
    pub visitor_phone: Option<String>,
    pub visitor_conversations: i64,
    pub delegation: Option<Delegation>,
}

impl ConversationRow {
    /// How the visitor is named in the dashboard: their name, else their WhatsApp number, else
    /// their id.
    pub fn visitor_label(&self) -> String {
        let label = visitor_label(
            self.visitor_id,
            self.visitor_name.as_deref(),
            self.visitor_phone.as_deref(),
        );
        // On WhatsApp the number is who they are: shown beside a name too.
        match self.visitor_phone.as_deref().map(str::trim) {
            Some(p) if self.channel == Channel::Whatsapp && !p.is_empty() && label != p => {
                format!("{label} · {p}")
            }
            _ => label,
        }
    }

    pub fn summary(&self) -> ConversationSummary {
        ConversationSummary {
            id: self.id,
            visitor_id: self.visitor_id,
            visitor: self.visitor_label(),
            visitor_conversations: self.visitor_conversations,
            channel: self.channel,
            status: self.status,
            message_count: self.message_count,
            last_message: self.last_message.as_deref().map(inbox::preview),
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name.clone(),
            rating: self.rating,
            booked: self.booked,
            created_at: self.created_at,
            last_activity_at: self.last_activity_at,
            resolved_at: self.resolved_at,
            delegation: self.delegation.clone(),
        }
    }
}

pub fn visitor_label(id: i64, name: Option<&str>, phone: Option<&str>) -> String {
    match (name.map(str::trim), phone.map(str::trim)) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(p)) if !p.is_empty() => p.to_string(),
        _ => format!("Visitor #{id}"),
    }
}

#[derive(FromRow)]
struct Raw {
    id: i64,
    visitor_id: i64,
    channel: String,
    status: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    message_count: i64,
    last_message: Option<String>,
    created_at: i64,
    last_activity_at: i64,
    resolved_at: Option<i64>,
    booked: bool,
    rating: Option<i64>,
    visitor_name: Option<String>,
    visitor_phone: Option<String>,
    visitor_conversations: i64,
    delegated_to: Option<i64>,
    delegated_to_name: Option<String>,
    delegation_reason: Option<String>,
}

/// A stored value this version does not know is a decode error, never a silent default.
pub(crate) fn unknown(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value:?}").into())
}

impl TryFrom<Raw> for ConversationRow {
    type Error = sqlx::Error;

    fn try_from(r: Raw) -> Result<Self, sqlx::Error> {
        Ok(ConversationRow {
            id: r.id,
            visitor_id: r.visitor_id,
            channel: Channel::parse(&r.channel).ok_or_else(|| unknown("channel", &r.channel))?,
            status: ConversationStatus::parse(&r.status)
                .ok_or_else(|| unknown("status", &r.status))?,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            message_count: r.message_count,
            last_message: r.last_message,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            resolved_at: r.resolved_at,
            booked: r.booked,
            rating: r.rating.and_then(|r| u8::try_from(r).ok()),
            visitor_name: r.visitor_name,
            visitor_phone: r.visitor_phone,
            visitor_conversations: r.visitor_conversations,
            delegation: r.delegated_to.map(|to_id| Delegation {
                to_id,
                to_name: r.delegated_to_name.unwrap_or_default(),
                reason: r.delegation_reason,
            }),
        })
    }
}

const SELECT_COLUMNS: &str = "SELECT c.id, c.visitor_id, c.channel, c.status, c.assignee_id,
    u.name AS assignee_name, c.message_count, c.last_message, c.created_at, c.last_activity_at,
    c.resolved_at, c.booked, c.rating, v.name AS visitor_name, v.phone AS visitor_phone,
    v.conversation_count AS visitor_conversations, c.delegated_to,
    d.name AS delegated_to_name, c.delegation_reason";
const FROM: &str = "FROM conversations c
    JOIN visitors v ON v.id = c.visitor_id
    LEFT JOIN users u ON u.id = c.assignee_id
    LEFT JOIN users d ON d.id = c.delegated_to";

pub async fn find(mut conn: Conn<'_>, id: i64) -> Result<Option<ConversationRow>, sqlx::Error> {
    let sql = format!("{SELECT_COLUMNS} {FROM} WHERE c.id = $1");
    let raw: Option<Raw> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    raw.map(ConversationRow::try_from).transpose()
}

/// The row, locked until the transaction ends, for a change that depends on what it reads (who
/// holds the conversation, its status). On PostgreSQL, where write transactions run side by
/// side on every instance, `FOR UPDATE` makes the next one wait for this one's commit and then
/// read the row as committed; on SQLite the single writer already runs them one at a time.
pub async fn find_for_update(
    mut conn: Conn<'_>,
    id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let lock = conn.pick("", " FOR UPDATE OF c");
    let sql = format!("{SELECT_COLUMNS} {FROM} WHERE c.id = $1{lock}");
    let raw: Option<Raw> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    raw.map(ConversationRow::try_from).transpose()
}

pub async fn latest_for_visitor(
    mut conn: Conn<'_>,
    visitor_id: i64,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let sql = format!("{SELECT_COLUMNS} {FROM} WHERE c.visitor_id = $1 ORDER BY c.id DESC LIMIT 1");
    let raw: Option<Raw> = on!(conn, |c| sqlx::query_as(&sql)
        .bind(visitor_id)
        .fetch_optional(c)
        .await)?;
    raw.map(ConversationRow::try_from).transpose()
}

/// A page of a visitor's conversations, newest first, older than `before` when given: the
/// (visitor_id, id) index, `limit` rows read.
pub async fn for_visitor(
    pool: &super::Pool,
    visitor_id: i64,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<PastConversation>, sqlx::Error> {
    #[derive(FromRow)]
    struct Past {
        id: i64,
        status: String,
        last_message: Option<String>,
        last_activity_at: i64,
    }
    // The last message the visitor can see (`conversations.last_message` may be an internal
    // note): one step down the (conversation_id, id) index per row.
    let visible = if pool.is_postgres() {
        "NOT m.internal"
    } else {
        "m.internal = 0"
    };
    let sql = format!(
        "SELECT c.id, c.status, c.last_activity_at,
            (SELECT m.body FROM messages m WHERE m.conversation_id = c.id AND {visible}
             ORDER BY m.id DESC LIMIT 1) AS last_message
         FROM conversations c WHERE c.visitor_id = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3"
    );
    let rows: Vec<Past> = on!(pool, |p| {
        sqlx::query_as(&sql)
            .bind(visitor_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit as i64)
            .fetch_all(p)
            .await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(PastConversation {
                id: r.id,
                status: ConversationStatus::parse(&r.status)
                    .ok_or_else(|| unknown("status", &r.status))?,
                last_message: r.last_message.unwrap_or_default(),
                last_activity_at: r.last_activity_at,
            })
        })
        .collect()
}

/// The rows of these conversations (in the order given) and the tab counts, as this transaction
/// sees them: what the `conversation_updated` events written at commit carry, read in one
/// statement.
pub async fn touched_with_counts(
    conn: Conn<'_>,
    ids: &[i64],
) -> Result<(Vec<ConversationRow>, InboxCounts), sqlx::Error> {
    #[derive(FromRow)]
    struct WithCounts {
        #[sqlx(flatten)]
        raw: Raw,
        counts: String,
    }
    if ids.is_empty() {
        return Ok((Vec::new(), InboxCounts::default()));
    }
    // The ids as one parameter (a JSON array on SQLite, an array on PostgreSQL) and the counts
    // as one JSON column: one statement whatever their number.
    let found: Vec<WithCounts> = match conn {
        Backend::Sqlite(c) => {
            sqlx::query_as(&format!(
                "{SELECT_COLUMNS}, (SELECT json_group_array(json_array(channel, status, booked, n))
                    FROM conversation_counts WHERE n <> 0) AS counts
                 {FROM} WHERE c.id IN (SELECT value FROM json_each($1))"
            ))
            .bind(serde_json::to_string(ids).expect("ids serialize"))
            .fetch_all(c)
            .await?
        }
        Backend::Postgres(c) => {
            sqlx::query_as(&format!(
                "{SELECT_COLUMNS}, (SELECT COALESCE(json_agg(json_build_array(channel, status,
                        booked::int, n)), '[]')::text
                    FROM conversation_counts WHERE n <> 0) AS counts
                 {FROM} WHERE c.id = ANY($1)"
            ))
            .bind(ids)
            .fetch_all(c)
            .await?
        }
    };
    let Some(first) = found.first() else {
        return Ok((Vec::new(), InboxCounts::default()));
    };
    let rows: Vec<(String, String, i64, i64)> =
        serde_json::from_str(&first.counts).map_err(|e| sqlx::Error::Decode(e.into()))?;
    let counts = tally_rows(rows.into_iter().map(|(c, s, b, n)| (c, s, b != 0, n)))?;
    let mut rows = found
        .into_iter()
        .map(|f| ConversationRow::try_from(f.raw))
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok((rows, counts))
}

/// The visitor's latest conversation, and the id of their message with `client_msg_id` if they
/// sent one before (a retry): what a visitor's send needs to know, in one statement.
pub async fn latest_for_sender(
    mut conn: Conn<'_>,
    visitor_id: i64,
    client_msg_id: &str,
) -> Result<(Option<ConversationRow>, Option<i64>), sqlx::Error> {
    #[derive(FromRow)]
    struct WithSent {
        #[sqlx(flatten)]
        raw: Raw,
        sent: Option<i64>,
    }
    let sql = format!(
        "{SELECT_COLUMNS}, (SELECT m.id FROM messages m WHERE m.client_msg_id = $1
            AND m.conversation_id IN (SELECT id FROM conversations WHERE visitor_id = $2)) AS sent
         {FROM} WHERE c.visitor_id = $2 ORDER BY c.id DESC LIMIT 1"
    );
    let found: Option<WithSent> = on!(conn, |c| {
        sqlx::query_as(&sql)
            .bind(client_msg_id)
            .bind(visitor_id)
            .fetch_optional(c)
            .await
    })?;
    match found {
        Some(f) => Ok((Some(ConversationRow::try_from(f.raw)?), f.sent)),
        // No conversation yet, so no message either.
        None => Ok((None, None)),
    }
}

/// Where a page of the list starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageAt {
    /// The newest conversations.
    #[default]
    First,
    /// Older than this id (the next page).
    Before(i64),
    /// Newer than this id (the previous page).
    After(i64),
}

/// The SQL condition for a tab, spelled as the partial indexes of migration 0012 are (booleans
/// are 0/1 on SQLite).
fn tab_condition(tab: Tab, postgres: bool) -> &'static str {
    match tab {
        Tab::All => "1 = 1",
        Tab::Open => "c.status IN ('open', 'delegated')",
        Tab::NeedsAgent => "c.status = 'needs_agent'",
        Tab::Resolved => "c.status = 'resolved'",
        Tab::Booked if postgres => "c.booked",
        Tab::Booked => "c.booked = 1",
    }
}

/// The SQL condition for who holds the conversations (`$4` is the operator looking).
fn holder_condition(holder: Option<Holder>) -> &'static str {
    match holder {
        None => "CAST($4 AS BIGINT) IS NOT NULL",
        Some(Holder::Mine) => "c.assignee_id = $4",
        Some(Holder::Unassigned) => "c.assignee_id IS NULL AND CAST($4 AS BIGINT) IS NOT NULL",
    }
}

/// One page of the list, newest first: an index range on (channel?, tab, id), never a scan;
/// "Mine" reads the operator's own locks (`conversations_assignee`).
pub async fn page(
    mut conn: Conn<'_>,
    filter: Filter,
    me: i64,
    at: PageAt,
    limit: i64,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let channel = match filter.channel {
        Some(_) => "c.channel = $1",
        None => "CAST($1 AS TEXT) IS NULL",
    };
    let (bound, order) = match at {
        PageAt::First => ("c.id < $2", "DESC"),
        PageAt::Before(_) => ("c.id < $2", "DESC"),
        PageAt::After(_) => ("c.id > $2", "ASC"),
    };
    let cursor = match at {
        PageAt::First => i64::MAX,
        PageAt::Before(id) | PageAt::After(id) => id,
    };
    let sql = format!(
        "{SELECT_COLUMNS} {FROM} WHERE {} AND {channel} AND {} AND {bound}
         ORDER BY c.id {order} LIMIT $3",
        tab_condition(filter.tab, conn.is_postgres()),
        holder_condition(filter.holder),
    );
    let raws: Vec<Raw> = on!(conn, |c| {
        sqlx::query_as(&sql)
            .bind(filter.channel.map(Channel::as_str))
            .bind(cursor)
            .bind(limit)
            .bind(me)
            .fetch_all(c)
            .await
    })?;
    let mut rows = raws
        .into_iter()
        .map(ConversationRow::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    if matches!(at, PageAt::After(_)) {
        rows.reverse();
    }
    Ok(rows)
}

/// Conversations by id, newest first (for search results).
pub async fn by_ids(mut conn: Conn<'_>, ids: &[i64]) -> Result<Vec<ConversationRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("{SELECT_COLUMNS} {FROM} WHERE c.id IN ({list}) ORDER BY c.id DESC");
    let raws: Vec<Raw> = on!(conn, |c| sqlx::query_as(&sql).fetch_all(c).await)?;
    raws.into_iter().map(ConversationRow::try_from).collect()
}

/// The tab counts per channel: a few rows of the trigger-kept table.
pub async fn counts(conn: Conn<'_>) -> Result<InboxCounts, sqlx::Error> {
    tally(
        conn,
        "SELECT channel, status, booked, n FROM conversation_counts WHERE n <> 0",
    )
    .await
}

/// The same counts recomputed over the whole table: for tests that check the maintained ones.
pub async fn recount(conn: Conn<'_>) -> Result<InboxCounts, sqlx::Error> {
    tally(
        conn,
        "SELECT channel, status, booked, COUNT(*) FROM conversations GROUP BY 1, 2, 3",
    )
    .await
}

/// Folds (channel, status, booked, n) rows into the tabs they count for.
async fn tally(mut conn: Conn<'_>, sql: &str) -> Result<InboxCounts, sqlx::Error> {
    let rows: Vec<(String, String, bool, i64)> =
        on!(conn, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    tally_rows(rows)
}

/// Counts from (channel, status, booked, n) rows.
fn tally_rows(
    rows: impl IntoIterator<Item = (String, String, bool, i64)>,
) -> Result<InboxCounts, sqlx::Error> {
    let mut counts = InboxCounts::default();
    for (channel, status, booked, n) in rows {
        let channel = Channel::parse(&channel).ok_or_else(|| unknown("channel", &channel))?;
        let status =
            ConversationStatus::parse(&status).ok_or_else(|| unknown("status", &status))?;
        counts.channel_mut(channel).add(status, booked, n);
    }
    Ok(counts)
}

pub async fn insert(
    mut conn: Conn<'_>,
    visitor_id: i64,
    channel: Channel,
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO conversations (visitor_id, channel, status, created_at, last_activity_at)
             VALUES ($1, $2, 'open', $3, $3) RETURNING id",
        )
        .bind(visitor_id)
        .bind(channel.as_str())
        .bind(now)
        .fetch_one(c)
        .await
    })
}

pub async fn set_status(
    mut conn: Conn<'_>,
    id: i64,
    status: ConversationStatus,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let resolved = status == ConversationStatus::Resolved;
    on!(conn, |c| {
        sqlx::query(
            "UPDATE conversations SET status = $1, last_activity_at = $2,
                agent_requested = agent_requested OR $3,
                agent_requested_at = CASE WHEN $3 THEN COALESCE(agent_requested_at, $2)
                    ELSE agent_requested_at END,
                handover_reason = CASE WHEN $3 THEN COALESCE(handover_reason, 'manual')
                    ELSE handover_reason END,
                resolved_at = CASE WHEN $4 THEN $2 ELSE resolved_at END,
                resolved_by = CASE WHEN $4 THEN $5 ELSE resolved_by END,
                assignee_id = CASE WHEN $4 THEN NULL ELSE assignee_id END,
                delegated_to = CASE WHEN $1 = 'delegated' THEN delegated_to ELSE NULL END,
                delegation_reason = CASE WHEN $1 = 'delegated' THEN delegation_reason ELSE NULL END
             WHERE id = $6",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(status == ConversationStatus::NeedsAgent)
        .bind(resolved)
        .bind(by)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Why the conversation goes to a human, recorded the first time only (Analytics counts it);
/// a hand-over without one recorded counts as manual (`set_status`).
pub async fn set_handover_reason(
    mut conn: Conn<'_>,
    id: i64,
    reason: HandoverReason,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE conversations SET handover_reason = $1,
                agent_requested_at = COALESCE(agent_requested_at, $2)
             WHERE id = $3 AND handover_reason IS NULL",
        )
        .bind(reason.as_str())
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn set_assignee(
    mut conn: Conn<'_>,
    id: i64,
    assignee: Option<i64>,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE conversations SET assignee_id = $1, last_activity_at = $2 WHERE id = $3",
        )
        .bind(assignee)
        .bind(now_ms())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records the pending delegation (the status is set to Delegated beside it; any other status
/// clears it, see [`set_status`]).
pub async fn set_delegation(
    mut conn: Conn<'_>,
    id: i64,
    to: i64,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE conversations SET delegated_to = $1, delegation_reason = $2 WHERE id = $3",
        )
        .bind(to)
        .bind(reason)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The conversations `operator` holds and could let go of (open or waiting for a human), at
/// most `limit` (index `conversations_assignee`).
/// Conversations with a pending delegation from or to `operator`.
pub async fn delegations_of(
    pool: &Pool,
    operator: i64,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT id FROM conversations
         WHERE status = 'delegated' AND (assignee_id = $1 OR delegated_to = $1)
         ORDER BY id LIMIT $2"
    )
    .bind(operator)
    .bind(limit)
    .fetch_all(p)
    .await)
}

pub async fn held_by(pool: &Pool, operator: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    on!(pool, |p| sqlx::query_scalar(
        "SELECT id FROM conversations
         WHERE assignee_id = $1 AND status IN ('open', 'needs_agent')
         ORDER BY id LIMIT $2"
    )
    .bind(operator)
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// The conversations the AI may answer (open, nobody holding them) that moved since `since`,
/// newest first, with their visitors: where an answer may have been cut off by a crash.
pub async fn open_for_the_ai_since(
    mut conn: Conn<'_>,
    since: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, visitor_id FROM conversations
         WHERE status = $1 AND assignee_id IS NULL AND last_activity_at >= $2
         ORDER BY last_activity_at DESC LIMIT $3"
    )
    .bind(ConversationStatus::Open.as_str())
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await)
}
