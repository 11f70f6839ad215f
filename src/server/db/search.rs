//! Full-text search of the inbox (FTS5 on SQLite, migration 0012; GIN indexes over
//! `to_tsvector` on PostgreSQL): every message ever sent and the
//! visitors' names, emails and phone numbers. Results are conversations, those with the most
//! recent matching message first; a page continues below the last message it read, so paging
//! stays cheap however old the match.

use super::conversations::{self, ConversationRow};
use super::{Backend, Conn, on};
use liaison_protocol::Filter;

/// Matching messages read per round; a page reads at most `MAX_ROUNDS` of them.
const BATCH: i64 = 400;
const MAX_ROUNDS: usize = 5;

/// What the operator typed, as an FTS5 query that cannot be malformed: every word quoted, all
/// required, the last one as a prefix (so results come while typing). None when nothing is left.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// The same words for PostgreSQL, separated by spaces: `tsquery!` folds them as the index
/// does and makes them a `tsquery` (all required, the last a prefix). Words are letters and
/// digits only, so the query cannot be malformed either.
pub fn ts_words(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(words.join(" "))
}

/// The parameter `$n` (from [`ts_words`]; `$1` when not named) as a `tsquery`, folded as the
/// indexed text is; NULL (matching nothing) if folding leaves no word. A macro, so queries
/// using it can be constants.
macro_rules! tsquery {
    () => {
        tsquery!("$1")
    };
    ($param:literal) => {
        concat!(
            "to_tsquery('simple',
            NULLIF(regexp_replace(trim(liaison_fold(",
            $param,
            ")), ' +', ' & ', 'g'), '') || ':*')"
        )
    };
}
pub(crate) use tsquery;

/// Visitors whose name, email or phone matches, by conversation, newest first.
const BY_VISITOR: [&str; 2] = [
    "SELECT c.id FROM visitors_fts f JOIN conversations c ON c.visitor_id = f.rowid
     WHERE visitors_fts MATCH $1 ORDER BY c.id DESC LIMIT $2",
    // The newest matching visitors through the GIN index (the expression is the index's,
    // `visitors_search`; `v.id + 0` keeps the planner from walking every conversation back
    // from the newest, folding each one's visitor, when it expects many matches), then their
    // conversations.
    concat!(
        "WITH v AS MATERIALIZED (
            SELECT v.id FROM visitors v
            WHERE to_tsvector('simple', liaison_fold(coalesce(v.name, '') || ' '
                || coalesce(v.email, '') || ' ' || coalesce(v.phone, ''))) @@ ",
        tsquery!(),
        " ORDER BY v.id + 0 DESC LIMIT $2)
         SELECT c.id FROM v JOIN conversations c ON c.visitor_id = v.id
         ORDER BY c.id DESC LIMIT $2"
    ),
];

/// Matching messages below a message id, newest first, with their conversation (SQLite: FTS5
/// reads its index in rowid order, so this stops after `$3` matches however many there are).
const BY_MESSAGE: &str = "SELECT f.rowid, m.conversation_id FROM messages_fts f
     JOIN messages m ON m.id = f.rowid
     WHERE messages_fts MATCH $1 AND f.rowid < $2 ORDER BY f.rowid DESC LIMIT $3";

/// PostgreSQL's GIN index cannot return rows in id order: through it, a page of a common word
/// sorts every match, and walking back from the newest message finds a rare one only after
/// reading everything. So a round does both, each where it is cheap: the `RECENT` messages
/// below the cursor are walked back in id order, checking their stored words (`IS TRUE` keeps
/// the GIN index out of this one); if that does not fill the batch, older matches come from the
/// GIN index (`m.id + 0` keeps the primary key's order out of that one). `$4` is the floor
/// of the walk.
const RECENT: i64 = 20_000;
const PG_RECENT: &str = concat!(
    "SELECT m.id, m.conversation_id FROM messages m
     WHERE m.id < $2 AND m.id >= $4 AND (m.search @@ ",
    tsquery!(),
    ") IS TRUE ORDER BY m.id DESC LIMIT $3"
);
const PG_OLDER: &str = concat!(
    "SELECT m.id, m.conversation_id FROM messages m
     WHERE m.search @@ ",
    tsquery!(),
    " AND m.id < $2 ORDER BY m.id + 0 DESC LIMIT $3"
);

/// Up to `limit` messages matching `query` below the message id `before`, newest first, with
/// their conversation.
async fn matching_messages(
    conn: Conn<'_>,
    query: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let c = match conn {
        Backend::Sqlite(c) => {
            return sqlx::query_as(BY_MESSAGE)
                .bind(query)
                .bind(before)
                .bind(limit)
                .fetch_all(c)
                .await;
        }
        Backend::Postgres(c) => c,
    };
    let newest: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM messages WHERE id < $1")
        .bind(before)
        .fetch_one(&mut *c)
        .await?;
    let Some(newest) = newest else {
        return Ok(Vec::new());
    };
    let floor = newest - RECENT;
    let mut hits: Vec<(i64, i64)> = sqlx::query_as(PG_RECENT)
        .bind(query)
        .bind(before)
        .bind(limit)
        .bind(floor)
        .fetch_all(&mut *c)
        .await?;
    if (hits.len() as i64) < limit && floor > 0 {
        let older: Vec<(i64, i64)> = sqlx::query_as(PG_OLDER)
            .bind(query)
            .bind(floor)
            .bind(limit - hits.len() as i64)
            .fetch_all(&mut *c)
            .await?;
        hits.extend(older);
    }
    Ok(hits)
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub rows: Vec<ConversationRow>,
    /// Where the next page continues (a message id), when there may be more.
    pub next: Option<i64>,
}

/// Conversations matching `text` and `filter`. On the first page (`before` None), conversations
/// of visitors whose name, email or phone matches come first.
pub async fn conversations(
    mut conn: Conn<'_>,
    text: &str,
    filter: Filter,
    me: i64,
    before: Option<i64>,
    limit: usize,
) -> Result<Found, sqlx::Error> {
    let query = conn.pick(fts_query(text), ts_words(text));
    let backend = conn.pick(0, 1);
    let Some(query) = query else {
        return Ok(Found {
            rows: Vec::new(),
            next: None,
        });
    };
    let mut seen: Vec<i64> = Vec::new();
    let mut rows: Vec<ConversationRow> = Vec::new();
    if before.is_none() {
        let ids: Vec<i64> = on!(conn, |c| {
            sqlx::query_scalar(BY_VISITOR[backend])
                .bind(&query)
                .bind(limit as i64)
                .fetch_all(c)
                .await
        })?;
        rows.extend(admitted(conn.on(), &ids, filter, me).await?);
        seen.extend(ids);
        if rows.len() >= limit {
            // Message matches follow on the next page, from the newest.
            rows.truncate(limit);
            return Ok(Found {
                rows,
                next: Some(i64::MAX),
            });
        }
    }
    let mut cursor = before.unwrap_or(i64::MAX);
    for _ in 0..MAX_ROUNDS {
        let hits = matching_messages(conn.on(), &query, cursor, BATCH).await?;
        let full = hits.len() as i64 == BATCH;
        // Each conversation's newest match in this batch, in order; rows read once for them.
        let mut fresh: Vec<(i64, i64)> = Vec::new();
        for (message_id, conversation_id) in hits {
            if !seen.contains(&conversation_id) {
                seen.push(conversation_id);
                fresh.push((message_id, conversation_id));
            }
            cursor = message_id;
        }
        let ids: Vec<i64> = fresh.iter().map(|(_, c)| *c).collect();
        let found = admitted(conn.on(), &ids, filter, me).await?;
        for (message_id, conversation_id) in fresh {
            if let Some(row) = found.iter().find(|r| r.id == conversation_id) {
                rows.push(row.clone());
                if rows.len() >= limit {
                    // The next page continues below the match that filled this one, so no
                    // match is skipped.
                    return Ok(Found {
                        rows,
                        next: Some(message_id),
                    });
                }
            }
        }
        if !full {
            // A short batch was the last of the matches.
            return Ok(Found { rows, next: None });
        }
    }
    Ok(Found {
        rows,
        next: Some(cursor),
    })
}

/// The conversations among `ids` that the filter admits (in any order).
async fn admitted(
    conn: Conn<'_>,
    ids: &[i64],
    filter: Filter,
    me: i64,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let found = conversations::by_ids(conn, ids).await?;
    Ok(found
        .into_iter()
        .filter(|r| filter.admits(&r.summary(), me))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{fts_query, ts_words};

    #[test]
    fn queries_are_quoted_words() {
        assert_eq!(
            fts_query("reset password"),
            Some("\"reset\" \"password\"*".into())
        );
        assert_eq!(
            fts_query("ana@example.com"),
            Some("\"ana\" \"example\" \"com\"*".into())
        );
        // Operators and quotes are only words or nothing: the query cannot be malformed.
        assert_eq!(
            fts_query("\") OR NEAR(* -"),
            Some("\"OR\" \"NEAR\"*".into())
        );
        assert_eq!(fts_query("\"*( -"), None);
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("Ünïcode"), Some("\"Ünïcode\"*".into()));
        assert_eq!(ts_words("ana@example.com"), Some("ana example com".into()));
        assert_eq!(ts_words("\") OR <-> !x:*"), Some("OR x".into()));
        assert_eq!(ts_words("'&|"), None);
    }
}
