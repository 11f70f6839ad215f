//! The Connectors page (`/connectors`, Admins and Owners): where channels and integrations are
//! configured. Outgoing webhooks: add an endpoint (its signing secret is shown once), choose
//! its events, pause or remove it, send a test, and read its delivery log. WhatsApp: the Cloud
//! API connection's settings (secrets written, never shown again); the channel that uses them
//! (receiving and sending messages) is its own piece of work.

use crate::app::error::AppError;
use crate::app::format;
use leptos::prelude::*;
use liaison_protocol::webhook::{Delivery, DeliveryStatus, Webhook, WebhookEvent, WebhookForm};
use liaison_protocol::whatsapp::{WhatsappForm, WhatsappView};
use serde::{Deserialize, Serialize};

/// Lines of a delivery log per page.
pub const LOG_PAGE: i64 = 20;

/// An endpoint just added, with the secret it signs with (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub webhook: Webhook,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub rows: Vec<Delivery>,
    pub older: Option<i64>,
}

#[cfg(feature = "ssr")]
async fn admin() -> Result<crate::server::auth::Operator, AppError> {
    crate::app::auth::ssr::operator_with(liaison_protocol::Role::Admin).await
}

#[server(prefix = "/api/admin")]
pub async fn list_webhooks() -> Result<Vec<Webhook>, AppError> {
    use crate::server::db::webhooks;
    admin().await?;
    let state = crate::app::auth::ssr::state()?;
    let db = &state.db.read;
    let backlog = webhooks::backlog(db).await?;
    Ok(webhooks::all(db)
        .await?
        .into_iter()
        .map(|h| h.opened(state.db.secrets()))
        .map(|h| {
            let (pending, failed) = backlog
                .iter()
                .find(|(id, _, _)| *id == h.id)
                .map_or((0, 0), |(_, p, f)| (*p, *f));
            h.listed(pending, failed)
        })
        .collect())
}

/// A webhook's address must be one the server may connect to (`outbound`): said when it is
/// saved; every delivery checks again.
#[cfg(feature = "ssr")]
async fn reachable(url: &str) -> Result<(), AppError> {
    let reach = &crate::app::auth::ssr::state()?.config.private_urls;
    crate::server::outbound::check(url, reach)
        .await
        .map_err(|_| {
            AppError::Invalid(
                "That address cannot be used: webhooks go to public web addresses only.".into(),
            )
            .respond()
        })
}

#[server(prefix = "/api/admin")]
pub async fn add_webhook(form: WebhookForm) -> Result<Added, AppError> {
    use crate::server::db::webhooks;
    let me = admin().await?;
    let fields = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    reachable(&fields.url).await?;
    let db = &crate::app::auth::ssr::state()?.db;
    let secret = crate::server::webhooks::new_secret();
    let mut tx = db.write().await?;
    let id = webhooks::insert(tx.conn(), &fields, &db.secrets().seal(&secret), me.id).await?;
    tx.commit().await?;
    let row = webhooks::find(&db.read, id)
        .await?
        .map(|r| r.opened(db.secrets()))
        .ok_or_else(|| AppError::NotFound.respond())?;
    Ok(Added {
        webhook: row.listed(0, 0),
        secret,
    })
}

#[server(prefix = "/api/admin")]
pub async fn change_webhook(id: i64, form: WebhookForm) -> Result<(), AppError> {
    admin().await?;
    let fields = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    reachable(&fields.url).await?;
    let db = &crate::app::auth::ssr::state()?.db;
    let mut tx = db.write().await?;
    if !crate::server::db::webhooks::update(tx.conn(), id, &fields).await? {
        return Err(AppError::NotFound.respond());
    }
    tx.commit().await?;
    Ok(())
}

#[server(prefix = "/api/admin")]
pub async fn remove_webhook(id: i64) -> Result<(), AppError> {
    admin().await?;
    let db = &crate::app::auth::ssr::state()?.db;
    let mut tx = db.write().await?;
    if !crate::server::db::webhooks::delete(tx.conn(), id).await? {
        return Err(AppError::NotFound.respond());
    }
    tx.commit().await?;
    Ok(())
}

