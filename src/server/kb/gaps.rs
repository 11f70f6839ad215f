//! Knowledge gaps: questions the AI could not answer, grouped when they look alike (pure,
//! tested), and answered with an article that closes the group.

use crate::server::ai::retrieval::search_terms;
use crate::server::db::{self, Db, gaps::GapRow};
use crate::server::kb::articles::{ArticleInput, save_article};
use crate::server::kb::documents::DocumentError;

/// Turns a group of gaps into a published article and closes them.
pub async fn answer_gaps(
    db: &Db,
    gap_ids: &[i64],
    title: &str,
    body: &str,
) -> Result<i64, DocumentError> {
    if gap_ids.is_empty() {
        return Err(DocumentError::Invalid("No knowledge gap chosen.".into()));
    }
    let id = save_article(
        db,
        ArticleInput {
            id: None,
            title,
            body,
            published: true,
        },
    )
    .await?;
    let mut tx = db.write().await?;
    db::gaps::close(tx.conn(), gap_ids, Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Questions that look alike, with how often they came up.
#[derive(Debug, Clone, PartialEq)]
pub struct GapGroup {
    /// The most recent question of the group, as the visitor wrote it.
    pub question: String,
    pub count: usize,
    pub ids: Vec<i64>,
    /// (conversation id, question), newest first, at most five.
    pub examples: Vec<(i64, String)>,
    pub out_of_scope: usize,
    pub last_at: i64,
}

/// How alike two questions' search terms must be to share a group.
const ALIKE: f64 = 0.5;

fn alike(a: &[String], b: &[String]) -> bool {
    if a.is_empty() || b.is_empty() {
        return a == b;
    }
    let shared = a.iter().filter(|t| b.contains(t)).count() as f64;
    let union = (a.len() + b.len()) as f64 - shared;
    shared / union >= ALIKE
}

/// Groups gaps (newest first in, groups by size then recency out) by the overlap of their search
/// terms, stemmed lightly so "refund" and "refunds" meet.
pub fn group(gaps: &[GapRow]) -> Vec<GapGroup> {
    let terms: Vec<Vec<String>> = gaps
        .iter()
        .map(|g| {
            search_terms(&g.question)
                .into_iter()
                .map(|t| stem(&t))
                .collect()
        })
        .collect();
    let mut groups: Vec<(Vec<String>, GapGroup)> = Vec::new();
    for (gap, terms) in gaps.iter().zip(terms) {
        let found = groups.iter_mut().find(|(t, _)| alike(t, &terms));
        match found {
            Some((_, g)) => {
                g.count += 1;
                g.ids.push(gap.id);
                if g.examples.len() < 5 {
                    g.examples.push((gap.conversation_id, gap.question.clone()));
                }
                g.out_of_scope += usize::from(gap.reason == "out_of_scope");
                g.last_at = g.last_at.max(gap.created_at);
            }
            None => groups.push((
                terms,
                GapGroup {
                    question: gap.question.clone(),
                    count: 1,
                    ids: vec![gap.id],
                    examples: vec![(gap.conversation_id, gap.question.clone())],
                    out_of_scope: usize::from(gap.reason == "out_of_scope"),
                    last_at: gap.created_at,
                },
            )),
        }
    }
    let mut groups: Vec<GapGroup> = groups.into_iter().map(|(_, g)| g).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    groups
}

/// A light English stem: plural and common endings off.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = word.strip_suffix(suffix)
            && s.chars().count() >= 3
        {
            return s.to_string();
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(id: i64, question: &str) -> GapRow {
        GapRow {
            id,
            conversation_id: id * 10,
            question: question.into(),
            reason: "out_of_scope".into(),
            created_at: 1000 - id,
        }
    }

    #[test]
    fn similar_questions_group_together() {
        let gaps = vec![
            gap(1, "Do you sell gift cards?"),
            gap(2, "Can I buy a gift card?"),
            gap(3, "Is there a student discount?"),
            gap(4, "gift cards available?"),
            gap(5, "Student discounts?"),
            gap(6, "Do you have a store in Berlin?"),
        ];
        let groups = group(&gaps);
        assert_eq!(groups.len(), 3, "{groups:#?}");
        assert_eq!(groups[0].count, 3);
        assert_eq!(groups[0].question, "Do you sell gift cards?");
        assert_eq!(groups[0].ids, vec![1, 2, 4]);
        assert_eq!(groups[0].examples[1], (20, "Can I buy a gift card?".into()));
        assert_eq!(groups[1].count, 2);
        assert_eq!(groups[2].count, 1);
    }
}
