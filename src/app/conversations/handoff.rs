//! Handoff in the panel: Transfer and Delegate (a form: operator, optional reason), and the
//! alert a pending delegation shows its target (Accept / Reject) and its sender (waiting).

use super::api::{AnswerDelegation, HandOff, teammates};
use leptos::prelude::*;
use liaison_protocol::ConversationSummary;
use liaison_protocol::handoff::MAX_REASON_CHARS;

/// The Transfer / Delegate buttons and the form they open.
#[component]
pub fn HandoffControls(
    conversation: RwSignal<ConversationSummary>,
    me: i64,
    reassigns: bool,
    action: ServerAction<HandOff>,
) -> impl IntoView {
    let id = conversation.get_untracked().id;
    // Which form is open: Some(true) delegate, Some(false) transfer.
    let open = RwSignal::new(None::<bool>);
    let c = move || conversation.get();
    let holds = move || c().assignee_id == Some(me);
    let can_transfer = move || !c().status.is_closed() && (holds() || reassigns);
    let can_delegate = move || holds() && c().delegation.is_none() && !c().status.is_closed();
    // Close the form once the server accepted it.
    Effect::new(move |first: Option<()>| {
        if let (Some(()), Some(Ok(_))) = (first, action.value().get()) {
            open.set(None);
        }
    });
    view! {
        <Show when=can_transfer>
            <button class="secondary" on:click=move |_| open.set(Some(false))>"Transfer"</button>
        </Show>
        <Show when=can_delegate>
            <button class="secondary" on:click=move |_| open.set(Some(true))>"Delegate"</button>
        </Show>
        {move || open.get().map(|delegate| view! { <HandoffForm id delegate open action/> })}
    }
}

#[component]
fn HandoffForm(
    id: i64,
    delegate: bool,
    open: RwSignal<Option<bool>>,
    action: ServerAction<HandOff>,
) -> impl IntoView {
    let people = LocalResource::new(teammates);
    let to = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let length = move || reason.with(|r| r.chars().count());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(to) = to.get_untracked().parse::<i64>() else {
            return;
        };
        action.dispatch(HandOff {
            id,
            to,
            delegate,
            reason: reason.get_untracked(),
        });
    };
    let (title, verb) = if delegate {
        (
            "Delegate: ask another operator to take over",
            "Send request",
        )
    } else {
        ("Transfer: reassign now", "Transfer")
    };
    view! {
        <form class="handoff-form" on:submit=submit aria-label=title>
            <strong>{title}</strong>
            <Suspense fallback=|| view! { <span class="muted">"Loading operators…"</span> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(list) => view! {
                            <select name="to" required aria-label="Operator"
                                on:change=move |ev| to.set(event_target_value(&ev))>
                                <option value="" selected>"Choose an operator"</option>
                                {list.into_iter().map(|t| {
                                    let label = format!("{} — {}", t.name, if t.online { "online" } else { "away" });
                                    view! { <option value=t.id.to_string()>{label}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <textarea name="reason" rows="2" placeholder="Reason (optional)" aria-label="Reason"
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <span class={move || if length() > MAX_REASON_CHARS { "small error" } else { "small muted" }}>
                {move || format!("{}/{MAX_REASON_CHARS}", length())}
            </span>
            <div class="row">
                <button type="submit" class="primary" disabled=move || to.with(String::is_empty)>{verb}</button>
                <button type="button" class="link" on:click=move |_| open.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// A pending delegation: Accept / Reject for its target, "waiting" for everyone else.
#[component]
pub fn DelegationAlert(
    conversation: RwSignal<ConversationSummary>,
    me: i64,
    answer: ServerAction<AnswerDelegation>,
) -> impl IntoView {
    let id = conversation.get_untracked().id;
    move || {
        let c = conversation.get();
        let d = c.delegation?;
        let reason = d
            .reason
            .clone()
            .map(|r| view! { <p class="reason">"Reason: "{r}</p> });
        let from = c.assignee_name.unwrap_or_else(|| "Another operator".into());
        Some(if d.to_id == me {
            view! {
                <div class="delegation-alert" role="alert">
                    <p><strong>{from}</strong>" asks you to take over this conversation."</p>
                    {reason}
                    <button class="primary" on:click=move |_| { answer.dispatch(AnswerDelegation { id, accept: true }); }>"Accept"</button>
                    <button class="secondary" on:click=move |_| { answer.dispatch(AnswerDelegation { id, accept: false }); }>"Reject"</button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="delegation-alert pending">
                    <p>"Waiting for "<strong>{d.to_name}</strong>" to accept the delegation."</p>
                    {reason}
                </div>
            }
            .into_any()
        })
    }
}