#[server(prefix = "/api/admin")]
pub async fn test_webhook(id: i64) -> Result<Delivery, AppError> {
    admin().await?;
    let db = &crate::app::auth::ssr::state()?.db;
    let reach = &crate::app::auth::ssr::state()?.config.private_urls;
    crate::server::webhooks::send_test(db, id, reach)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())
}

#[server(prefix = "/api/admin")]
pub async fn webhook_deliveries(id: i64, before: Option<i64>) -> Result<DeliveryPage, AppError> {
    admin().await?;
    let db = &crate::app::auth::ssr::state()?.db.read;
    let mut rows = crate::server::db::webhooks::log(db, id, before, LOG_PAGE + 1).await?;
    let more = rows.len() as i64 > LOG_PAGE;
    rows.truncate(LOG_PAGE as usize);
    Ok(DeliveryPage {
        older: more.then(|| rows.last().map(|d| d.id)).flatten(),
        rows,
    })
}

/// The Settings key of the WhatsApp connection.
pub const WHATSAPP_KEY: &str = "whatsapp";

#[server(prefix = "/api/admin")]
pub async fn whatsapp_settings() -> Result<WhatsappView, AppError> {
    admin().await?;
    let db = &crate::app::auth::ssr::state()?.db.read;
    let saved: liaison_protocol::whatsapp::WhatsappSettings =
        crate::server::db::settings::get(db, WHATSAPP_KEY)
            .await?
            .unwrap_or_default();
    with_webhook_url(saved.view()).await
}

/// The view with the callback URL to give Meta.
#[cfg(feature = "ssr")]
async fn with_webhook_url(view: WhatsappView) -> Result<WhatsappView, AppError> {
    let origin = crate::app::settings::widget_look::public_origin().await?;
    Ok(WhatsappView {
        webhook_url: format!("{origin}{}", liaison_protocol::whatsapp::WEBHOOK_PATH),
        ..view
    })
}

#[server(prefix = "/api/admin")]
pub async fn save_whatsapp(form: WhatsappForm) -> Result<WhatsappView, AppError> {
    let me = admin().await?;
    let db = &crate::app::auth::ssr::state()?.db;
    let mut tx = db.write().await?;
    let saved: liaison_protocol::whatsapp::WhatsappSettings =
        crate::server::db::settings::get(&db.read, WHATSAPP_KEY)
            .await?
            .unwrap_or_default();
    let saved = crate::server::secrets::open_whatsapp(db.secrets(), saved);
    let next = form
        .apply(&saved)
        .map_err(|e| AppError::Invalid(e).respond())?;
    let stored = crate::server::secrets::seal_whatsapp(db.secrets(), next.clone());
    crate::server::db::settings::put(tx.conn(), WHATSAPP_KEY, &stored, Some(me.id)).await?;
    tx.commit().await?;
    with_webhook_url(next.view()).await
}

