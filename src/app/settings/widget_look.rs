//! Settings → Widget: the widget's colour, title, greeting and corner, shown live in a preview
//! as they are edited, and the tag a customer's site includes, with a copy button.

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::widget_look::{Position, WidgetLook};
use serde::{Deserialize, Serialize};

/// The saved look and the embed snippet for this server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSetup {
    pub look: WidgetLook,
    pub snippet: String,
}

/// Where browsers (and Meta) reach this server: LIAISON_PUBLIC_URL, else the address this
/// request was made to.
#[cfg(feature = "ssr")]
pub async fn public_origin() -> Result<String, AppError> {
    let state = crate::app::auth::ssr::state()?;
    Ok(match &state.config.public_url {
        Some(url) => url.clone(),
        None => {
            let headers: axum::http::HeaderMap = leptos_axum::extract().await.map_err(|e| {
                tracing::error!("reading the request headers failed: {e}");
                AppError::Internal
            })?;
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost:3000");
            let scheme = headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("http");
            format!("{scheme}://{host}")
        }
    })
}

#[server(prefix = "/api/admin")]
pub async fn current_widget_setup() -> Result<WidgetSetup, AppError> {
    let look = super::api::admin_read(crate::server::widget_api::LOOK_KEY).await?;
    let origin = public_origin().await?;
    Ok(WidgetSetup {
        look,
        snippet: liaison_protocol::widget_look::embed_snippet(&origin),
    })
}

#[server(prefix = "/api/admin")]
pub async fn save_widget_look(
    colour: String,
    title: String,
    greeting: String,
    position: String,
) -> Result<(), AppError> {
    super::api::admin_write(crate::server::widget_api::LOOK_KEY, || {
        let position = Position::parse(&position)
            .ok_or_else(|| format!("{position:?} is not a corner: right or left."))?;
        WidgetLook {
            colour,
            title,
            greeting,
            position,
        }
        .checked()
    })
    .await
}

#[component]
pub fn WidgetSection() -> impl IntoView {
    let save = ServerAction::<SaveWidgetLook>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| current_widget_setup());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Widget saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card">
            <h2>"Widget"</h2>
            <p class="muted small">"How the chat looks on your site. Visitors see a change within a minute. An empty title or greeting uses the widget's own, in the visitor's language."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let setup = current.await.unwrap_or_default();
                    view! { <LookForm look=setup.look save/> <Snippet snippet=setup.snippet/> }
                })}
            </Transition>
        </section>
    }
}

/// The form, and beside it the preview that follows every keystroke.
#[component]
fn LookForm(look: WidgetLook, save: ServerAction<SaveWidgetLook>) -> impl IntoView {
    let colour = RwSignal::new(look.colour.clone());
    let title = RwSignal::new(look.title.clone());
    let greeting = RwSignal::new(look.greeting.clone());
    let left = RwSignal::new(look.position == Position::Left);
    view! {
        <div class="widget-look">
            <ActionForm action=save attr:class="settings-form widget-settings">
                <label>"Colour"
                    <input type="color" name="colour" prop:value=look.colour
                        on:input=move |e| colour.set(event_target_value(&e))/>
                </label>
                <label>"Title"
                    <input name="title" maxlength="40" placeholder="Support" prop:value=look.title
                        on:input=move |e| title.set(event_target_value(&e))/>
                </label>
                <label>"Greeting"
                    <textarea name="greeting" rows="3" maxlength="300"
                        placeholder="Hi! Ask us anything — our AI assistant answers right away, and a human is one click away."
                        prop:value=look.greeting
                        on:input=move |e| greeting.set(event_target_value(&e))></textarea>
                </label>
                <label>"Launcher"
                    <select name="position" on:change=move |e| left.set(event_target_value(&e) == "left")>
                        {Position::ALL.map(|p| view! {
                            <option value=p.as_str() selected=p == look.position>{p.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="secondary">"Save widget"</button>
            </ActionForm>
            <div class="widget-preview" class:left=move || left.get() aria-label="Preview"
                style=move || format!("--widget-colour: {}", colour.get())>
                <div class="preview-panel">
                    <div class="preview-header">
                        {move || {
                            let t = title.get();
                            if t.trim().is_empty() { "Support".to_string() } else { t }
                        }}
                    </div>
                    <div class="preview-greeting">
                        {move || {
                            let g = greeting.get();
                            if g.trim().is_empty() {
                                "Hi! Ask us anything — our AI assistant answers right away, and a human is one click away.".to_string()
                            } else {
                                g
                            }
                        }}
                    </div>
                </div>
                <div class="preview-launcher">"💬"</div>
            </div>
        </div>
    }
}

/// The tag to paste into a site, with a copy button.
#[component]
fn Snippet(snippet: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = snippet.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <div class="embed-snippet">
            <label>"Add the widget to your site: paste this before </body>"
                <textarea readonly rows="3" class="snippet">{snippet}</textarea>
            </label>
            <button type="button" class="secondary copy-snippet" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}
