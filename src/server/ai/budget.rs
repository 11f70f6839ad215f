//! The AI budget in force (Settings → AI budget, rules in `protocol/src/ai_budget.rs`): read
//! before each model call. What a day has spent is one row of the daily rollup; what a
//! conversation has spent, its own usage rows.

use super::agent::record_event;
use super::llm::Endpoint;
use crate::server::db::{self, Db};
use crate::server::now_ms;
use liaison_protocol::ai_budget::{AiBudget, Limit, Spent};

/// Where Settings keep the budget.
pub const SETTINGS_KEY: &str = "ai_budget";

/// The limit the next call would go past, if any (None with no budget set: one settings read).
pub async fn reached(db: &Db, conversation_id: Option<i64>) -> Result<Option<Limit>, sqlx::Error> {
    let budget: AiBudget = db::settings::get(&db.read, SETTINGS_KEY)
        .await?
        .unwrap_or_default();
    if budget.is_unlimited() {
        return Ok(None);
    }
    let today = db::usage::day_of(now_ms());
    let (day_tokens, day_cost_micro_usd) = db::usage::day_totals(&db.read, &today).await?;
    let conversation_tokens = match (budget.conversation_tokens, conversation_id) {
        (Some(_), Some(id)) => db::usage::conversation_tokens(&db.read, id).await?,
        _ => 0,
    };
    Ok(budget.reached(&Spent {
        day_tokens,
        day_cost_micro_usd,
        conversation_tokens,
    }))
}

/// A model call skipped because the budget was spent: counted in AI usage for the Owner.
pub async fn record_skipped(
    db: &Db,
    endpoint: &Endpoint,
    conversation_id: Option<i64>,
    limit: Limit,
) {
    tracing::info!(
        conversation = conversation_id,
        "{} is spent: no model call",
        limit.label()
    );
    record_event(db, endpoint, conversation_id, db::usage::OVER_BUDGET).await;
}
