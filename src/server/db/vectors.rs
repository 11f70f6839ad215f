//! Chunk embeddings held in memory for hybrid retrieval: loaded once, reloaded when the stored set
//! changes (the trigger-kept `kb_generation` counter), searched by cosine similarity.

use super::Pool;
use crate::server::kb::chunk::{MIN_SIMILARITY, cosine, from_blob};
use std::sync::Arc;
use tokio::sync::RwLock;

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
        pool: &Pool,
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

    async fn load(&self, pool: &Pool) -> Result<Arc<Vec<(i64, Vec<f32>)>>, sqlx::Error> {
        let generation = super::kb::generation(pool).await?;
        {
            let cached = self.inner.read().await;
            if cached.generation == Some(generation) {
                return Ok(cached.vectors.clone());
            }
        }
        let rows = super::kb::embeddings(pool).await?;
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
