//! Data retention (Settings): how long visitors' metadata (browser, time zone, referrer, page,
//! language) is kept after their last visit, and how long attachments' files are kept after
//! they were sent. Conversations, messages, names and emails are the customer's record and
//! stay; events have their own retention (`LIAISON_EVENT_RETENTION_HOURS`).

use serde::{Deserialize, Serialize};

/// The longest retention that can be set, in days (ten years).
pub const MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Days after a visitor's last visit; None keeps it.
    pub visitor_metadata_days: Option<u32>,
    /// Days after an attachment was sent; None keeps it.
    #[serde(default)]
    pub attachment_days: Option<u32>,
    /// Hours the live-update events are kept for streams that reconnect; None: the server's
    /// `LIAISON_EVENT_RETENTION_HOURS`.
    #[serde(default)]
    pub event_hours: Option<u32>,
}

/// The longest event retention that can be set, in hours (a year).
pub const MAX_EVENT_HOURS: u32 = 8760;

/// One field of the form: a number of days, empty to keep.
fn days(text: &str, what: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(Some(d)),
        _ => Err(format!(
            "Keep {what} for 1 to {MAX_DAYS} days, or leave it empty to keep it."
        )),
    }
}

impl Retention {
    /// The form's values: numbers of days, empty to keep; hours of events, empty for the
    /// server's default.
    pub fn parse(
        metadata_days: &str,
        attachment_days: &str,
        event_hours: &str,
    ) -> Result<Retention, String> {
        let event_hours = match event_hours.trim() {
            "" => None,
            h => match h.parse::<u32>() {
                Ok(h) if (1..=MAX_EVENT_HOURS).contains(&h) => Some(h),
                _ => {
                    return Err(format!(
                        "Keep events for 1 to {MAX_EVENT_HOURS} hours, or leave it empty for the server's default."
                    ));
                }
            },
        };
        Ok(Retention {
            visitor_metadata_days: days(metadata_days, "visitor metadata")?,
            attachment_days: days(attachment_days, "attachments")?,
            event_hours,
        })
    }

    /// Events created before this moment (ms) are deleted; `default_hours` when none is set.
    pub fn event_cutoff(&self, now_ms: i64, default_hours: u64) -> i64 {
        let hours = self.event_hours.map_or(default_hours, u64::from);
        now_ms - (hours as i64) * 3_600_000
    }

    /// Visitors last seen before this moment (ms) lose their metadata, if a limit is set.
    pub fn metadata_cutoff(&self, now_ms: i64) -> Option<i64> {
        self.visitor_metadata_days
            .map(|d| now_ms - i64::from(d) * 86_400_000)
    }

    /// Attachments sent before this moment (ms) are removed, if a limit is set.
    pub fn attachment_cutoff(&self, now_ms: i64) -> Option<i64> {
        self.attachment_days
            .map(|d| now_ms - i64::from(d) * 86_400_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_one_to_ten_years_or_nothing() {
        assert_eq!(
            Retention::parse(" ", "", " ").unwrap(),
            Retention::default()
        );
        assert_eq!(
            Retention::parse("30", "", "")
                .unwrap()
                .visitor_metadata_days,
            Some(30)
        );
        for bad in ["0", "-1", "3651", "a month", "1.5"] {
            assert!(Retention::parse(bad, "", "").is_err(), "{bad}");
            let e = Retention::parse("", bad, "").unwrap_err();
            assert!(e.contains("attachments"), "{bad}: {e}");
        }
        for bad in ["0", "8761", "a day"] {
            let e = Retention::parse("", "", bad).unwrap_err();
            assert!(e.contains("hours"), "{bad}: {e}");
        }
        let hours = Retention::parse("", "", "2").unwrap();
        assert_eq!(hours.event_cutoff(10 * 3_600_000, 168), 8 * 3_600_000);
        assert_eq!(
            Retention::default().event_cutoff(200 * 3_600_000, 168),
            32 * 3_600_000
        );
        let r = Retention::parse("2", "1", "").unwrap();
        assert_eq!(r.metadata_cutoff(3 * 86_400_000), Some(86_400_000));
        assert_eq!(r.attachment_cutoff(3 * 86_400_000), Some(2 * 86_400_000));
        assert_eq!(Retention::default().metadata_cutoff(5), None);
        assert_eq!(Retention::default().attachment_cutoff(5), None);
        // Saved before attachments had a limit: still read.
        let old: Retention = serde_json::from_str(r#"{"visitor_metadata_days":7}"#).unwrap();
        assert_eq!(old.attachment_days, None);
    }
}
