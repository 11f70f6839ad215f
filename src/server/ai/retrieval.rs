//! Knowledge-base retrieval: SQLite FTS5 (BM25) candidates kept by term coverage, fused by
//! reciprocal rank with the nearest chunk embeddings. Terms, relevance and fusion are pure
//! functions; `hybrid_passages` and `relevant_passages` do the I/O.

use crate::server::db::Pool;
use crate::server::db::kb;

/// Reciprocal-rank fusion: each list adds 1/(60 + rank) to its items; best first.
pub fn fuse(lists: &[Vec<i64>]) -> Vec<i64> {
    let mut scores: Vec<(i64, f64)> = Vec::new();
    for list in lists {
        for (rank, id) in list.iter().enumerate() {
            let add = 1.0 / (60.0 + rank as f64 + 1.0);
            match scores.iter_mut().find(|(i, _)| i == id) {
                Some((_, s)) => *s += add,
                None => scores.push((*id, add)),
            }
        }
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scores.into_iter().map(|(id, _)| id).collect()
}

const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "hello", "hi", "how",
    "i", "if", "in", "into", "is", "it", "its", "me", "my", "need", "no", "not", "of", "on", "or",
    "our", "please", "should", "so", "some", "that", "the", "their", "there", "this", "to", "up",
    "us", "want", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with",
    "would", "you", "your", "thanks", "thank", "hey", "tell", "know", "there's", "i'm", "it's",
];

/// The words of a question worth searching for: lowercase, no stopwords, no duplicates.
pub fn search_terms(question: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in question
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
    {
        if word.chars().count() < 2 || STOPWORDS.contains(&word) || terms.iter().any(|t| t == word)
        {
            continue;
        }
        terms.push(word.to_string());
        if terms.len() == 12 {
            break;
        }
    }
    terms
}

/// A passage answers a question when it holds at least half of the question's terms that the
/// knowledge base knows at all (words it never uses, like "one more question", say nothing
/// about relevance), and at least a third of all its terms (so one shared word in a long
/// unrelated question is not an answer).
pub fn is_relevant(matched: usize, known: usize, total: usize) -> bool {
    matched > 0 && matched * 2 >= known && matched * 3 >= total
}

/// A passage that answers a question, with what to cite.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub title: String,
    /// Where the citation links: the Help Center article, the fetched URL, or the document's
    /// public page. Relative to the server for pages it serves.
    pub url: Option<String>,
    pub heading: String,
    pub body: String,
}

impl From<&kb::Hit> for Passage {
    fn from(hit: &kb::Hit) -> Passage {
        Passage {
            title: hit.title.clone(),
            url: citation_url(hit),
            heading: hit.heading.clone(),
            body: hit.body.clone(),
        }
    }
}

/// Where a citation of `hit` links.
pub fn citation_url(hit: &kb::Hit) -> Option<String> {
    if let Some(slug) = &hit.article_slug {
        return Some(format!("/help/{slug}"));
    }
    match (hit.source_kind.as_deref(), &hit.source, hit.document_id) {
        (Some("url"), Some(url), _) => Some(url.clone()),
        // A document's own page exists once it is published; before, the title alone.
        (_, _, Some(id)) if hit.document_published == Some(true) => {
            Some(format!("/help/documents/{id}"))
        }
        _ => None,
    }
}

/// Hybrid retrieval: the BM25 passages and, when the question has an embedding, the passages
/// nearest in meaning, fused by reciprocal rank. Without an embedding this is BM25 alone.
pub async fn hybrid_passages(
    db: &crate::server::db::Db,
    question: &str,
    embedding: Option<&[f32]>,
    k: usize,
) -> Result<Vec<Passage>, sqlx::Error> {
    let lexical = relevant_hits(&db.read, question, 20).await?;
    let Some(embedding) = embedding else {
        return Ok(lexical.iter().take(k).map(Passage::from).collect());
    };
    let near = db.vectors.nearest(&db.read, embedding, 20).await?;
    let near_ids: Vec<i64> = near.iter().map(|(id, _)| *id).collect();
    let mut hits = lexical.clone();
    for hit in kb::hits_by_ids(&db.read, &near_ids).await? {
        if !hits.iter().any(|h| h.chunk_id == hit.chunk_id) {
            hits.push(hit);
        }
    }
    let order = fuse(&[lexical.iter().map(|h| h.chunk_id).collect(), near_ids]);
    Ok(order
        .into_iter()
        .filter_map(|id| hits.iter().find(|h| h.chunk_id == id))
        .take(k)
        .map(Passage::from)
        .collect())
}

/// Up to `k` passages that answer `question`, best first; empty when nothing relevant is there.
///
/// Candidates come from one OR query ranked by BM25; each is then scored by how many distinct
/// terms it holds (one small FTS query per term), so a passage matching one common word of a
/// long question does not count as an answer.
pub async fn relevant_passages(
    pool: &Pool,
    question: &str,
    k: usize,
) -> Result<Vec<Passage>, sqlx::Error> {
    Ok(relevant_hits(pool, question, k)
        .await?
        .iter()
        .map(Passage::from)
        .collect())
}

async fn relevant_hits(pool: &Pool, question: &str, k: usize) -> Result<Vec<kb::Hit>, sqlx::Error> {
    let terms = search_terms(question);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = kb::search(pool, &terms, 20).await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let candidate_ids: Vec<i64> = candidates.iter().map(|c| c.chunk_id).collect();
    let mut matched = vec![0usize; candidates.len()];
    let mut known = 0;
    for term in &terms {
        let ids = kb::which_match(pool, term, &candidate_ids).await?;
        if !ids.is_empty() || kb::any_match(pool, term).await? {
            known += 1;
        }
        for (i, c) in candidates.iter().enumerate() {
            if ids.contains(&c.chunk_id) {
                matched[i] += 1;
            }
        }
    }
    // Most terms first; BM25 order (the candidates' order) breaks ties.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| matched[b].cmp(&matched[a]).then(a.cmp(&b)));
    Ok(order
        .into_iter()
        .filter(|&i| is_relevant(matched[i], known, terms.len()))
        .take(k)
        .map(|i| candidates[i].clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fusion_rewards_agreement() {
        // 7 is second in both lists; 1 and 9 are first in one only.
        let fused = fuse(&[vec![1, 7, 3], vec![9, 7]]);
        assert_eq!(fused[0], 7);
        assert_eq!(fused.len(), 4);
    }

    #[test]
    fn terms_drop_stopwords_and_duplicates() {
        assert_eq!(
            search_terms("How do I reset my password? Password!"),
            vec!["reset", "password"]
        );
        assert!(search_terms("hi, how are you?").is_empty());
    }

    #[test]
    fn relevance_counts_the_terms_the_knowledge_base_knows() {
        // "reset password": both known, both matched.
        assert!(is_relevant(2, 2, 2));
        // "one more question: do you ship to canada": 2 of 2 known, 2 of 5 in all.
        assert!(is_relevant(2, 2, 5));
        // Half of what is known is enough.
        assert!(is_relevant(1, 2, 2));
        // One known word among many: not an answer.
        assert!(!is_relevant(1, 1, 4));
        assert!(!is_relevant(1, 3, 3));
        assert!(!is_relevant(0, 0, 0));
        assert!(!is_relevant(0, 0, 3));
    }
}
