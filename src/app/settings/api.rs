//! Agent settings (Admin and Owner, under `/api/admin/`) and LLM usage (Owner, `/api/owner/`).

use crate::app::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator_with, state};
#[cfg(feature = "ssr")]
use liaison_protocol::Role;

/// A settings section's saved value, for Admins and Owners (the default when none is saved).
#[cfg(feature = "ssr")]
pub async fn admin_read<T: serde::de::DeserializeOwned + Default>(
    key: &str,
) -> Result<T, AppError> {
    operator_with(Role::Admin).await?;
    Ok(crate::server::db::settings::get(&state()?.db.read, key)
        .await?
        .unwrap_or_default())
}

/// Saves a settings section's value, for Admins and Owners; `check` turns what was posted
/// into the value, or says what is wrong (nothing is saved then).
#[cfg(feature = "ssr")]
pub async fn admin_write<T: Serialize>(
    key: &str,
    check: impl FnOnce() -> Result<T, String>,
) -> Result<(), AppError> {
    let me = operator_with(Role::Admin).await?;
    let value = check().map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::settings::put(tx.conn(), key, &value, Some(me.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The settings form. The API key itself never leaves the server: only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSettingsView {
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    pub temperature: f32,
    pub embeddings_model: String,
    pub price_in: f64,
    pub price_out: f64,
    pub timeout_secs: u64,
    pub max_tokens: u32,
    /// The base URL may be a private address (only the Owner can allow it).
    pub allow_private: bool,
    pub instructions: String,
    /// "saved" when changed in the dashboard, "environment" otherwise.
    pub origin: String,
}

#[server(prefix = "/api/admin")]
pub async fn get_agent_settings() -> Result<AgentSettingsView, AppError> {
    use crate::server::ai::llm::AgentSettings;
    use crate::server::db;
    operator_with(Role::Admin).await?;
    let state = state()?;
    let saved = db::settings::get::<AgentSettings>(&state.db.read, "agent").await?;
    let origin = if saved.is_some() {
        "saved"
    } else {
        "environment"
    };
    let s = saved.unwrap_or_else(|| state.config.agent.clone());
    let e = s.llm.clone();
    Ok(AgentSettingsView {
        base_url: e.as_ref().map(|e| e.base_url.clone()).unwrap_or_default(),
        model: e.as_ref().map(|e| e.model.clone()).unwrap_or_default(),
        has_api_key: e.as_ref().is_some_and(|e| !e.api_key.is_empty()),
        temperature: e.as_ref().map_or(0.2, |e| e.temperature),
        embeddings_model: e
            .as_ref()
            .and_then(|e| e.embeddings_model.clone())
            .unwrap_or_default(),
        price_in: e.as_ref().map_or(0.0, |e| e.price_in),
        price_out: e.as_ref().map_or(0.0, |e| e.price_out),
        timeout_secs: e.as_ref().map_or(30, |e| e.timeout_secs),
        max_tokens: e.as_ref().map_or(1024, |e| e.max_tokens),
        allow_private: e.as_ref().is_some_and(|e| e.allow_private),
        instructions: s.instructions,
        origin: origin.into(),
    })
}

/// The settings form as posted (its inputs are named `form[field]`); numbers arrive as text and
/// are checked here, so a typo gets a message rather than a decoding error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub base_url: String,
    pub model: String,
    pub api_key: String,
    #[serde(default)]
    pub clear_api_key: Option<String>,
    pub temperature: String,
    pub embeddings_model: String,
    pub price_in: String,
    pub price_out: String,
    pub timeout_secs: String,
    #[serde(default)]
    pub max_tokens: String,
    /// The "Allow a private address" checkbox (present when ticked).
    #[serde(default)]
    pub allow_private: Option<String>,
    pub instructions: String,
}

/// Saves the agent settings. An empty base URL means the built-in answerer. An empty API key
/// keeps the one already set, for the same base URL only: a key is never sent to a host it
/// was not entered for (`clear_api_key` removes it). The base URL must be a public address
/// unless the Owner allows a private one.
#[server(prefix = "/api/admin")]
pub async fn save_agent_settings(form: SettingsForm) -> Result<(), AppError> {
    let SettingsForm {
        base_url,
        model,
        api_key,
        clear_api_key,
        temperature,
        embeddings_model,
        price_in,
        price_out,
        timeout_secs,
        max_tokens,
        allow_private,
        instructions,
    } = form;
    use crate::server::ai::agent::current_settings;
    use crate::server::ai::llm::{AgentSettings, Endpoint};
    use crate::server::db;
    let me = operator_with(Role::Admin).await?;
    let state = state()?;
    let invalid = |m: String| AppError::Invalid(m).respond();
    let number = |name: &str, v: &str, default: f64| -> Result<f64, AppError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(default);
        }
        v.parse::<f64>()
            .map_err(|_| invalid(format!("{name}: {v:?} is not a number.")))
    };
    let current = current_settings(&state.db, &state.config.agent).await;
    let base_url = base_url.trim().trim_end_matches('/').to_string();
    let llm = if base_url.is_empty() {
        None
    } else {
        let same_host = current.llm.as_ref().filter(|e| e.base_url == base_url);
        let api_key = if clear_api_key.is_some() {
            String::new()
        } else if api_key.trim().is_empty() {
            same_host.map(|e| e.api_key.clone()).unwrap_or_default()
        } else {
            api_key.trim().to_string()
        };
        let allow_private = allow_private.is_some();
        let allowed_before = same_host.is_some_and(|e| e.allow_private);
        if allow_private && !allowed_before && me.role != Role::Owner {
            return Err(invalid(
                "Only the Owner can allow a private address for the model.".into(),
            ));
        }
        let reach = crate::server::outbound::Reach::from_allowed(allow_private);
        if url_like(&base_url)
            && crate::server::outbound::check(&base_url, &reach)
                .await
                .is_err()
        {
            return Err(invalid(
                "Base URL: the server can only call public addresses. For a model on this \
                 machine or network (e.g. Ollama), the Owner ticks \"Allow a private address\"."
                    .into(),
            ));
        }
        Some(Endpoint {
            base_url,
            api_key,
            model: model.trim().to_string(),
            temperature: number("Temperature", &temperature, 0.2)? as f32,
            embeddings_model: Some(embeddings_model.trim().to_string()).filter(|m| !m.is_empty()),
            price_in: number("Input price", &price_in, 0.0)?,
            price_out: number("Output price", &price_out, 0.0)?,
            timeout_secs: number("Timeout", &timeout_secs, 30.0)? as u64,
            max_tokens: number("Max answer tokens", &max_tokens, 1024.0)? as u32,
            allow_private,
        })
    };
    let settings = AgentSettings {
        llm,
        instructions: instructions.trim().to_string(),
    };
    settings.validate().map_err(invalid)?;
    // The key is stored sealed (`secrets`): never as typed, never sent back.
    let mut stored = settings;
    if let Some(llm) = stored.llm.as_mut() {
        llm.api_key = state.db.secrets().seal(&llm.api_key);
    }
    let mut tx = state.db.write().await?;
    db::settings::put(tx.conn(), "agent", &stored, Some(me.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts like a web address: anything else gets `validate`'s message about http://.
#[cfg(feature = "ssr")]
fn url_like(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    /// A day (YYYY-MM-DD) or a conversation id.
    pub key: String,
    pub calls: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_micro_usd: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub days: Vec<UsageRow>,
    pub conversations: Vec<UsageRow>,
    pub total: UsageRow,
    /// Model answers replaced by their passage: they stated what their sources do not.
    pub ungrounded: i64,
    /// Conversations handed over instead of calling the model: the AI budget was spent.
    pub over_budget: i64,
}

#[server(prefix = "/api/owner")]
pub async fn usage_report() -> Result<Usage, AppError> {
    use crate::server::db::usage;
    operator_with(Role::Owner).await?;
    let pool = state()?.db.read;
    let row = |t: usage::Totals| UsageRow {
        key: t.key,
        calls: t.calls,
        prompt_tokens: t.prompt_tokens,
        completion_tokens: t.completion_tokens,
        cost_micro_usd: t.cost_micro_usd,
    };
    let days: Vec<UsageRow> = usage::per_day(&pool, 60)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let mut total = UsageRow {
        key: "total".into(),
        ..Default::default()
    };
    for d in &days {
        total.calls += d.calls;
        total.prompt_tokens += d.prompt_tokens;
        total.completion_tokens += d.completion_tokens;
        total.cost_micro_usd += d.cost_micro_usd;
    }
    Ok(Usage {
        days,
        conversations: usage::per_conversation(&pool, 50)
            .await?
            .into_iter()
            .map(row)
            .collect(),
        total,
        ungrounded: usage::events(&pool, usage::UNGROUNDED).await?,
        over_budget: usage::events(&pool, usage::OVER_BUDGET).await?,
    })
}
