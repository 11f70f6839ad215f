//! The AI budget (Settings → AI budget): tokens a day, dollars a day, tokens a conversation. Past
//! any of them the AI hands the conversation to a person instead of calling the model, and the
//! Owner sees how often in AI usage. Empty means no limit. Pure rules; the server reads what was
//! spent (a daily rollup kept as calls are recorded, and the conversation's own calls).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AiBudget {
    pub daily_tokens: Option<i64>,
    /// Millionths of a US dollar, at the prices in Settings → AI agent.
    pub daily_cost_micro_usd: Option<i64>,
    pub conversation_tokens: Option<i64>,
}

/// What has been spent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    pub day_tokens: i64,
    pub day_cost_micro_usd: i64,
    pub conversation_tokens: i64,
}

/// The limit that was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    DailyTokens,
    DailyCost,
    ConversationTokens,
}

impl Limit {
    pub fn label(self) -> &'static str {
        match self {
            Limit::DailyTokens => "the daily token budget",
            Limit::DailyCost => "the daily cost cap",
            Limit::ConversationTokens => "the conversation's token budget",
        }
    }
}

impl AiBudget {
    pub fn is_unlimited(&self) -> bool {
        *self == AiBudget::default()
    }

    /// The first limit `spent` has reached, if any: the next call would go past it.
    pub fn reached(&self, spent: &Spent) -> Option<Limit> {
        let at = |limit: Option<i64>, used: i64| limit.is_some_and(|l| used >= l);
        if at(self.daily_tokens, spent.day_tokens) {
            Some(Limit::DailyTokens)
        } else if at(self.daily_cost_micro_usd, spent.day_cost_micro_usd) {
            Some(Limit::DailyCost)
        } else if at(self.conversation_tokens, spent.conversation_tokens) {
            Some(Limit::ConversationTokens)
        } else {
            None
        }
    }

    /// The budget as typed in Settings: whole tokens, dollars with up to 6 decimals; empty
    /// means no limit. The message names the field.
    pub fn from_form(
        daily_tokens: &str,
        daily_cost_usd: &str,
        conversation_tokens: &str,
    ) -> Result<AiBudget, String> {
        let tokens = |name: &str, v: &str| -> Result<Option<i64>, String> {
            let v = v.trim().replace([',', '_', ' '], "");
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!(
                    "{name}: {v:?} is not a number of tokens above zero (leave it empty for no limit)."
                )),
            }
        };
        let dollars = daily_cost_usd.trim().trim_start_matches('$').trim();
        let daily_cost_micro_usd = if dollars.is_empty() {
            None
        } else {
            match dollars.parse::<f64>() {
                Ok(d) if d > 0.0 && d < 1e9 => Some((d * 1_000_000.0).round() as i64),
                _ => {
                    return Err(format!(
                        "Daily cost cap: {dollars:?} is not an amount in dollars above zero (leave it empty for no limit)."
                    ));
                }
            }
        };
        Ok(AiBudget {
            daily_tokens: tokens("Daily tokens", daily_tokens)?,
            daily_cost_micro_usd,
            conversation_tokens: tokens("Tokens per conversation", conversation_tokens)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_reached_at_its_value() {
        let budget = AiBudget::from_form("1,000", "$0.50", "").unwrap();
        assert_eq!(budget.daily_cost_micro_usd, Some(500_000));
        let spent = |t, c, conv| Spent {
            day_tokens: t,
            day_cost_micro_usd: c,
            conversation_tokens: conv,
        };
        assert_eq!(budget.reached(&spent(999, 0, 0)), None);
        assert_eq!(budget.reached(&spent(1000, 0, 0)), Some(Limit::DailyTokens));
        assert_eq!(
            budget.reached(&spent(0, 500_000, 0)),
            Some(Limit::DailyCost)
        );
        assert_eq!(
            budget.reached(&spent(0, 0, 1_000_000)),
            None,
            "no conversation limit"
        );
        let per_conversation = AiBudget::from_form("", "", "300").unwrap();
        assert_eq!(
            per_conversation.reached(&spent(0, 0, 300)),
            Some(Limit::ConversationTokens)
        );
        assert!(AiBudget::from_form("", "", "").unwrap().is_unlimited());
    }

    #[test]
    fn bad_amounts_are_named() {
        assert!(
            AiBudget::from_form("lots", "", "")
                .unwrap_err()
                .starts_with("Daily tokens")
        );
        assert!(AiBudget::from_form("0", "", "").is_err());
        assert!(
            AiBudget::from_form("", "-1", "")
                .unwrap_err()
                .starts_with("Daily cost cap")
        );
        assert!(
            AiBudget::from_form("", "", "1.5")
                .unwrap_err()
                .starts_with("Tokens per")
        );
    }
}
