//! Billing (the Owner): this month's usage against the plan's limits, which the Owner sets.
//! No payment processing. The limits form's rules and when a figure is near or over its limit
//! are pure rules here.

use serde::{Deserialize, Serialize};

/// A figure at or above this share of its limit is "near" it.
pub const NEAR_PERCENT: i64 = 80;

/// The plan's limits; None is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// New conversations a calendar month (UTC).
    pub conversations: Option<i64>,
    /// AI tokens a calendar month.
    pub tokens: Option<i64>,
    /// AI cost a calendar month, in millionths of a dollar.
    pub cost_micro_usd: Option<i64>,
    /// Active operators.
    pub seats: Option<i64>,
}

/// The limits form: every field a string, empty for no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsForm {
    #[serde(default)]
    pub conversations: String,
    #[serde(default)]
    pub tokens: String,
    /// Dollars, e.g. "25" or "12.50".
    #[serde(default)]
    pub cost_usd: String,
    #[serde(default)]
    pub seats: String,
}

impl LimitsForm {
    pub fn check(&self) -> Result<Limits, String> {
        let whole = |v: &str, what: &str| -> Result<Option<i64>, String> {
            match v.trim().replace([',', '_', ' '], "").as_str() {
                "" => Ok(None),
                n => n
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        format!(
                            "{what}: give a whole number above 0, or leave it empty for no limit."
                        )
                    }),
            }
        };
        Ok(Limits {
            conversations: whole(&self.conversations, "Conversations a month")?,
            tokens: whole(&self.tokens, "AI tokens a month")?,
            cost_micro_usd: dollars(&self.cost_usd)?,
            seats: whole(&self.seats, "Seats")?,
        })
    }

    /// The form showing `limits`.
    pub fn from_limits(l: &Limits) -> LimitsForm {
        let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        LimitsForm {
            conversations: text(l.conversations),
            tokens: text(l.tokens),
            cost_usd: l
                .cost_micro_usd
                .map(|m| format!("{}.{:02}", m / 1_000_000, m % 1_000_000 / 10_000))
                .unwrap_or_default(),
            seats: text(l.seats),
        }
    }
}

/// "12.50" dollars as millionths; empty is no limit.
fn dollars(v: &str) -> Result<Option<i64>, String> {
    let v = v.trim().trim_start_matches('$');
    if v.is_empty() {
        return Ok(None);
    }
    let refuse = || {
        "AI cost a month: give an amount in dollars above 0 (e.g. 25 or 12.50), or leave it empty."
            .to_string()
    };
    let (units, cents) = v.split_once('.').unwrap_or((v, ""));
    if cents.len() > 2 || !cents.chars().all(|c| c.is_ascii_digit()) {
        return Err(refuse());
    }
    let units: i64 = units.parse().map_err(|_| refuse())?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| refuse())?;
    let micro = units
        .checked_mul(1_000_000)
        .and_then(|u| u.checked_add(cents * 10_000))
        .filter(|m| *m > 0)
        .ok_or_else(refuse)?;
    Ok(Some(micro))
}

/// How a figure stands against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// No limit, or well under it.
    Fine,
    /// At `NEAR_PERCENT` of the limit or more.
    Near,
    /// At the limit or over it.
    Over,
}

pub fn level(used: i64, limit: Option<i64>) -> Level {
    match limit {
        Some(l) if used >= l => Level::Over,
        Some(l) if used * 100 >= l * NEAR_PERCENT => Level::Near,
        _ => Level::Fine,
    }
}

/// This month's figures and the limits, as the Billing page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// "2026-11": the calendar month (UTC) the figures are for.
    pub month: String,
    pub conversations: i64,
    pub tokens: i64,
    pub cost_micro_usd: i64,
    pub seats: i64,
    pub limits: Limits,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_whole_numbers_or_dollars_and_empty_is_none() {
        let l = LimitsForm {
            conversations: "1,000".into(),
            tokens: "".into(),
            cost_usd: "$12.5".into(),
            seats: " 5 ".into(),
        }
        .check()
        .unwrap();
        assert_eq!(l.conversations, Some(1000));
        assert_eq!(l.tokens, None);
        assert_eq!(l.cost_micro_usd, Some(12_500_000));
        assert_eq!(l.seats, Some(5));
        assert_eq!(LimitsForm::from_limits(&l).cost_usd, "12.50");
        assert_eq!(LimitsForm::from_limits(&l).check().unwrap(), l);
        for bad in ["0", "-3", "ten", "1.5"] {
            let f = LimitsForm {
                seats: bad.into(),
                ..Default::default()
            };
            assert!(f.check().unwrap_err().starts_with("Seats"), "{bad}");
        }
        for bad in ["0", "1.234", "abc", "-1", "1.x"] {
            let f = LimitsForm {
                cost_usd: bad.into(),
                ..Default::default()
            };
            assert!(f.check().is_err(), "{bad}");
        }
    }

    #[test]
    fn near_from_eighty_percent_and_over_at_the_limit() {
        assert_eq!(level(10, None), Level::Fine);
        assert_eq!(level(79, Some(100)), Level::Fine);
        assert_eq!(level(80, Some(100)), Level::Near);
        assert_eq!(level(99, Some(100)), Level::Near);
        assert_eq!(level(100, Some(100)), Level::Over);
        assert_eq!(level(250, Some(100)), Level::Over);
        assert_eq!(level(0, Some(1)), Level::Fine);
    }
}
