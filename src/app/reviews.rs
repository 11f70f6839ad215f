//! The Reviews page (`/reviews`, Admin and Owner): customers' ratings newest first, filtered by
//! stars, each with its categories, comment and conversation.

use crate::app::error::AppError;
use crate::app::format;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use liaison_protocol::rating::Review;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub rows: Vec<Review>,
    pub older: Option<i64>,
}

#[server(prefix = "/api/admin")]
pub async fn list_reviews(stars: Option<u8>, before: Option<i64>) -> Result<ReviewPage, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    operator_with(liaison_protocol::Role::Admin).await?;
    if stars.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(AppError::Invalid("Filter by 1 to 5 stars.".into()).respond());
    }
    let mut rows =
        crate::server::db::ratings::reviews(&state()?.db.read, stars, before, PAGE_SIZE + 1)
            .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(ReviewPage {
        older: more
            .then(|| rows.last().map(|r| r.conversation_id))
            .flatten(),
        rows,
    })
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let stars = Memo::new(move |_| query.read().get("stars").and_then(|s| s.parse::<u8>().ok()));
    let before = Memo::new(move |_| query.read().get("before").and_then(|b| b.parse().ok()));
    let page = crate::app::codec::resource(
        move || (stars.get(), before.get()),
        |(s, b)| list_reviews(s, b),
    );
    let filter = move |n: Option<u8>, label: String| {
        let href = n.map_or("/reviews".to_string(), |n| format!("/reviews?stars={n}"));
        view! {
            <A href=href attr:class=move || if stars.get() == n { "tab active" } else { "tab" }>{label}</A>
        }
    };
    view! {
        <div class="page reviews-page">
            <header class="page-header"><h1>"Reviews"</h1></header>
            <nav class="tabs" aria-label="Stars">
                {filter(None, "All".into())}
                {(1..=5u8).rev().map(|n| filter(Some(n), liaison_protocol::rating::stars(n))).collect_view()}
            </nav>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(p) if p.rows.is_empty() => view! {
                            <p class="muted empty">"No ratings yet. Customers rate a conversation once it is resolved."</p>
                        }.into_any(),
                        Ok(p) => {
                            let older = p.older.map(|b| {
                                let s = stars.get_untracked().map(|s| format!("stars={s}&")).unwrap_or_default();
                                view! { <A href=format!("/reviews?{s}before={b}") attr:class="page-link">"Older →"</A> }
                            });
                            view! {
                                <ul class="reviews">
                                    {p.rows.into_iter().map(|r| view! {
                                        <li class="review card" data-conversation=r.conversation_id>
                                            <span class="rating" title=format!("Rated {} of 5", r.rating.stars)>
                                                {liaison_protocol::rating::stars(r.rating.stars)}
                                            </span>
                                            " "<A href=format!("/conversations?c={}", r.conversation_id)>{r.visitor}</A>
                                            {r.resolved_by.map(|b| view! { <span class="muted small">" · resolved by "{b}</span> })}
                                            {r.rated_at.map(|t| view! { <span class="muted small">" · "{format::date_time(t)}</span> })}
                                            <div class="categories">
                                                {r.rating.categories.into_iter().map(|c| view! { <span class="chip">{c}</span> }).collect_view()}
                                            </div>
                                            {r.rating.comment.map(|c| view! { <blockquote class="comment">{c}</blockquote> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {older}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
