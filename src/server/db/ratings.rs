//! Ratings on conversations (stars in 0012's `rating`, the rest in 0021) and the Reviews list:
//! rated conversations newest first, all or with a number of stars, on partial indexes.

use super::{Conn, Pool, on};
use crate::server::now_ms;
use liaison_protocol::rating::{DEFAULT_CATEGORIES, Rating, Review};

/// The settings key of the feedback categories offered with a rating.
pub const CATEGORIES_KEY: &str = "rating_categories";

/// The feedback categories on offer: Settings' list, else the defaults.
pub async fn categories(pool: &Pool) -> Result<Vec<String>, sqlx::Error> {
    Ok(super::settings::get::<Vec<String>>(pool, CATEGORIES_KEY)
        .await?
        .unwrap_or_else(|| DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()))
}

pub async fn set(mut conn: Conn<'_>, conversation_id: i64, r: &Rating) -> Result<(), sqlx::Error> {
    let categories = serde_json::to_string(&r.categories).expect("categories serialize");
    on!(conn, |c| sqlx::query(
        "UPDATE conversations SET rating = $1, rating_categories = $2, rating_comment = $3,
            rated_at = $4 WHERE id = $5"
    )
    .bind(i64::from(r.stars))
    .bind(&categories)
    .bind(&r.comment)
    .bind(now_ms())
    .bind(conversation_id)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    rating: i64,
    rating_categories: Option<String>,
    rating_comment: Option<String>,
    rated_at: Option<i64>,
    visitor_id: i64,
    visitor_name: Option<String>,
    resolved_by_name: Option<String>,
}

impl Row {
    fn rating(&self) -> Rating {
        Rating {
            stars: u8::try_from(self.rating).unwrap_or(0),
            categories: self
                .rating_categories
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default(),
            comment: self.rating_comment.clone(),
        }
    }
}

/// The full rating of one conversation, if it was rated.
pub async fn find(pool: &Pool, conversation_id: i64) -> Result<Option<Rating>, sqlx::Error> {
    let row: Option<Row> = on!(pool, |p| sqlx::query_as(&format!(
        "{SELECT} WHERE c.id = $1 AND c.rating IS NOT NULL"
    ))
    .bind(conversation_id)
    .fetch_optional(p)
    .await)?;
    Ok(row.map(|r| r.rating()))
}

const SELECT: &str = "SELECT c.id, c.rating, c.rating_categories, c.rating_comment, c.rated_at,
        c.visitor_id, v.name AS visitor_name, u.name AS resolved_by_name
    FROM conversations c JOIN visitors v ON v.id = c.visitor_id
    LEFT JOIN users u ON u.id = c.resolved_by";

/// Rated conversations older than `before`, newest first; only those with `stars` when given.
pub async fn reviews(
    pool: &Pool,
    stars: Option<u8>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Review>, sqlx::Error> {
    // Spelled as the partial indexes are, so each filter is an index range.
    let by_stars = match stars {
        Some(_) => "c.rating = $2",
        None => "CAST($2 AS BIGINT) IS NULL",
    };
    let sql = format!(
        "{SELECT} WHERE c.rating IS NOT NULL AND {by_stars} AND c.id < $1
         ORDER BY c.id DESC LIMIT $3"
    );
    let rows: Vec<Row> = on!(pool, |p| sqlx::query_as(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(stars.map(i64::from))
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(rows
        .iter()
        .map(|r| Review {
            conversation_id: r.id,
            visitor: super::conversations::visitor_label(
                r.visitor_id,
                r.visitor_name.as_deref(),
                None,
            ),
            rating: r.rating(),
            rated_at: r.rated_at,
            resolved_by: r.resolved_by_name.clone(),
        })
        .collect())
}
