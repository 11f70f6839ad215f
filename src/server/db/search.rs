//! Full-text search of the inbox (FTS5, migration 0012): every message ever sent and the
//! visitors' names, emails and phone numbers. Results are conversations, those with the most
//! recent matching message first; a page continues below the last message it read, so paging
//! stays cheap however old the match.

use super::conversations::{self, ConversationRow};
use liaison_protocol::Filter;
use sqlx::SqliteConnection;

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
    conn: &mut SqliteConnection,
    text: &str,
    filter: Filter,
    before: Option<i64>,
    limit: usize,
) -> Result<Found, sqlx::Error> {
    let Some(query) = fts_query(text) else {
        return Ok(Found {
            rows: Vec::new(),
            next: None,
        });
    };
    let mut ids: Vec<i64> = Vec::new();
    if before.is_none() {
        let by_visitor: Vec<(i64,)> = sqlx::query_as(
            "SELECT c.id FROM visitors_fts f JOIN conversations c ON c.visitor_id = f.rowid
             WHERE visitors_fts MATCH ? ORDER BY c.id DESC LIMIT ?",
        )
        .bind(&query)
        .bind(limit as i64)
        .fetch_all(&mut *conn)
        .await?;
        ids.extend(by_visitor.into_iter().map(|(id,)| id));
    }
    let mut cursor = before.unwrap_or(i64::MAX);
    let mut next = None;
    let mut rows = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let hits: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT f.rowid, m.conversation_id FROM messages_fts f
             JOIN messages m ON m.id = f.rowid
             WHERE messages_fts MATCH ? AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ?",
        )
        .bind(&query)
        .bind(cursor)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let full = hits.len() as i64 == BATCH;
        for (message_id, conversation_id) in hits {
            cursor = message_id;
            if !ids.contains(&conversation_id) {
                ids.push(conversation_id);
            }
        }
        rows = keep(conn, &ids, filter).await?;
        if rows.len() >= limit {
            rows.truncate(limit);
            next = Some(cursor);
            break;
        }
        // A short batch was the last of the matches.
        next = full.then_some(cursor);
        if !full {
            break;
        }
    }
    Ok(Found { rows, next })
}

/// The conversations among `ids` that the filter admits, in the order of `ids`.
async fn keep(
    conn: &mut SqliteConnection,
    ids: &[i64],
    filter: Filter,
) -> Result<Vec<ConversationRow>, sqlx::Error> {
    let found = conversations::by_ids(conn, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|r| r.id == *id))
        .filter(|r| filter.admits(&r.summary()))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

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
    }
}
