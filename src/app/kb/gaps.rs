//! Knowledge Gaps: questions the AI could not answer, grouped, with counts and example
//! conversations. "Answer with an article" turns a group into a Help Center article and closes it.

use super::api::{AnswerGaps, GapGroupView, list_gaps};
use crate::app::live::use_live;
use leptos::prelude::*;
use liaison_protocol::Event;

#[component]
pub fn KnowledgeGapsPage() -> impl IntoView {
    // Gaps are recorded when the AI hands a conversation over.
    let changed = use_live().changes(|e| matches!(e, Event::StatusChanged { .. }));
    let answer = ServerAction::<AnswerGaps>::new();
    let gaps = crate::app::codec::resource(
        move || (changed.get(), answer.version().get()),
        |_| list_gaps(),
    );
    let error = move || {
        answer
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <div class="page gaps-page">
            <header class="page-header"><h1>"Knowledge Gaps"</h1></header>
            <p class="muted">"Questions that went to a human because the knowledge base had no answer, or whose answers did not help. Answer a group with an article and the AI can answer it next time."</p>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match gaps.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(groups) if groups.is_empty() => view! {
                            <p class="empty">"No open knowledge gaps. The AI answered everything it was asked."</p>
                        }.into_any(),
                        Ok(groups) => view! {
                            <ul class="gap-groups">
                                {groups.into_iter().map(|g| view! { <GapGroup group=g answer/> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn GapGroup(group: GapGroupView, answer: ServerAction<AnswerGaps>) -> impl IntoView {
    let open = RwSignal::new(false);
    let GapGroupView {
        question,
        count,
        ids,
        examples,
        out_of_scope,
        ..
    } = group;
    let title = question.clone();
    view! {
        <li class="gap-group card" data-gap-count=count>
            <div class="gap-head">
                <span class="gap-count" title="Times asked">{count}"×"</span>
                <span class="gap-question">{question}</span>
                <span class="muted small">
                    {if out_of_scope == count { "out of scope".to_string() } else { format!("{out_of_scope} out of scope, {} unhelpful", count - out_of_scope) }}
                </span>
            </div>
            <ul class="gap-examples">
                {examples.into_iter().map(|(conversation, text)| view! {
                    <li><a href=format!("/conversations?c={conversation}")>{text}</a></li>
                }).collect_view()}
            </ul>
            <button class="link" on:click=move |_| open.update(|o| *o = !*o)>"Answer with an article"</button>
            {move || open.get().then(|| {
                let (ids, title) = (ids.clone(), title.clone());
                view! {
                <ActionForm action=answer attr:class="answer-gap">
                    <input type="hidden" name="ids" value=ids/>
                    <input type="text" name="title" required maxlength="200" value=title/>
                    <textarea name="body" rows="5" required placeholder="The answer, in Markdown"></textarea>
                    <button type="submit" class="primary">"Publish and close"</button>
                </ActionForm>
            }})}
        </li>
    }
}
