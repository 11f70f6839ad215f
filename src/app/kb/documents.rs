//! The Documents page: add documents (upload, paste, URL) and watch them get processed live.

use super::api::{
    AddPastedDocument, AddUrlDocument, DeleteDocument, DocumentView, PublishDocument,
    ReprocessDocument, list_documents,
};
use super::{UPLOAD_PATH, size};
use crate::app::live::use_live;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use liaison_protocol::Event;

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let changed = use_live().changes(|e| matches!(e, Event::DocumentChanged { .. }));
    let paste = ServerAction::<AddPastedDocument>::new();
    let by_url = ServerAction::<AddUrlDocument>::new();
    let reprocess = ServerAction::<ReprocessDocument>::new();
    let delete = ServerAction::<DeleteDocument>::new();
    let publish = ServerAction::<PublishDocument>::new();
    let documents = crate::app::codec::resource(
        move || {
            (
                changed.get(),
                publish.version().get(),
                paste.version().get(),
                by_url.version().get(),
                reprocess.version().get(),
                delete.version().get(),
            )
        },
        |_| list_documents(),
    );
    let query = use_query_map();
    let upload_error = move || query.read().get("error");
    let action_error = move || {
        [
            paste.value().get().and_then(|r| r.err()),
            by_url.value().get().and_then(|r| r.err()),
            reprocess.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
            publish.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    view! {
        <div class="page documents-page">
            <header class="page-header">
                <h1>"Documents"</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        documents.await.ok().map(|d| view! {
                            <span class="stat" data-testid="documents-ready">{d.ready}" ready"</span>
                        })
                    })}
                </Transition>
            </header>
            <p class="muted">"The AI answers from these documents and the Help Center. Add Markdown, text, HTML or PDF files, paste text, or fetch a web page."</p>
            {move || upload_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || action_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="add-documents">
                <form class="card" method="post" enctype="multipart/form-data" action=UPLOAD_PATH>
                    <h2>"Upload"</h2>
                    <input type="file" name="file" multiple accept=".md,.markdown,.txt,.html,.htm,.pdf" required/>
                    <button type="submit" class="primary">"Upload"</button>
                </form>
                <ActionForm action=paste attr:class="card">
                    <h2>"Paste text"</h2>
                    <input type="text" name="title" placeholder="Title" required maxlength="200"/>
                    <textarea name="text" rows="4" placeholder="Paste text or Markdown" required></textarea>
                    <button type="submit" class="primary">"Add"</button>
                </ActionForm>
                <ActionForm action=by_url attr:class="card">
                    <h2>"From a URL"</h2>
                    <input type="url" name="url" placeholder="https://example.com/faq" required/>
                    <input type="text" name="title" placeholder="Title (optional)" maxlength="200"/>
                    <button type="submit" class="primary">"Fetch"</button>
                </ActionForm>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match documents.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(d) if d.documents.is_empty() => {
                            view! { <p class="empty">"No documents yet."</p> }.into_any()
                        }
                        Ok(d) => view! {
                            <table class="documents">
                                <thead>
                                    <tr><th>"Title"</th><th>"Source"</th><th>"Status"</th><th>"Passages"</th><th>"Public page"</th><th></th></tr>
                                </thead>
                                <tbody>
                                    {d.documents
                                        .into_iter()
                                        .map(|doc| view! { <DocumentRow doc reprocess delete publish/> })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DocumentRow(
    doc: DocumentView,
    reprocess: ServerAction<ReprocessDocument>,
    delete: ServerAction<DeleteDocument>,
    publish: ServerAction<PublishDocument>,
) -> impl IntoView {
    let id = doc.id;
    let published = doc.published;
    let source = match doc.source_kind.as_str() {
        "url" => view! { <a href=doc.source.clone() target="_blank" rel="noopener">{doc.source.clone()}</a> }.into_any(),
        _ => view! { <span>{format!("{} · {}", doc.source, size(doc.size))}</span> }.into_any(),
    };
    let status = doc.status.clone();
    view! {
        <tr data-document=id data-status=status.clone()>
            <td class="title">{doc.title.clone()}</td>
            <td class="source">{source}</td>
            <td>
                <span class=format!("doc-status doc-{status}")>{status.clone()}</span>
                {doc.error.clone().map(|e| view! { <div class="error small">{e}</div> })}
            </td>
            <td>{doc.chunk_count}</td>
            <td class="published">
                {published.then(|| view! {
                    <a href=format!("/help/documents/{id}") target="_blank" rel="noopener">"Public"</a>" · "
                })}
                <button class="link" data-testid="publish-document"
                    title="Documents are private until published: a published one has a public page, and the AI's citations link to it."
                    on:click=move |_| { publish.dispatch(PublishDocument { id, published: !published }); }>
                    {if published { "Make private" } else { "Publish" }}
                </button>
            </td>
            <td class="actions">
                <button class="link" on:click=move |_| { reprocess.dispatch(ReprocessDocument { id }); }>
                    "Re-process"
                </button>
                <button class="link danger" on:click=move |_| { delete.dispatch(DeleteDocument { id }); }>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
