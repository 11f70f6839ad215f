//! Data retention (Settings): how long visitors' metadata (browser, time zone, referrer, page,
//! language) is kept after their last visit. Conversations, messages, names and emails are the
//! customer's record and stay; events have their own retention (`LIAISON_EVENT_RETENTION_HOURS`).

use serde::{Deserialize, Serialize};

/// The longest retention that can be set, in days (ten years).
pub const MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Days after a visitor's last visit; None keeps it.
    pub visitor_metadata_days: Option<u32>,
}

impl Retention {
    /// The form's value: a number of days, empty to keep metadata.
    pub fn parse(days: &str) -> Result<Retention, String> {
        let days = days.trim();
        if days.is_empty() {
            return Ok(Retention::default());
        }
        match days.parse::<u32>() {
            Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(Retention {
                visitor_metadata_days: Some(d),
            }),
            _ => Err(format!(
                "Keep visitor metadata for 1 to {MAX_DAYS} days, or leave it empty to keep it."
            )),
        }
    }

    /// Visitors last seen before this moment (ms) lose their metadata, if a limit is set.
    pub fn metadata_cutoff(&self, now_ms: i64) -> Option<i64> {
        self.visitor_metadata_days
            .map(|d| now_ms - i64::from(d) * 86_400_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_one_to_ten_years_or_nothing() {
        assert_eq!(Retention::parse(" ").unwrap(), Retention::default());
        assert_eq!(
            Retention::parse("30").unwrap().visitor_metadata_days,
            Some(30)
        );
        for bad in ["0", "-1", "3651", "a month", "1.5"] {
            assert!(Retention::parse(bad).is_err(), "{bad}");
        }
        let r = Retention::parse("2").unwrap();
        assert_eq!(r.metadata_cutoff(3 * 86_400_000), Some(86_400_000));
        assert_eq!(Retention::default().metadata_cutoff(5), None);
    }
}
