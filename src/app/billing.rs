//! The Billing page (`/billing`, the Owner): this month's conversations, AI tokens and cost, and
//! seats, each against the plan's limit the Owner sets here, with a warning near or over it. No
//! payment processing.

use crate::app::error::AppError;
use crate::app::format;
use leptos::prelude::*;
use liaison_protocol::billing::{Billing, Level, Limits, LimitsForm, level};

/// The settings key the limits are kept under.
#[cfg(feature = "ssr")]
const LIMITS_KEY: &str = "billing_limits";

#[server(prefix = "/api/owner")]
pub async fn current_billing() -> Result<Billing, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    use crate::server::db;
    operator_with(liaison_protocol::Role::Owner).await?;
    let pool = &state()?.db.read;
    let now = time::OffsetDateTime::from_unix_timestamp(crate::server::now_ms() / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    let first = now.replace_day(1).unwrap_or(now);
    // Days since 1970-01-01 (Julian day 2440588).
    let first_day = i64::from(first.to_julian_day()) - 2_440_588;
    let first_text = format!("{:04}-{:02}-01", first.year(), u8::from(first.month()));
    let (tokens, cost_micro_usd) = db::billing::usage_since(pool, &first_text).await?;
    Ok(Billing {
        month: first_text[..7].to_string(),
        conversations: db::billing::conversations_since(pool, first_day).await?,
        tokens,
        cost_micro_usd,
        seats: db::billing::seats(pool).await?,
        limits: db::settings::get::<Limits>(pool, LIMITS_KEY)
            .await?
            .unwrap_or_default(),
    })
}

#[server(prefix = "/api/owner")]
pub async fn save_limits(form: LimitsForm) -> Result<Limits, AppError> {
    use crate::app::auth::ssr::{operator_with, state};
    let me = operator_with(liaison_protocol::Role::Owner).await?;
    let limits = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::settings::put(tx.conn(), LIMITS_KEY, &limits, Some(me.id)).await?;
    tx.commit().await?;
    Ok(limits)
}

fn money(micro: i64) -> String {
    format!("${}.{:02}", micro / 1_000_000, micro % 1_000_000 / 10_000)
}

/// One figure against its limit: the bar, and a warning near or over it.
fn meter(
    id: &'static str,
    label: &'static str,
    used: i64,
    limit: Option<i64>,
    show: fn(i64) -> String,
) -> impl IntoView {
    let lvl = level(used, limit);
    let share = limit.map(|l| (used * 100 / l.max(1)).min(100)).unwrap_or(0);
    let class = match lvl {
        Level::Fine => "stat meter card",
        Level::Near => "stat meter card near",
        Level::Over => "stat meter card over",
    };
    view! {
        <div class=class data-meter=id>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{show(used)}
                <span class="muted small">{limit.map_or(" · no limit".to_string(), |l| format!(" of {}", show(l)))}</span>
            </span>
            {limit.map(|_| view! { <progress max="100" value=share></progress> })}
            {match lvl {
                Level::Fine => None,
                Level::Near => Some(view! { <p class="warning" role="status">"Near the limit."</p> }.into_any()),
                Level::Over => Some(view! { <p class="error" role="alert">"Over the limit."</p> }.into_any()),
            }}
        </div>
    }
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let save = ServerAction::<SaveLimits>::new();
    let billing = crate::app::codec::resource(move || save.version().get(), |_| current_billing());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(_) => view! { <p class="notice" role="status">"Limits saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <div class="page billing-page">
            <header class="page-header"><h1>"Billing"</h1></header>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match billing.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(b) => {
                            let l = b.limits;
                            let form = LimitsForm::from_limits(&l);
                            view! {
                                <p class="muted">{format!("Usage in {} (UTC), against your plan's limits. ", b.month)}
                                    <a href="/usage">"AI usage in detail"</a></p>
                                <section class="stats">
                                    {meter("conversations", "Conversations this month", b.conversations, l.conversations, format::count)}
                                    {meter("tokens", "AI tokens this month", b.tokens, l.tokens, format::count)}
                                    {meter("cost", "AI cost this month", b.cost_micro_usd, l.cost_micro_usd, money)}
                                    {meter("seats", "Seats used", b.seats, l.seats, format::count)}
                                </section>
                                <section class="card">
                                    <h2>"Plan limits"</h2>
                                    <p class="muted small">"Leave a field empty for no limit. A warning shows from 80% of a limit."</p>
                                    <ActionForm action=save attr:class="settings-form limits-form">
                                        <label>"Conversations a month" <input name="form[conversations]" inputmode="numeric" value=form.conversations/></label>
                                        <label>"AI tokens a month" <input name="form[tokens]" inputmode="numeric" value=form.tokens/></label>
                                        <label>"AI cost a month ($)" <input name="form[cost_usd]" inputmode="decimal" value=form.cost_usd/></label>
                                        <label>"Seats" <input name="form[seats]" inputmode="numeric" value=form.seats/></label>
                                        <button type="submit" class="primary">"Save limits"</button>
                                    </ActionForm>
                                    {outcome}
                                </section>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
