//! Settings → Customer ratings: the feedback categories the widget offers with a rating.

use crate::app::error::AppError;
use leptos::prelude::*;

/// At most this many categories, each at most 30 characters.
const MAX_CATEGORIES: usize = 8;

/// Categories typed as one comma-separated line: trimmed, duplicates dropped.
pub fn parse_categories(line: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for c in line.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if c.chars().count() > 30 {
            return Err(format!("{c:?} is too long (30 characters at most)."));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
            out.push(c.to_string());
        }
    }
    if out.len() > MAX_CATEGORIES {
        return Err(format!("At most {MAX_CATEGORIES} categories."));
    }
    Ok(out)
}

#[server(prefix = "/api/admin")]
pub async fn rating_categories() -> Result<Vec<String>, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    operator_with(liaison_protocol::Role::Admin).await?;
    Ok(crate::server::db::ratings::categories(&state()?.db.read).await?)
}

#[server(prefix = "/api/admin")]
pub async fn save_rating_categories(categories: String) -> Result<(), AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    let me = operator_with(liaison_protocol::Role::Admin).await?;
    let list = parse_categories(&categories).map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::settings::put(
        tx.conn(),
        crate::server::db::ratings::CATEGORIES_KEY,
        &list,
        Some(me.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[component]
pub fn RatingSettings() -> impl IntoView {
    let save = ServerAction::<SaveRatingCategories>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| rating_categories());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Categories saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card">
            <h2>"Customer ratings"</h2>
            <p class="muted small">"After a conversation is resolved, the widget asks for 1–5 stars, these feedback categories and a comment."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let line = current.await.map(|c| c.join(", ")).unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="settings-form">
                            <label>"Feedback categories (comma-separated)"
                                <input type="text" name="categories" value=line/>
                            </label>
                            <button type="submit" class="secondary">"Save categories"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_categories;

    #[test]
    fn a_line_of_categories() {
        assert_eq!(
            parse_categories(" Fast, helpful ,, Fast, Friendly").unwrap(),
            ["Fast", "helpful", "Friendly"]
        );
        assert!(parse_categories(&"x".repeat(31)).is_err());
        assert!(parse_categories("a,b,c,d,e,f,g,h,i").is_err());
        assert!(parse_categories("").unwrap().is_empty());
    }
}
