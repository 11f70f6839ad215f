//! Settings (the AI agent: endpoint, model, instructions) and Usage (tokens and cost, Owner).

pub mod ai_budget;
pub mod api;
pub mod bookings;
pub mod business_hours;
pub mod prechat;
pub mod quick_replies;
pub mod ratings;
pub mod retention;
pub mod weekly_hours;
pub mod widget_look;
pub mod widget_security;

use api::{SaveAgentSettings, get_agent_settings, usage_report};
use leptos::prelude::*;

/// Dollars from millionths of a dollar.
pub fn dollars(micro: i64) -> String {
    format!("${:.4}", micro as f64 / 1_000_000.0)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveAgentSettings>::new();
    let settings =
        crate::app::codec::resource(move || save.version().get(), |_| get_agent_settings());
    let result = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Settings saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <div class="page settings-page">
            <header class="page-header"><h1>"Settings"</h1></header>
            {result}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(s) => view! {
                            <ActionForm action=save attr:class="card settings-form">
                                <h2>"AI agent"</h2>
                                <p class="muted small">
                                    "Any OpenAI-compatible endpoint: OpenAI (https://api.openai.com/v1), Ollama (http://localhost:11434/v1), llama.cpp, vLLM. Leave the base URL empty to answer with the built-in answerer (the best knowledge-base passage). Currently from: "
                                    {s.origin.clone()}"."
                                </p>
                                <label>"Base URL"<input type="url" name="form[base_url]" value=s.base_url placeholder="https://api.openai.com/v1"/></label>
                                <label>"Model"<input type="text" name="form[model]" value=s.model placeholder="gpt-4o-mini"/></label>
                                <label>"API key"
                                    <input type="password" name="form[api_key]" autocomplete="off"
                                        placeholder=if s.has_api_key { "•••••• (set; leave empty to keep)" } else { "none" }/>
                                    <span class="muted small">"The key is only ever sent to this base URL: changing the base URL removes it, so enter the new endpoint's key with it."</span>
                                </label>
                                <label class="inline"><input type="checkbox" name="form[clear_api_key]" value="on"/>" Remove the API key"</label>
                                <label>"Temperature"<input type="number" name="form[temperature]" min="0" max="2" step="0.1" value=s.temperature.to_string()/></label>
                                <label>"Embeddings model (optional: hybrid search)"<input type="text" name="form[embeddings_model]" value=s.embeddings_model placeholder="text-embedding-3-small"/></label>
                                <label>"Price per million input tokens (USD)"<input type="number" name="form[price_in]" min="0" step="0.01" value=s.price_in.to_string()/></label>
                                <label>"Price per million output tokens (USD)"<input type="number" name="form[price_out]" min="0" step="0.01" value=s.price_out.to_string()/></label>
                                <label>"Time limit per token (seconds)"<input type="number" name="form[timeout_secs]" min="1" max="600" value=s.timeout_secs.to_string()/></label>
                                <label>"Max answer tokens"<input type="number" name="form[max_tokens]" min="16" max="32768" value=s.max_tokens.to_string()/></label>
                                <label class="inline">
                                    <input type="checkbox" name="form[allow_private]" value="on" checked=s.allow_private/>
                                    " Allow a private address (a model on this machine or network, e.g. Ollama). Only the Owner can turn this on: otherwise the server calls public addresses only."
                                </label>
                                <label>"Agent instructions"
                                    <textarea name="form[instructions]" rows="6" maxlength="8000"
                                        placeholder="Tone, product facts, what not to promise. Added to the AI's system prompt.">{s.instructions}</textarea>
                                </label>
                                <button type="submit" class="primary">"Save settings"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ai_budget::AiBudgetSection/>
            <quick_replies::QuickRepliesSettings/>
            <ratings::RatingSettings/>
            <retention::RetentionSettings/>
            <widget_look::WidgetSection/>
            <widget_security::WidgetSecuritySection/>
            <business_hours::BusinessHoursSection/>
            <prechat::PrechatSection/>
            <bookings::BookingSettings/>
        </div>
    }
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let report = crate::app::codec::resource(|| (), |_| usage_report());
    view! {
        <div class="page usage-page">
            <header class="page-header"><h1>"AI usage"</h1></header>
            <p class="muted">"Tokens sent to and received from the LLM, with the cost estimated at the prices in Settings."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(r) => view! {
                            <p class="stat" data-testid="usage-total">
                                {format!("{} calls · {} tokens in · {} tokens out · {}", r.total.calls, r.total.prompt_tokens, r.total.completion_tokens, dollars(r.total.cost_micro_usd))}
                            </p>
                            <p class="muted" data-testid="usage-over-budget">
                                {format!("Conversations handed over without calling the model, because the AI budget (Settings) was spent: {}", r.over_budget)}
                            </p>
                            <p class="muted" data-testid="usage-ungrounded">
                                {format!("Answers replaced by their source passage (they stated a figure, plan or setting the passage does not): {}", r.ungrounded)}
                            </p>
                            <h2>"Per day"</h2>
                            <UsageTable rows=r.days first="Day" link=false/>
                            <h2>"Per conversation"</h2>
                            <UsageTable rows=r.conversations first="Conversation" link=true/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn UsageTable(rows: Vec<api::UsageRow>, first: &'static str, link: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No LLM calls yet."</p> }.into_any();
    }
    view! {
        <table class="usage">
            <thead><tr><th>{first}</th><th>"Calls"</th><th>"Tokens in"</th><th>"Tokens out"</th><th>"Cost"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td>{if link {
                            view! { <a href=format!("/conversations?c={}", r.key)>{format!("#{}", r.key)}</a> }.into_any()
                        } else {
                            view! { <span>{r.key.clone()}</span> }.into_any()
                        }}</td>
                        <td>{r.calls}</td>
                        <td>{r.prompt_tokens}</td>
                        <td>{r.completion_tokens}</td>
                        <td>{dollars(r.cost_micro_usd)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}
