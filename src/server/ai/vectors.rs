//! Vector similarity for hybrid retrieval: chunk embeddings held in memory (loaded once, reloaded
//! when the stored set changes), cosine similarity, and reciprocal-rank fusion with BM25.

use crate::server::db::documents::from_blob;
use sqlx::SqlitePool;
use std::sync::Arc;
use tokio::sync::RwLock;

/// Below this cosine similarity a passage is not taken as relevant on meaning alone.
pub const MIN_SIMILARITY: f32 = 0.45;

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

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

/// The stored embeddings, cached per database.
#[derive(Clone, Default)]
pub struct VectorCache {
    inner: Arc<RwLock<Cached>>,
}

#[derive(Default)]
struct Cached {
    /// `kb_generation.n` when loaded; None before the first load.
    generation: Option<i64>,
    vectors: Arc<Vec<(i64, Vec<f32>)>>,
}

impl VectorCache {
    /// The `limit` chunks most similar to `query` at or above [`MIN_SIMILARITY`], best first.
    pub async fn nearest(
        &self,
        pool: &SqlitePool,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<(i64, f32)>, sqlx::Error> {
        let vectors = self.load(pool).await?;
        let mut scored: Vec<(i64, f32)> = vectors
            .iter()
            .map(|(id, v)| (*id, cosine(query, v)))
            .filter(|(_, s)| *s >= MIN_SIMILARITY)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(limit);
        Ok(scored)
    }

    async fn load(&self, pool: &SqlitePool) -> Result<Arc<Vec<(i64, Vec<f32>)>>, sqlx::Error> {
        let generation: i64 = sqlx::query_scalar("SELECT n FROM kb_generation WHERE id = 1")
            .fetch_one(pool)
            .await?;
        {
            let cached = self.inner.read().await;
            if cached.generation == Some(generation) {
                return Ok(cached.vectors.clone());
            }
        }
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT id, embedding FROM kb_chunks WHERE embedding IS NOT NULL")
                .fetch_all(pool)
                .await?;
        let vectors = Arc::new(
            rows.into_iter()
                .map(|(id, blob)| (id, from_blob(&blob)))
                .collect::<Vec<_>>(),
        );
        *self.inner.write().await = Cached {
            generation: Some(generation),
            vectors: vectors.clone(),
        };
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_similarity() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert_eq!(cosine(&[], &[]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn fusion_rewards_agreement() {
        // 7 is second in both lists; 1 and 9 are first in one only.
        let fused = fuse(&[vec![1, 7, 3], vec![9, 7]]);
        assert_eq!(fused[0], 7);
        assert_eq!(fused.len(), 4);
    }
}
