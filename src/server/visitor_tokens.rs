//! Visitor tokens: the widget's credential. The database keeps only their SHA-256; which visitor
//! a token belongs to never changes, so it is remembered in memory after the first lookup and a
//! widget request costs no database read to authenticate. (When visitors can be deleted, the
//! deletion must forget their token here too.)

use crate::server::db;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Tokens remembered: about 100 bytes each, so a few MiB at most.
const REMEMBERED: usize = 50_000;

/// A token's stored form.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token for a new visitor.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Which visitor a token belongs to. Cloning shares the memory.
#[derive(Clone)]
pub struct VisitorTokens {
    known: Arc<Cache<String, i64>>,
}

impl Default for VisitorTokens {
    fn default() -> Self {
        VisitorTokens {
            known: Arc::new(Cache::new(REMEMBERED)),
        }
    }
}

impl VisitorTokens {
    /// The visitor whose token this is, or `None` for a token nobody was given.
    pub async fn visitor(&self, db: &db::Db, token: &str) -> Result<Option<i64>, sqlx::Error> {
        let hash = hash(token);
        if let Some(id) = self.known.get(&hash) {
            return Ok(Some(id));
        }
        let found = db::visitors::find_by_token_hash(&db.read, &hash).await?;
        if let Some(v) = &found {
            self.known.insert(hash, v.id);
        }
        Ok(found.map(|v| v.id))
    }

    /// Remembers a token just given out, by its hash.
    pub fn remember(&self, token_hash: String, visitor_id: i64) {
        self.known.insert(token_hash, visitor_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), a);
        assert_ne!(hash(&a), hash(&b));
    }
}
