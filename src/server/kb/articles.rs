//! Help Center articles: written in the dashboard, chunked like documents, published at
//! `/help/{slug}`.

use crate::server::db::{self, Db};
use crate::server::kb::chunk::chunk_markdown;
use crate::server::kb::documents::DocumentError;

/// A URL-safe slug from a title: "Can I pay by invoice?" -> "can-i-pay-by-invoice".
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug
        .trim_end_matches('-')
        .chars()
        .take(80)
        .collect::<String>();
    if slug.is_empty() {
        "article".into()
    } else {
        slug
    }
}

pub struct ArticleInput<'a> {
    pub id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub published: bool,
}

fn check(input: &ArticleInput<'_>) -> Result<(String, String), DocumentError> {
    let title = input.title.trim();
    let body = input.body.trim();
    if title.is_empty() {
        return Err(DocumentError::Invalid("A title is required.".into()));
    }
    if title.chars().count() > 200 {
        return Err(DocumentError::Invalid(
            "The title is too long (200 characters at most).".into(),
        ));
    }
    if body.is_empty() {
        return Err(DocumentError::Invalid(
            "The article needs some text.".into(),
        ));
    }
    if body.len() > 200_000 {
        return Err(DocumentError::Invalid(
            "The article is too long (200 KB at most).".into(),
        ));
    }
    Ok((title.to_string(), body.to_string()))
}

/// Creates or updates an article and its passages; returns its id.
pub async fn save_article(db: &Db, input: ArticleInput<'_>) -> Result<i64, DocumentError> {
    let (title, body) = check(&input)?;
    let chunks = chunk_markdown(&title, &body);
    let mut tx = db.write().await?;
    let id = match input.id {
        Some(id) => {
            if !db::kb::update_article(tx.conn(), id, &title, &body, input.published, &chunks)
                .await?
            {
                return Err(DocumentError::NotFound);
            }
            id
        }
        None => {
            let base = slugify(&title);
            let mut slug = base.clone();
            let mut n = 2;
            while db::kb::slug_taken(tx.conn(), &slug, None).await? {
                slug = format!("{base}-{n}");
                n += 1;
            }
            db::kb::insert_article(tx.conn(), &title, &slug, &body, input.published, &chunks)
                .await?
        }
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_article(db: &Db, id: i64) -> Result<(), DocumentError> {
    let mut tx = db.write().await?;
    if !db::kb::delete_article(tx.conn(), id).await? {
        return Err(DocumentError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Can I pay by invoice?"), "can-i-pay-by-invoice");
        assert_eq!(slugify("  Ünïcode & more!! "), "n-code-more");
        assert_eq!(slugify("???"), "article");
    }
}
