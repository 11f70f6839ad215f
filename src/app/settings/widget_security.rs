//! Settings → Widget security: the sites allowed to use the chat, and identity verification
//! (the customer's site signs its user's id; the secret is shown once, stored sealed).

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::widget_security::{WidgetSecurityForm, WidgetSecurityView};

#[cfg(feature = "ssr")]
async fn read_saved() -> Result<liaison_protocol::widget_security::WidgetSecurity, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    operator_with(liaison_protocol::Role::Admin).await?;
    Ok(
        crate::server::db::settings::get(&state()?.db.read, crate::server::widget_security::KEY)
            .await?
            .unwrap_or_default(),
    )
}

#[cfg(feature = "ssr")]
async fn store(
    value: &liaison_protocol::widget_security::WidgetSecurity,
    by: i64,
) -> Result<(), AppError> {
    let state = crate::app::auth::ssr::state()?;
    let mut tx = state.db.write().await?;
    crate::server::db::settings::put(
        tx.conn(),
        crate::server::widget_security::KEY,
        value,
        Some(by),
    )
    .await?;
    tx.commit().await?;
    state.site_rules.forget();
    Ok(())
}

#[server(prefix = "/api/admin")]
pub async fn widget_security() -> Result<WidgetSecurityView, AppError> {
    Ok(read_saved().await?.view())
}

#[server(prefix = "/api/admin")]
pub async fn save_widget_security(
    form: WidgetSecurityForm,
) -> Result<WidgetSecurityView, AppError> {
    use crate::app::auth::ssr::operator_with;
    let me = operator_with(liaison_protocol::Role::Admin).await?;
    let saved = read_saved().await?;
    let next = form
        .apply(&saved)
        .map_err(|e| AppError::Invalid(e).respond())?;
    store(&next, me.id).await?;
    Ok(next.view())
}

/// A new identity secret, returned this once (the site's server needs it to sign user ids);
/// stored sealed. Signatures made with the old one stop being accepted.
#[server(prefix = "/api/admin")]
pub async fn new_identity_secret() -> Result<String, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    let me = operator_with(liaison_protocol::Role::Admin).await?;
    let mut saved = read_saved().await?;
    let secret = crate::server::widget_security::new_secret();
    saved.identity_secret = state()?.db.secrets().seal(&secret);
    store(&saved, me.id).await?;
    Ok(secret)
}

#[component]
pub fn WidgetSecuritySection() -> impl IntoView {
    let save = ServerAction::<SaveWidgetSecurity>::new();
    let generate = ServerAction::<NewIdentitySecret>::new();
    let current = crate::app::codec::resource(
        move || (save.version().get(), generate.version().get()),
        |_| widget_security(),
    );
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(_) => {
                view! { <p class="notice" role="status">"Widget security saved."</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let secret = move || {
        generate.value().get().map(|r| match r {
            Ok(secret) => view! {
                <div class="secret-once">
                    <crate::app::copy::CopyField
                        text="The new identity secret, shown this once: put it on your site's server (never in the page)."
                            .to_string()
                        value=Signal::derive(move || secret.clone())
                        button="Copy secret"/>
                </div>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card widget-security">
            <h2>"Widget security"</h2>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let v = current.await.unwrap_or_default();
                    let any_site = v.allowed_origins.is_empty();
                    view! {
                        <ActionForm action=save attr:class="settings-form widget-security-form">
                            <label>"Sites allowed to use the chat (one per line, e.g. https://shop.example.com or https://*.example.com)"
                                <textarea name="form[allowed_origins]" rows="3"
                                    placeholder="https://shop.example.com">{v.allowed_origins.join("\n")}</textarea>
                            </label>
                            <Show when=move || any_site>
                                <p class="warning small" role="note">"No site is listed: any website can embed your chat and use your AI budget. List your sites."</p>
                            </Show>
                            <label class="inline">
                                <input type="checkbox" name="form[require_identity]" value="on" checked=v.require_identity/>
                                " Require verified users: a visitor can only say which of your users they are with a valid user_hash"
                            </label>
                            <button type="submit" class="secondary">"Save widget security"</button>
                        </ActionForm>
                        <p class="muted small">
                            "Identity verification: your site's server computes user_hash = HMAC-SHA256(secret, user_id) in hex and the page passes both: "
                            <code>"<script … data-user-id=\"42\" data-user-hash=\"…\">"</code>
                            ". The visitor is then that user on every device. "
                            {if v.has_identity_secret { "A secret is set." } else { "No secret yet." }}
                        </p>
                        <ActionForm action=generate attr:class="inline-form">
                            <button type="submit" class="secondary">
                                {if v.has_identity_secret { "Replace the identity secret" } else { "Generate an identity secret" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Transition>
            {secret}
        </section>
    }
}
