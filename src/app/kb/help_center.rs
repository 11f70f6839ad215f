//! The Help Center page: write and publish articles. Published ones are public at /help/{slug},
//! part of the knowledge base, and what AI citations link to.

use super::api::{ArticleView, DeleteArticle, SaveArticle, list_articles};
use leptos::prelude::*;

#[component]
pub fn HelpCenterPage() -> impl IntoView {
    let save = ServerAction::<SaveArticle>::new();
    let delete = ServerAction::<DeleteArticle>::new();
    let articles = crate::app::codec::resource(
        move || (save.version().get(), delete.version().get()),
        |_| list_articles(),
    );
    let editing = RwSignal::new(None::<ArticleView>);
    // A saved edit closes the editor.
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
        }
    });
    let error = move || {
        [
            save.value().get(),
            delete.value().get().map(|r| r.map(|_| 0)),
        ]
        .into_iter()
        .flatten()
        .find_map(|r| r.err())
        .map(|e| e.to_string())
    };
    view! {
        <div class="page help-center-page">
            <header class="page-header">
                <h1>"Help Center"</h1>
                <a href="/help" target="_blank" rel="noopener">"Open the public Help Center ↗"</a>
            </header>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                let a = editing.get();
                let heading = if a.is_some() { "Edit article" } else { "New article" };
                let a = a.unwrap_or(ArticleView {
                    id: 0,
                    title: String::new(),
                    slug: String::new(),
                    body: String::new(),
                    published: true,
                    updated_at: 0,
                });
                let id = if a.id == 0 { String::new() } else { a.id.to_string() };
                view! {
                    <ActionForm action=save attr:class="card article-form">
                        <h2>{heading}</h2>
                        <input type="hidden" name="id" value=id/>
                        <input type="text" name="title" placeholder="Title" required maxlength="200" value=a.title/>
                        <textarea name="body" rows="8" placeholder="Write in Markdown" required>{a.body}</textarea>
                        <label class="inline">
                            <input type="checkbox" name="published" value="on" checked=a.published/>
                            " Published"
                        </label>
                        <button type="submit" class="primary">"Save article"</button>
                    </ActionForm>
                }
            }}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match articles.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No articles yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="articles">
                                {list.into_iter().map(|a| {
                                    let id = a.id;
                                    let href = format!("/help/{}", a.slug);
                                    let for_edit = a.clone();
                                    view! {
                                        <li data-article=id>
                                            <a href=href target="_blank" rel="noopener">{a.title.clone()}</a>
                                            {(!a.published).then(|| view! { <span class="badge muted">"Draft"</span> })}
                                            <button class="link" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                                            <button class="link danger" on:click=move |_| { delete.dispatch(DeleteArticle { id }); }>"Delete"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
