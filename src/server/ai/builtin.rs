//! The built-in answerer, used when no LLM is configured and as the fallback when one fails:
//! the best knowledge-base passage, with its source as the citation.

use super::retrieval::{self, Passage};
use crate::server::db::Db;

/// The passage that answers `question`, if the knowledge base has one.
pub async fn answer(db: &Db, question: &str) -> Result<Option<Passage>, sqlx::Error> {
    retrieval::best_passage(&db.read, question).await
}
