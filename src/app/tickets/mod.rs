//! The Tickets page (`/tickets`, everyone): status tabs with counts, priority and "Mine"
//! filters, search, keyset pages, "New ticket", and a ticket's form (`?t=id`) to change it. The
//! list follows `ticket_changed` events: the row and the counts are patched, nothing refetched.
//! And the conversation panel's "Create ticket".

pub mod api;

use crate::app::format;
use crate::app::live::use_live;
use api::{CreateTicket, TicketPage, UpdateTicket, conversation_tickets, list_tickets};
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use liaison_protocol::Event;
use liaison_protocol::ticket::{Priority, Ticket, TicketFilter, TicketStatus};

/// The list's view, as the URL says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct View {
    filter: TicketFilter,
    q: Option<String>,
    before: Option<i64>,
}

impl View {
    fn href(&self, selected: Option<i64>) -> String {
        let mut p = Vec::new();
        if let Some(s) = self.filter.status {
            p.push(format!("status={}", s.as_str()));
        }
        if let Some(pr) = self.filter.priority {
            p.push(format!("priority={}", pr.as_str()));
        }
        if self.filter.mine {
            p.push("mine=true".into());
        }
        if let Some(q) = &self.q {
            p.push(format!(
                "q={}",
                percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        if let Some(b) = self.before {
            p.push(format!("before={b}"));
        }
        if let Some(t) = selected {
            p.push(format!("t={t}"));
        }
        if p.is_empty() {
            "/tickets".into()
        } else {
            format!("/tickets?{}", p.join("&"))
        }
    }
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| {
        let q = query.read();
        View {
            filter: TicketFilter {
                status: q.get("status").and_then(|s| TicketStatus::parse(&s)),
                priority: q.get("priority").and_then(|p| Priority::parse(&p)),
                mine: q.get("mine").as_deref() == Some("true"),
            },
            q: q.get("q").filter(|q| !q.trim().is_empty()),
            before: q.get("before").and_then(|b| b.parse().ok()),
        }
    });
    let selected = Memo::new(move |_| query.read().get("t").and_then(|t| t.parse::<i64>().ok()));
    let live = use_live();
    let page = crate::app::codec::resource(
        move || (view.get(), live.refetch.get()),
        |(v, _)| {
            list_tickets(
                v.filter.status.map(|s| s.as_str().to_string()),
                v.filter.priority.map(|p| p.as_str().to_string()),
                Some(v.filter.mine),
                v.q,
                v.before,
            )
        },
    );
    let create = ServerAction::<CreateTicket>::new();
    let creating = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            creating.set(false);
        }
    });
    view! {
        <div class="page tickets-page">
            <header class="page-header">
                <h1>"Tickets"</h1>
                <button type="button" class="primary new-ticket" on:click=move |_| creating.update(|c| *c = !*c)>
                    "New ticket"
                </button>
            </header>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(p) => view! { <Loaded p view selected create creating/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Loaded(
    p: TicketPage,
    view: Memo<View>,
    selected: Memo<Option<i64>>,
    create: ServerAction<CreateTicket>,
    creating: RwSignal<bool>,
) -> impl IntoView {
    let rows = RwSignal::new(p.rows);
    let counts = RwSignal::new(p.counts);
    let (me, operators, older) = (p.me, p.operators, p.older);
    let first_page = view.with_untracked(|v| v.before.is_none() && v.q.is_none());
    use_live().follow(p.cursor, move |_, e| {
        if let Event::TicketChanged { ticket, counts: c } = e {
            counts.set(*c);
            let filter = view.with_untracked(|v| v.filter);
            rows.update(|rows| place(rows, ticket, filter.admits(ticket, me), first_page));
        }
    });
    let operators = StoredValue::new(operators);
    let update = ServerAction::<UpdateTicket>::new();
    let tab = move |status: Option<TicketStatus>, label: &'static str| {
        let href = move || {
            let mut v = view.get();
            v.filter.status = status;
            v.before = None;
            v.href(None)
        };
        let active = move || view.get().filter.status == status;
        view! {
            <A href=href attr:class=move || if active() { "tab active" } else { "tab" }>
                {label}<span class="badge">{move || format::count(counts.get().get(status))}</span>
            </A>
        }
    };
    let error = move || {
        [create.value().get(), update.value().get()]
            .into_iter()
            .flatten()
            .filter_map(|r| r.err())
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
            .collect_view()
    };
    view! {
        {error}
        <Show when=move || creating.get()>
            <TicketFormView ticket=None operators=operators.get_value() conversation=None create update/>
        </Show>
        {move || selected.get().and_then(|id| rows.with(|r| r.iter().find(|t| t.id == id).cloned())).map(|t| view! {
            <TicketFormView ticket=Some(t) operators=operators.get_value() conversation=None create update/>
        })}
        <nav class="tabs" aria-label="Status">
            {tab(None, "All")}
            {tab(Some(TicketStatus::Open), "Open")}
            {tab(Some(TicketStatus::Pending), "Pending")}
            {tab(Some(TicketStatus::Solved), "Solved")}
        </nav>
        <Toolbar view/>
        <Show when=move || rows.with(|r| !r.is_empty()) fallback=|| view! {
            <p class="muted empty">"No tickets here. Make one with “New ticket”, or from a conversation."</p>
        }>
            <table class="tickets">
                <thead><tr><th>"#"</th><th>"Subject"</th><th>"Priority"</th><th>"Status"</th><th>"Assignee"</th><th>"Conversation"</th><th>"Updated"</th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|t| (t.id, t.updated_at, t.status, t.priority) let:t>
                        <tr data-ticket=t.id class:selected=move || selected.get() == Some(t.id)>
                            <td>{t.id}</td>
                            <td class="subject">
                                <A href={
                                    let id = t.id;
                                    move || view.get().href(Some(id))
                                }>{t.subject.clone()}</A>
                            </td>
                            <td><span class=format!("priority priority-{}", t.priority.as_str())>{t.priority.label()}</span></td>
                            <td class="status">{t.status.label()}</td>
                            <td>{t.assignee_name.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{t.conversation_id.map(|c| view! { <A href=format!("/conversations?c={c}")>{format!("#{c}")}</A> })}</td>
                            <td class="muted small">{format::date_time(t.updated_at)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </Show>
        {older.map(|b| {
            let href = move || View { before: Some(b), ..view.get() }.href(None);
            view! { <A href=href attr:class="page-link">"Older →"</A> }
        })}
    }
}

/// Where a changed ticket goes in the list on screen: replaced, removed when it no longer
/// belongs, or put in its place by id (newest first) on the first page.
fn place(rows: &mut Vec<Ticket>, ticket: &Ticket, belongs: bool, first_page: bool) {
    let at = rows.iter().position(|r| r.id == ticket.id);
    match (at, belongs) {
        (Some(i), true) => rows[i] = ticket.clone(),
        (Some(i), false) => {
            rows.remove(i);
        }
        (None, true) if first_page => {
            let i = rows
                .iter()
                .position(|r| r.id < ticket.id)
                .unwrap_or(rows.len());
            rows.insert(i, ticket.clone());
        }
        (None, _) => {}
    }
}

#[component]
fn Toolbar(view: Memo<View>) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let on_priority = move |ev: leptos::ev::Event| {
        let mut v = view.get_untracked();
        v.filter.priority = Priority::parse(&event_target_value(&ev));
        v.before = None;
        navigate(&v.href(None), Default::default());
    };
    let mine_href = move || {
        let mut v = view.get();
        v.filter.mine = !v.filter.mine;
        v.before = None;
        v.href(None)
    };
    view! {
        <div class="list-toolbar tickets-toolbar">
            <Form method="GET" action="/tickets" attr:class="search" attr:role="search">
                <input type="search" name="q" aria-label="Search tickets" placeholder="Search subjects and descriptions"
                    prop:value=move || view.get().q.unwrap_or_default()/>
                {move || view.get().filter.status.map(|s| view! { <input type="hidden" name="status" value=s.as_str()/> })}
            </Form>
            <select class="priority-filter" aria-label="Priority" on:change=on_priority>
                <option value="" selected=move || view.get().filter.priority.is_none()>"Any priority"</option>
                {Priority::ALL.into_iter().map(|p| view! {
                    <option value=p.as_str() selected=move || view.get().filter.priority == Some(p)>{p.label()}</option>
                }).collect_view()}
            </select>
            <A href=mine_href attr:class=move || if view.get().filter.mine { "tab active mine" } else { "tab mine" }>"Mine"</A>
        </div>
    }
}

/// "New ticket" (no `ticket`) or a ticket's form. From a conversation, `conversation` links it.
#[component]
fn TicketFormView(
    ticket: Option<Ticket>,
    operators: Vec<(i64, String)>,
    conversation: Option<(i64, String)>,
    create: ServerAction<CreateTicket>,
    update: ServerAction<UpdateTicket>,
) -> impl IntoView {
    let subject = match (&ticket, &conversation) {
        (Some(t), _) => t.subject.clone(),
        (None, Some((_, suggested))) => suggested.clone(),
        (None, None) => String::new(),
    };
    let description = ticket
        .as_ref()
        .map(|t| t.description.clone())
        .unwrap_or_default();
    let priority = ticket.as_ref().map(|t| t.priority).unwrap_or_default();
    let status = ticket.as_ref().map(|t| t.status).unwrap_or_default();
    let assignee = ticket.as_ref().and_then(|t| t.assignee_id);
    let linked = ticket
        .as_ref()
        .and_then(|t| t.conversation_id)
        .or(conversation.as_ref().map(|c| c.0));
    let id = ticket.as_ref().map(|t| t.id);
    let title = match &ticket {
        Some(t) => format!("Ticket #{} · by {}", t.id, t.created_by),
        None => "New ticket".into(),
    };
    let fields = view! {
        <label>"Subject" <input name="form[subject]" required maxlength="200" value=subject/></label>
        <label>"Description"
            <textarea name="form[description]" rows="4" maxlength="10000">{description}</textarea>
        </label>
        <div class="row">
            <label>"Priority"
                <select name="form[priority]">
                    {Priority::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=p == priority>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Status"
                <select name="form[status]">
                    {TicketStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == status>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Assignee"
                <select name="form[assignee]">
                    <option value="" selected=assignee.is_none()>"Nobody"</option>
                    {operators.into_iter().map(|(oid, name)| view! {
                        <option value=oid.to_string() selected=assignee == Some(oid)>{name}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Conversation"
                <input name="form[conversation]" inputmode="numeric" placeholder="#" value=linked.map(|c| c.to_string()).unwrap_or_default()/>
            </label>
        </div>
    };
    let name = title.clone();
    view! {
        <section class="card ticket-form" aria-label=name>
            <h2>{title}</h2>
            {match id {
                Some(id) => view! {
                    <ActionForm action=update attr:class="settings-form">
                        <input type="hidden" name="id" value=id/>
                        {fields}
                        <button type="submit" class="primary">"Save ticket"</button>
                    </ActionForm>
                }.into_any(),
                None => view! {
                    <ActionForm action=create attr:class="settings-form">
                        {fields}
                        <button type="submit" class="primary">"Create ticket"</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}

/// A ticket's first subject, from the conversation: who, and what the customer last said.
pub fn subject_for(
    c: &liaison_protocol::ConversationSummary,
    messages: &[liaison_protocol::Message],
) -> String {
    let said: String = messages
        .iter()
        .rev()
        .find(|m| m.sender == liaison_protocol::Sender::Customer)
        .map(|m| m.body.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect();
    if said.is_empty() {
        c.visitor.clone()
    } else {
        format!("{}: {said}", c.visitor)
    }
}

/// The conversation panel's "Create ticket": the form, linked to the conversation, and the
/// tickets already made from it.
#[component]
pub fn ConversationTickets(conversation_id: i64, subject: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let create = ServerAction::<CreateTicket>::new();
    let update = ServerAction::<UpdateTicket>::new();
    let made = crate::app::codec::resource(
        move || create.version().get(),
        move |_| conversation_tickets(conversation_id),
    );
    let outcome = move || {
        create.value().get().map(|r| match r {
            Ok(t) => view! {
                <p class="notice" role="status">"Ticket #"{t.id}" created. "
                    <a href=format!("/tickets?t={}", t.id)>"Open it"</a></p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let subject = StoredValue::new(subject);
    view! {
        <button type="button" class="create-ticket" on:click=move |_| open.update(|o| *o = !*o)>"Create ticket"</button>
        {move || open.get().then(|| view! {
            <div class="panel-tickets">
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match made.await {
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(p) => view! {
                                <TicketFormView ticket=None operators=p.operators
                                    conversation=Some((conversation_id, subject.get_value())) create update/>
                                <Show when={
                                    let any = !p.tickets.is_empty();
                                    move || any
                                }>
                                    <ul class="linked-tickets">
                                        {p.tickets.clone().into_iter().map(|t| view! {
                                            <li><a href=format!("/tickets?t={}", t.id)>{format!("#{} {}", t.id, t.subject)}</a>
                                                " · "{t.status.label()}</li>
                                        }).collect_view()}
                                    </ul>
                                </Show>
                            }.into_any(),
                        }
                    })}
                </Transition>
                {outcome}
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(id: i64) -> Ticket {
        Ticket {
            id,
            subject: format!("t{id}"),
            description: String::new(),
            priority: Priority::Normal,
            status: TicketStatus::Open,
            assignee_id: None,
            assignee_name: None,
            conversation_id: None,
            created_by: "Ann".into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_changed_ticket_is_replaced_removed_or_put_in_its_place() {
        let mut rows = vec![ticket(9), ticket(5)];
        let mut changed = ticket(5);
        changed.subject = "new".into();
        place(&mut rows, &changed, true, true);
        assert_eq!(rows[1].subject, "new");
        place(&mut rows, &ticket(7), true, true);
        assert_eq!(rows.iter().map(|t| t.id).collect::<Vec<_>>(), [9, 7, 5]);
        place(&mut rows, &ticket(7), false, true);
        assert_eq!(rows.iter().map(|t| t.id).collect::<Vec<_>>(), [9, 5]);
        place(&mut rows, &ticket(12), true, false);
        assert_eq!(rows.len(), 2, "another page's business");
    }

    #[test]
    fn views_make_shareable_links() {
        let v = View {
            filter: TicketFilter {
                status: Some(TicketStatus::Pending),
                priority: Some(Priority::Urgent),
                mine: true,
            },
            q: Some("kettle refund".into()),
            before: Some(40),
        };
        assert_eq!(
            v.href(Some(3)),
            "/tickets?status=pending&priority=urgent&mine=true&q=kettle%20refund&before=40&t=3"
        );
        assert_eq!(View::default().href(None), "/tickets");
    }
}
