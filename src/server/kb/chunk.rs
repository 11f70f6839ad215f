//! The knowledge base's unit of retrieval: a passage with the heading it sits under, made from
//! articles and documents alike, and its embedding as stored. Pure: no I/O here, so the database
//! layer and retrieval both depend on it and not on each other.

/// A passage of an article, kept with the heading it sits under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub heading: String,
    pub body: String,
}

/// Splits a Markdown article into passages: one per paragraph, each carrying the nearest heading
/// above it (or the title), so a passage makes sense on its own and its heading is searchable.
pub fn chunk_markdown(title: &str, markdown: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut heading = title.to_string();
    for block in markdown.split("\n\n") {
        let block = block.trim();
        if block.is_empty() {
            continue;
        }
        if let Some(h) = block.strip_prefix('#') {
            let mut lines = block.lines();
            let first = lines.next().unwrap_or(h);
            heading = first.trim_start_matches('#').trim().to_string();
            let rest = lines.collect::<Vec<_>>().join("\n");
            if !rest.trim().is_empty() {
                chunks.push(Chunk {
                    heading: heading.clone(),
                    body: rest.trim().to_string(),
                });
            }
            continue;
        }
        chunks.push(Chunk {
            heading: heading.clone(),
            body: block.to_string(),
        });
    }
    chunks
}

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

pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_their_heading() {
        let md = "Intro line.\n\n## Resetting your password\n\nOpen Settings.\n\nClick Reset.\n\n# Billing\nWe bill monthly.";
        let chunks = chunk_markdown("Account help", md);
        assert_eq!(
            chunks,
            vec![
                Chunk {
                    heading: "Account help".into(),
                    body: "Intro line.".into()
                },
                Chunk {
                    heading: "Resetting your password".into(),
                    body: "Open Settings.".into()
                },
                Chunk {
                    heading: "Resetting your password".into(),
                    body: "Click Reset.".into()
                },
                Chunk {
                    heading: "Billing".into(),
                    body: "We bill monthly.".into()
                },
            ]
        );
    }

    #[test]
    fn cosine_similarity() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert_eq!(cosine(&[], &[]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn embeddings_round_trip_through_blobs() {
        let v = vec![0.5f32, -1.25, 3.0];
        assert_eq!(from_blob(&to_blob(&v)), v);
    }
}