#[component]
pub fn ConnectorsPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let hooks = crate::app::codec::resource(move || reload.get(), |_| list_webhooks());
    let added = RwSignal::new(None::<Added>);
    view! {
        <div class="page connectors-page">
            <header class="page-header"><h1>"Connectors"</h1></header>
            <WhatsappSection/>
            <section class="card connector" aria-labelledby="webhooks-title">
                <h2 id="webhooks-title">"Outgoing webhooks"</h2>
                <p class="muted small">
                    "Liaison POSTs JSON to your endpoint when something happens, signed with the endpoint's secret: "
                    <code>"X-Liaison-Signature: sha256=HMAC-SHA256(secret, timestamp + \".\" + body)"</code>
                    " with the timestamp in " <code>"X-Liaison-Timestamp"</code>
                    ". Failed deliveries are retried with growing waits for about 13 hours."
                </p>
                <AddForm reload added/>
                {move || added.get().map(|a| view! {
                    <div class="notice secret-once">
                        <crate::app::copy::CopyField
                            text="Endpoint added. Its signing secret, shown only now:".to_string()
                            value=Signal::stored(a.secret.clone()) button="Copy secret"/>
                    </div>
                })}
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match hooks.await {
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <p class="muted empty">"No endpoints yet."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <ul class="webhooks">
                                    {list.into_iter().map(|h| view! { <Endpoint h reload/> }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The event checkboxes of a form, bound to `chosen`.
fn event_choices(chosen: RwSignal<Vec<WebhookEvent>>) -> impl IntoView {
    WebhookEvent::ALL
        .into_iter()
        .map(|e| {
            view! {
                <label class="check">
                    <input type="checkbox" name="events" value=e.as_str()
                        prop:checked=move || chosen.get().contains(&e)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|x| *x != e);
                                if on {
                                    c.push(e);
                                }
                            });
                        }/>
                    {e.label()}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn AddForm(reload: RwSignal<u32>, added: RwSignal<Option<Added>>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(WebhookEvent::ALL.to_vec());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = WebhookForm {
            url: url.get_untracked(),
            events: chosen
                .get_untracked()
                .iter()
                .map(|e| e.as_str().to_string())
                .collect(),
            active: true,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match add_webhook(form).await {
                Ok(a) => {
                    error.set(None);
                    url.set(String::new());
                    added.set(Some(a));
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="webhook-form" on:submit=submit>
            <label>"Endpoint URL "
                <input type="url" name="url" placeholder="https://example.com/hooks/liaison" required
                    prop:value=url on:input=move |ev| url.set(event_target_value(&ev))/>
            </label>
            <fieldset class="events">
                <legend>"Events"</legend>
                {event_choices(chosen)}
            </fieldset>
            <button type="submit" class="button primary" disabled=move || busy.get()>"Add endpoint"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

#[component]
fn Endpoint(h: Webhook, reload: RwSignal<u32>) -> impl IntoView {
    let id = h.id;
    let active = RwSignal::new(h.active);
    let open = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let log_version = RwSignal::new(0u32);
    let (url, events) = (h.url.clone(), h.events.clone());
    let toggle = move |_| {
        let form = WebhookForm {
            url: url.clone(),
            events: events.iter().map(|e| e.as_str().to_string()).collect(),
            active: !active.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match change_webhook(id, form).await {
                Ok(()) => active.update(|a| *a = !*a),
                Err(e) => message.set(Some((false, e.to_string()))),
            }
        });
    };
    let test = move |_| {
        message.set(Some((true, "Sending…".into())));
        leptos::task::spawn_local(async move {
            match test_webhook(id).await {
                Ok(d) if d.status == DeliveryStatus::Delivered => message.set(Some((
                    true,
                    format!(
                        "Test delivered (HTTP {}).",
                        d.response_code.unwrap_or_default()
                    ),
                ))),
                Ok(d) => message.set(Some((
                    false,
                    format!("Test failed: {}", d.error.unwrap_or_default()),
                ))),
                Err(e) => message.set(Some((false, e.to_string()))),
            }
            log_version.update(|n| *n += 1);
            open.set(true);
        });
    };
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            match remove_webhook(id).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => message.set(Some((false, e.to_string()))),
            }
        });
    };
    let events = h
        .events
        .iter()
        .map(|e| view! { <span class="chip">{e.label()}</span> })
        .collect_view();
    view! {
        <li class="webhook card" data-webhook=id>
            <div class="webhook-head">
                <code class="url">{h.url.clone()}</code>
                <span class=move || if active.get() { "badge on" } else { "badge off" }>
                    {move || if active.get() { "Active" } else { "Paused" }}
                </span>
                {(h.failed > 0).then(|| view! { <span class="badge failed">{format!("{} failed", h.failed)}</span> })}
            </div>
            <div class="events">{events}</div>
            <p class="muted small">"Secret "{h.secret_hint.clone()}" · added "{format::date_time(h.created_at)}</p>
            <div class="actions">
                <button type="button" class="button send-test" on:click=test>"Send test"</button>
                <button type="button" class="button" on:click=toggle>
                    {move || if active.get() { "Pause" } else { "Resume" }}
                </button>
                <button type="button" class="button" on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Hide log" } else { "Delivery log" }}
                </button>
                <button type="button" class="button danger" on:click=remove>"Remove"</button>
            </div>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "notice" } else { "error" } role="status">{m}</p>
            })}
            <Show when=move || open.get()>
                <DeliveryLog id version=log_version/>
            </Show>
        </li>
    }
}

