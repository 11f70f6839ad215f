//! Settings → AI budget: tokens a day, a daily cost cap, tokens a conversation. Past any of
//! them the AI hands over instead of calling the model (rules in `protocol/src/ai_budget.rs`).

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::ai_budget::AiBudget;

#[server(prefix = "/api/admin")]
pub async fn current_ai_budget() -> Result<AiBudget, AppError> {
    super::api::admin_read(crate::server::ai::budget::SETTINGS_KEY).await
}

#[server(prefix = "/api/admin")]
pub async fn save_ai_budget(
    daily_tokens: String,
    daily_cost_usd: String,
    conversation_tokens: String,
) -> Result<(), AppError> {
    super::api::admin_write(crate::server::ai::budget::SETTINGS_KEY, || {
        AiBudget::from_form(&daily_tokens, &daily_cost_usd, &conversation_tokens)
    })
    .await
}

#[component]
pub fn AiBudgetSection() -> impl IntoView {
    let save = ServerAction::<SaveAiBudget>::new();
    let current =
        crate::app::codec::resource(move || save.version().get(), |_| current_ai_budget());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"AI budget saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <section class="card">
            <h2>"AI budget"</h2>
            <p class="muted small">"Past any of these the AI hands the conversation to your team instead of calling the model; AI usage counts how often. Costs use the prices above. Leave a field empty for no limit."</p>
            {outcome}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let b = current.await.unwrap_or_default();
                    let dollars = b
                        .daily_cost_micro_usd
                        .map(|m| format!("{:.2}", m as f64 / 1_000_000.0))
                        .unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="settings-form ai-budget">
                            <label>"Tokens a day"
                                <input name="daily_tokens" inputmode="numeric" placeholder="no limit" value=text(b.daily_tokens)/>
                            </label>
                            <label>"Cost cap a day (US dollars)"
                                <input name="daily_cost_usd" inputmode="decimal" placeholder="no limit" value=dollars/>
                            </label>
                            <label>"Tokens per conversation"
                                <input name="conversation_tokens" inputmode="numeric" placeholder="no limit" value=text(b.conversation_tokens)/>
                            </label>
                            <button type="submit" class="secondary">"Save AI budget"</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}
