//! Quick replies in Settings (Admin and Owner: add, edit, delete) and the list every operator's
//! composer reads for its `/` menu.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::quick_reply::QuickReply;

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator, operator_with, state};

/// Every quick reply, by shortcut (any operator: the composer's menu).
#[server]
pub async fn quick_replies() -> Result<Vec<QuickReply>, AppError> {
    operator().await?;
    Ok(crate::server::db::quick_replies::list(&state()?.db.read).await?)
}

/// Adds a quick reply (`id` empty) or changes one.
#[server(prefix = "/api/admin")]
pub async fn save_quick_reply(
    id: Option<i64>,
    title: String,
    shortcut: String,
    body: String,
) -> Result<(), AppError> {
    operator_with(liaison_protocol::Role::Admin).await?;
    let (title, shortcut, body) = liaison_protocol::quick_reply::validate(&title, &shortcut, &body)
        .map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    let saved =
        crate::server::db::quick_replies::save(tx.conn(), id, title, &shortcut, body).await?;
    if !saved {
        return Err(
            AppError::Invalid(format!("The shortcut /{shortcut} is already used.")).respond(),
        );
    }
    tx.commit().await?;
    Ok(())
}

#[server(prefix = "/api/admin")]
pub async fn delete_quick_reply(id: i64) -> Result<(), AppError> {
    operator_with(liaison_protocol::Role::Admin).await?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::quick_replies::delete(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The Settings section: the list, each editable in place, and a form to add one.
#[component]
pub fn QuickRepliesSettings() -> impl IntoView {
    let save = ServerAction::<SaveQuickReply>::new();
    let delete = ServerAction::<DeleteQuickReply>::new();
    let list = crate::app::codec::resource(
        move || (save.version().get(), delete.version().get()),
        |_| quick_replies(),
    );
    let outcome = move || match (save.value().get(), delete.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => {
            Some(view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any())
        }
        (Some(Ok(())), _) => {
            Some(view! { <p class="notice" role="status">"Quick reply saved."</p> }.into_any())
        }
        _ => None,
    };
    view! {
        <section class="card quick-replies">
            <h2>"Quick replies"</h2>
            <p class="muted small">"Operators type / in the reply box to insert one: /shortcut filters the list, arrows and Enter insert."</p>
            {outcome}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(replies) => view! {
                            <ul class="quick-reply-list">
                                {replies.into_iter().map(|r| {
                                    let QuickReply { id, title, shortcut, body } = r;
                                    let marker = shortcut.clone();
                                    view! {
                                        <li class="quick-reply" data-shortcut=marker>
                                            <ActionForm action=save attr:class="quick-reply-form">
                                                <input type="hidden" name="id" value=id.to_string()/>
                                                <input type="text" name="shortcut" value=shortcut aria-label="Shortcut" required/>
                                                <input type="text" name="title" value=title aria-label="Title" required/>
                                                <textarea name="body" rows="2" aria-label="Text" required>{body}</textarea>
                                                <button type="submit" class="secondary">"Save"</button>
                                            </ActionForm>
                                            <ActionForm action=delete>
                                                <input type="hidden" name="id" value=id.to_string()/>
                                                <button type="submit" class="link danger">"Delete"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=save attr:class="quick-reply-form new">
                <input type="text" name="shortcut" placeholder="shortcut, e.g. refund" aria-label="New shortcut" required/>
                <input type="text" name="title" placeholder="Title" aria-label="New title" required/>
                <textarea name="body" rows="2" placeholder="The reply" aria-label="New text" required></textarea>
                <button type="submit" class="primary">"Add quick reply"</button>
            </ActionForm>
        </section>
    }
}