#[component]
fn DeliveryLog(id: i64, version: RwSignal<u32>) -> impl IntoView {
    let before = RwSignal::new(None::<i64>);
    let page = crate::app::codec::resource(
        move || (version.get(), before.get()),
        move |(_, b)| webhook_deliveries(id, b),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! { <p class="muted">"Nothing sent yet."</p> }.into_any(),
                    Ok(p) => {
                        let older = p.older;
                        view! {
                            <table class="data deliveries">
                                <thead><tr>
                                    <th>"Event"</th><th>"Status"</th><th class="num">"Attempts"</th>
                                    <th>"Answer"</th><th>"Created"</th>
                                </tr></thead>
                                <tbody>
                                    {p.rows.into_iter().map(|d| {
                                        let answer = match (d.response_code, d.error.clone()) {
                                            (_, Some(e)) => e,
                                            (Some(c), None) => format!("HTTP {c}"),
                                            (None, None) => "—".into(),
                                        };
                                        let next = (d.status == DeliveryStatus::Pending)
                                            .then_some(d.next_attempt_at).flatten()
                                            .map(|t| format!(" · next try {}", format::date_time(t)));
                                        view! {
                                            <tr data-status=d.status.as_str()>
                                                <td><code>{d.event}</code></td>
                                                <td>{d.status.label()}{next}</td>
                                                <td class="num">{d.attempts}</td>
                                                <td>{answer}</td>
                                                <td>{format::date_time(d.created_at)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {older.map(|o| view! {
                                <button type="button" class="link" on:click=move |_| before.set(Some(o))>"Older →"</button>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn WhatsappSection() -> impl IntoView {
    let save = ServerAction::<SaveWhatsapp>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| whatsapp_settings());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(_) => {
                view! { <p class="notice" role="status">"WhatsApp settings saved."</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let secret = |name: &'static str, label: &'static str, set: bool| {
        let hint = if set {
            "saved; leave empty to keep it"
        } else {
            "not set"
        };
        view! {
            <label>{label}
                <input type="password" autocomplete="off" name=format!("form[{name}]") placeholder=hint/>
            </label>
        }
    };
    view! {
        <section class="card connector" aria-labelledby="whatsapp-title">
            <h2 id="whatsapp-title">"WhatsApp"</h2>
            <p class="muted small">
                "Your WhatsApp Business number (Cloud API): customers' messages arrive in Conversations on the WhatsApp channel, the AI answers first, and replies go out through Meta's Graph API. In your Meta app, enter the callback URL below with the verify token you save here, and subscribe to the "<code>"messages"</code>" field."
            </p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let v = current.await.unwrap_or_default();
                    let callback = (!v.webhook_url.is_empty()).then(|| view! {
                        <p class="small">"Callback URL: "<code class="webhook-url">{v.webhook_url.clone()}</code></p>
                    });
                    view! {
                        {callback}
                        <ActionForm action=save attr:class="settings-form whatsapp-form">
                            <label>"Phone number ID"
                                <input type="text" inputmode="numeric" name="form[phone_number_id]" value=v.phone_number_id.clone()/>
                            </label>
                            {secret("access_token", "Access token", v.has_access_token)}
                            {secret("app_secret", "App secret", v.has_app_secret)}
                            {secret("verify_token", "Webhook verify token", v.has_verify_token)}
                            <label>"Graph API address"
                                <input type="url" name="form[graph_url]" placeholder=liaison_protocol::whatsapp::DEFAULT_GRAPH_URL value=v.graph_url.clone()/>
                            </label>
                            <label>"Template for replies after 24 hours (name)"
                                <input type="text" name="form[template_name]" value=v.template_name.clone()/>
                            </label>
                            <label>"Template language"
                                <input type="text" name="form[template_language]" placeholder="en_US" value=v.template_language.clone()/>
                            </label>
                            <label class="inline">
                                <input type="checkbox" name="form[ask_rating]" value="on" checked=v.ask_rating/>
                                " Ask for a rating (1 to 5 stars) when a conversation is resolved"
                            </label>
                            <button type="submit" class="secondary">"Save WhatsApp settings"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
