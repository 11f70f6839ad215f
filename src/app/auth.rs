//! Sign in and out, and who is signed in.

use crate::app::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in operator, as the dashboard shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: liaison_protocol::Role,
    /// The newest event id when this was read: where the tab's live stream starts.
    pub cursor: i64,
    /// Their availability toggle: online (true) or away.
    pub available: bool,
    /// Their avatar's colour (Profile).
    pub colour: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::server::AppState;
    use crate::server::auth::{self, Operator};

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }

    async fn session() -> Result<tower_sessions::Session, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|e| {
                tracing::error!("session extraction failed: {e}");
                AppError::Internal
            })
    }

    /// The first line of every dashboard server function: the signed-in operator, or 401.
    /// The access middleware looked the operator up and left them in the request; where it did
    /// not (a public path), there is no operator.
    pub async fn operator() -> Result<Operator, AppError> {
        use axum::Extension;
        match leptos_axum::extract::<Extension<Operator>>().await {
            Ok(Extension(op)) => Ok(op),
            Err(_) => Err(AppError::Unauthorized.respond()),
        }
    }

    /// The signed-in operator if they have at least `required`; 403 otherwise. The access
    /// middleware already refuses `/api/admin/` and `/api/owner/` paths to lower roles; this is
    /// the second lock on the same door.
    pub async fn operator_with(required: liaison_protocol::Role) -> Result<Operator, AppError> {
        let op = operator().await?;
        if op.role.at_least(required) {
            Ok(op)
        } else {
            Err(AppError::Forbidden.respond())
        }
    }

    pub async fn sign_in(email: &str, password: &str) -> Result<(), AppError> {
        let state = state()?;
        // Counted before the password is checked: a guesser waits, growing longer, whether or
        // not a guess was right (`limits::Tiered`), per address and per account.
        let parts = leptos_axum::extract::<axum::http::request::Parts>()
            .await
            .map_err(|_| AppError::Internal)?;
        let ip = crate::server::client_ip::of(&parts, state.config.trust_proxy);
        let account = email.trim().to_lowercase();
        crate::server::limits::all([
            state.limits.sign_in_address.check(&ip),
            state.limits.sign_in_account.check(&account),
        ])
        .map_err(|wait| {
            tracing::warn!(%ip, "sign-in attempts throttled");
            AppError::Throttled(wait.seconds()).respond()
        })?;
        let Some(op) = auth::authenticate(&state.db, email, password).await? else {
            return Err(AppError::Invalid("Wrong email or password.".into()).respond());
        };
        sign_in_as(&op).await
    }

    /// Signs in an operator the server has just written (a new password, a new account):
    /// their password was checked where it was chosen, so it is not hashed a second time.
    pub async fn sign_in_new(id: i64) -> Result<(), AppError> {
        let op = auth::operator_by_id(&state()?.db, id)
            .await?
            .ok_or_else(|| AppError::NotFound.respond())?;
        sign_in_as(&op).await
    }

    async fn sign_in_as(op: &auth::Operator) -> Result<(), AppError> {
        let state = state()?;
        let session = session().await?;
        let parts = leptos_axum::extract::<axum::http::request::Parts>()
            .await
            .map_err(|_| AppError::Internal)?;
        let address = crate::server::client_ip::of(&parts, state.config.trust_proxy).to_string();
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let device = auth::Device {
            user_agent,
            address: &address,
        };
        auth::sign_in(&state.db, &session, op, device)
            .await
            .map_err(|e| {
                tracing::error!("sign in: {e}");
                AppError::Internal
            })
    }

    /// Signs out and ends this session's streams.
    pub async fn sign_out() -> Result<(), AppError> {
        let session = session().await?;
        let state = state()?;
        if let Some(id) = session.id() {
            state.streams.sign_out(id, state.db.bus());
        }
        auth::sign_out(&state.db, &session).await.map_err(|e| {
            tracing::error!("sign out: {e}");
            AppError::Internal
        })
    }
}

/// Where to go after signing in: `next` if it is a page of this site, else the Overview. Only a
/// path is accepted (no scheme, no `//host`), so a crafted link cannot send anyone elsewhere.
pub fn after_sign_in(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/') && !p.starts_with("//") && !p.contains(['\\', '\r', '\n']) =>
        {
            p
        }
        _ => "/",
    }
}

#[server]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    ssr::sign_in(&email, &password).await?;
    leptos_axum::redirect(after_sign_in(next.as_deref()));
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    ssr::operator().await?;
    ssr::sign_out().await?;
    leptos_axum::redirect("/login?signed_out");
    Ok(())
}

#[server]
pub async fn current_operator() -> Result<Me, AppError> {
    let op = ssr::operator().await?;
    let state = ssr::state()?;
    let cursor = crate::server::db::events::latest_id(&state.db.read).await?;
    let (available, colour) =
        crate::server::db::users::presence_and_colour(&state.db.read, op.id).await?;
    Ok(Me {
        id: op.id,
        name: op.name,
        email: op.email,
        role: op.role,
        cursor,
        available,
        colour,
    })
}

/// The top bar's toggle: online (new conversations may expect me) or away. Kept per operator.
#[server]
pub async fn set_availability(online: bool) -> Result<bool, AppError> {
    let op = ssr::operator().await?;
    let db = &ssr::state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::users::set_available(tx.conn(), op.id, online).await?;
    tx.commit().await?;
    Ok(online)
}

/// The sign-in page; after signing out it says so.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let signed_out = move || query.read().get("signed_out").is_some();
    let expired = move || query.read().get("expired").is_some();
    let next = move || query.read().get("next");
    let login = ServerAction::<Login>::new();
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <AuthCard>
                <Show when=signed_out>
                    <p class="notice" role="status">"You have been signed out."</p>
                </Show>
                <Show when=expired>
                    <p class="notice" role="status">"Your session has ended. Please sign in again."</p>
                </Show>
                <p class="muted">"Sign in to the support dashboard"</p>
                <ActionForm action=login>
                    <label>
                        "Email"
                        <input type="email" name="email" required autocomplete="username"/>
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" required autocomplete="current-password"/>
                    </label>
                    {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                    <button type="submit" class="primary">"Sign in"</button>
                </ActionForm>
                <Show when=move || error().is_some()>
                    <p class="error" role="alert">{error}</p>
                </Show>
        </AuthCard>
    }
}

/// The card of the pages used signed out: sign-in, an invitation, a password reset.
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    view! {
        <main class="login">
            <div class="login-card">
                <h1 class="brand">"Liaison"</h1>
                {children()}
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::after_sign_in;

    #[test]
    fn only_pages_of_this_site_are_gone_back_to() {
        assert_eq!(after_sign_in(None), "/");
        assert_eq!(
            after_sign_in(Some("/conversations?c=5")),
            "/conversations?c=5"
        );
        for away in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "",
            "team",
        ] {
            assert_eq!(after_sign_in(Some(away)), "/", "{away}");
        }
    }
}
