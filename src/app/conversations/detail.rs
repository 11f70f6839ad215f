//! The detail panel: thread, visitor metadata, join/lock, composer, escalate and resolve.

use super::api::{
    AnswerDelegation, Detail, EscalateConversation, HandOff, JoinConversation, LeaveConversation,
    ResolveConversation, SendReply, copilot_drafts, get_conversation,
};
use super::composer::{Composer, ComposerState};
use super::handoff::{DelegationAlert, HandoffControls};
use super::list::status_class;
use super::rich;
use super::whatsapp_window;
use crate::app::error::AppError;
use crate::app::live::use_live;
use leptos::prelude::*;
use liaison_protocol::whatsapp_webhook::window_closes_at;
use liaison_protocol::{
    ConversationStatus, ConversationSummary, Event, Message, MessageKind, Sender,
};

#[component]
pub fn ConversationDetail(id: i64) -> impl IntoView {
    let live = use_live();
    let join = ServerAction::<JoinConversation>::new();
    let leave = ServerAction::<LeaveConversation>::new();
    let send = ServerAction::<SendReply>::new();
    let escalate = ServerAction::<EscalateConversation>::new();
    let resolve = ServerAction::<ResolveConversation>::new();
    let hand_off = ServerAction::<HandOff>::new();
    let answer = ServerAction::<AnswerDelegation>::new();
    // Read once; events patch it from there (the actions above come back as events too).
    let detail =
        crate::app::codec::resource(move || live.refetch.get(), move |_| get_conversation(id));
    // The last action's refusal, e.g. "Locked by another agent" (a refused reply is said by
    // the composer, beside its text).
    let action_error = move || {
        let refused = |v: Option<Result<_, AppError>>| v.and_then(Result::err);
        [
            refused(join.value().get()),
            refused(leave.value().get()),
            refused(escalate.value().get()),
            refused(resolve.value().get()),
            refused(hand_off.value().get()),
            refused(answer.value().get()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    // Mirrored into a signal by an effect (browser only), so the composer outside the
    // Transition never reads the resource during server rendering.
    let composer = RwSignal::new(ComposerState::NotHolder);
    // The reply being written; Copilot's "Insert" puts a draft here.
    let draft = RwSignal::new(String::new());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(d) => {
                        let conversation = RwSignal::new(d.conversation.clone());
                        let messages = RwSignal::new(d.messages.clone());
                        let rating = RwSignal::new(d.rating.clone());
                        let whatsapp = d.whatsapp.clone();
                        // A browser's details mean nothing for a customer on WhatsApp: the bar says who they are.
                        let metadata = whatsapp.is_none().then(|| view! { <Metadata d=d.clone()/> });
                        // When WhatsApp's window closes: 24 hours after the customer's last message.
                        let closes_at = RwSignal::new(whatsapp.as_ref().map(|w| w.window_closes_at));
                        let (me, reassigns) = (d.me, d.reassigns);
                        live.follow(d.cursor, move |_, event| match event {
                            Event::ConversationUpdated { conversation: c, .. } if c.id == id => {
                                conversation.set((**c).clone());
                            }
                            Event::Rated { conversation_id, rating: r } if *conversation_id == id => {
                                rating.set(Some(r.clone()));
                            }
                            Event::MessageCreated { message } if message.conversation_id == id => {
                                if message.sender == Sender::Customer && closes_at.get_untracked().is_some() {
                                    closes_at.set(Some(window_closes_at(Some(message.created_at))));
                                }
                                messages.update(|list| {
                                    if !list.iter().any(|m| m.id == message.id) {
                                        list.push(message.clone());
                                    }
                                });
                            }
                            Event::MessageDelivery { conversation_id, message_id, delivery, error }
                                if *conversation_id == id =>
                            {
                                messages.update(|list| {
                                    if let Some(m) = list.iter_mut().find(|m| m.id == *message_id) {
                                        m.delivery = Some(*delivery);
                                        m.delivery_error = error.clone();
                                    }
                                });
                            }
                            _ => {}
                        });
                        // The answers to this operator's own actions patch the panel too, so it
                        // is right even while the stream reconnects.
                        // Answers from before this load are older than it: only new ones count.
                        let answers = [
                            join.value(),
                            leave.value(),
                            escalate.value(),
                            resolve.value(),
                            hand_off.value(),
                            answer.value(),
                        ];
                        for value in answers {
                            Effect::new(move |first: Option<()>| {
                                if let (Some(()), Some(Ok(c))) = (first, value.get()) {
                                    conversation.set(c);
                                }
                            });
                        }
                        Effect::new(move |first: Option<()>| {
                            if let (Some(()), Some(Ok(m))) = (first, send.value().get()) {
                                messages.update(|list| {
                                    if !list.iter().any(|x| x.id == m.id) {
                                        list.push(m);
                                    }
                                });
                            }
                        });
                        let tick = live.tick;
                        let window_closed = move || {
                            tick.track();
                            closes_at.get().is_some_and(|at| at <= crate::app::format::clock_ms())
                        };
                        Effect::new(move |_| {
                            let state = ComposerState::of(&conversation.get(), me);
                            composer.set(if state == ComposerState::Active && window_closed() {
                                ComposerState::WindowClosed
                            } else {
                                state
                            });
                        });
                        view! {
                            <article class="detail" data-conversation=id>
                                <Header conversation me join leave escalate resolve>
                                    <HandoffControls conversation me reassigns action=hand_off/>
                                    <crate::app::leads::CaptureLead conversation_id=id/>
                                    <crate::app::tickets::ConversationTickets conversation_id=id
                                        subject=messages.with_untracked(|m| conversation.with_untracked(|c| crate::app::tickets::subject_for(c, m)))/>
                                </Header>
                                <Show when=move || action_error().is_some()>
                                    <p class="error" role="alert">{action_error}</p>
                                </Show>
                                <super::presence::Presence id me/>
                                <DelegationAlert conversation me answer/>
                                {move || rating.get().map(|r| view! {
                                    <div class="rating-detail" aria-label="Customer rating">
                                        <span class="rating" title=format!("Rated {} of 5", r.stars)>
                                            {liaison_protocol::rating::stars(r.stars)}
                                        </span>
                                        {r.categories.into_iter().map(|c| view! { <span class="chip">{c}</span> }).collect_view()}
                                        {r.comment.map(|c| view! { <blockquote class="comment">{c}</blockquote> })}
                                    </div>
                                })}
                                {whatsapp.map(|w| view! {
                                    <whatsapp_window::WindowBar id phone=w.phone template=w.template closes_at
                                        holder=Signal::derive(move || conversation.with(|c| c.assignee_id == Some(me)))/>
                                })}
                                {metadata}
                                <Thread messages/>
                            </article>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
        // Outside the Transition so a reload keeps the draft and the focus.
        <Copilot id draft/>
        <Composer id state=composer.into() send draft/>
    }
}

#[component]
fn Header(
    conversation: RwSignal<ConversationSummary>,
    me: i64,
    join: ServerAction<JoinConversation>,
    leave: ServerAction<LeaveConversation>,
    escalate: ServerAction<EscalateConversation>,
    resolve: ServerAction<ResolveConversation>,
    children: Children,
) -> impl IntoView {
    let id = conversation.get_untracked().id;
    let c = move || conversation.get();
    let closed = move || c().status.is_closed();
    let lock = move || {
        let c = c();
        if c.status.is_closed() {
            None
        } else if c.assignee_id == Some(me) {
            Some(
                view! {
                    <span class="lock live">"Live — you are in this session"</span>
                    <button class="secondary" on:click=move |_| { leave.dispatch(LeaveConversation { id }); }>
                        "Leave"
                    </button>
                }
                .into_any(),
            )
        } else if c.assignee_id.is_some() {
            Some(
                view! {
                    <span class="lock locked" title=c.assignee_name.clone().unwrap_or_default()>
                        "Locked by another agent"
                    </span>
                }
                .into_any(),
            )
        } else {
            Some(
                view! {
                    <button class="primary" on:click=move |_| { join.dispatch(JoinConversation { id }); }>
                        "Join session"
                    </button>
                }
                .into_any(),
            )
        }
    };
    view! {
        <header class="detail-header">
            <div>
                <h2>{move || c().visitor}</h2>
                <span class=move || status_class(c().status)>{move || c().status.label()}</span>
            </div>
            <div class="controls">
                {lock}
                {children()}
                <Show when=move || c().status == ConversationStatus::Open>
                    <button class="warn" on:click=move |_| { escalate.dispatch(EscalateConversation { id }); }>
                        "Escalate"
                    </button>
                </Show>
                <Show when=move || !closed()>
                    <button class="resolve" on:click=move |_| { resolve.dispatch(ResolveConversation { id }); }>
                        "Resolve"
                    </button>
                </Show>
            </div>
        </header>
    }
}

#[component]
fn Metadata(d: Detail) -> impl IntoView {
    let field = |label: &'static str, value: Option<String>| {
        view! {
            <div>
                <dt>{label}</dt>
                <dd>{value.unwrap_or_else(|| "—".into())}</dd>
            </div>
        }
    };
    view! {
        <dl class="metadata">
            {field("Browser", d.browser)}
            {field("Timezone", d.timezone)}
            {field("Referrer", d.referrer)}
            {field("Page", d.page)}
            {d.email.map(|e| field("Email", Some(e)))}
        </dl>
    }
}

fn sender_class(sender: Sender) -> &'static str {
    match sender {
        Sender::Customer => "msg msg-customer",
        Sender::Ai => "msg msg-ai",
        Sender::Agent => "msg msg-agent",
        Sender::System => "msg msg-system",
    }
}

fn sender_label(sender: Sender) -> &'static str {
    match sender {
        Sender::Customer => "Customer",
        Sender::Ai => "AI",
        Sender::Agent => "Agent",
        Sender::System => "",
    }
}

#[component]
fn Thread(messages: RwSignal<Vec<Message>>) -> impl IntoView {
    let viewing = RwSignal::new(None::<i64>);
    let images = Signal::derive(move || {
        messages.with(|list| {
            list.iter()
                .filter(|m| m.kind == MessageKind::Image)
                .filter_map(|m| m.attachment.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <ol class="thread">
            <For each=move || messages.get() key=|m| (m.id, m.delivery) children=move |m| {
                    let sources = (!m.citations.is_empty()).then(|| {
                        let links = m.citations.iter().enumerate().map(|(i, c)| {
                            let sep = (i > 0).then_some(", ");
                            let title = c.title.clone();
                            let link = match &c.url {
                                Some(url) => view! { <a href=url.clone() target="_blank" rel="noopener">{title}</a> }.into_any(),
                                None => view! { <span>{title}</span> }.into_any(),
                            };
                            view! { {sep}{link} }
                        }).collect_view();
                        view! { <div class="sources">"Source: "{links}</div> }
                    });
                    let class = if m.internal { "msg msg-note" } else { sender_class(m.sender) };
                    let attachment = rich::attachment_view(&m, move |id| viewing.set(Some(id)));
                    let booking = rich::booking_view(&m);
                    let body = (!m.body.is_empty()).then(|| view! { <div class="body">{m.body.clone()}</div> });
                    let delivery = m.delivery.map(|d| whatsapp_window::ticks(d, m.delivery_error.clone()));
                    view! {
                        <li class=class data-kind=m.kind.as_str()>
                            <span class="who">{sender_label(m.sender)}</span>
                            {attachment}
                            {body}
                            {booking}
                            {sources}
                            {delivery}
                        </li>
                    }
                }/>
        </ol>
        <rich::Viewer images open=viewing/>
    }
}

/// The ✨ Copilot sidebar: reply drafts the operator can insert into the composer and edit.
#[component]
fn Copilot(id: i64, draft: RwSignal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let round = RwSignal::new(0u32);
    let drafts = LocalResource::new(move || {
        let (open, _) = (open.get(), round.get());
        async move {
            if open {
                Some(copilot_drafts(id).await)
            } else {
                None
            }
        }
    });
    view! {
        <div class="copilot">
            <button class="copilot-toggle" title="Copilot: suggested replies"
                on:click=move |_| open.update(|o| *o = !*o)>
                "✨ Copilot"
            </button>
            <Show when=move || open.get()>
                <aside class="copilot-panel" aria-label="Copilot">
                    <div class="copilot-head">
                        <strong>"Suggested replies"</strong>
                        <button class="link" on:click=move |_| round.update(|r| *r += 1)>"Refresh"</button>
                    </div>
                    <Suspense fallback=|| view! { <p class="muted">"Drafting…"</p> }>
                        {move || Suspend::new(async move {
                            match drafts.await {
                                None => ().into_any(),
                                Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                                Some(Ok(list)) if list.is_empty() => view! {
                                    <p class="muted">"Nothing in the knowledge base matches this conversation yet."</p>
                                }.into_any(),
                                Some(Ok(list)) => view! {
                                    <ul class="copilot-drafts">
                                        {list.into_iter().map(|d| {
                                            let text = d.text.clone();
                                            view! {
                                                <li class="copilot-draft">
                                                    <p>{d.text.clone()}</p>
                                                    {d.source.clone().map(|s| view! { <span class="muted small">"From: "{s}</span> })}
                                                    <button class="secondary" on:click=move |_| draft.set(text.clone())>"Insert"</button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </aside>
            </Show>
        </div>
    }
}
