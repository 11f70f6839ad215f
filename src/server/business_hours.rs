//! Whether a person can answer now: an operator is available (their toggle) and, when Settings →
//! Business hours are on, it is within them in the business's time zone (jiff, with its own
//! zone database: DST included).

use crate::server::bookings::slots::zone;
use crate::server::db::{self, Pool};
use crate::server::now_ms;
use jiff::Timestamp;
use liaison_protocol::business_hours::BusinessHours;

/// Where Settings keep the hours.
pub const SETTINGS_KEY: &str = "business_hours";

/// Whether `now` (milliseconds) is within the hours; always, when they are off. A time zone
/// that no longer resolves counts as open (the team's availability still decides).
pub fn open_at(hours: &BusinessHours, now: i64) -> bool {
    if !hours.enabled {
        return true;
    }
    let (Ok(tz), Ok(at)) = (zone(&hours.time_zone), Timestamp::from_millisecond(now)) else {
        return true;
    };
    let local = at.to_zoned(tz);
    let day = local.weekday().to_monday_zero_offset() as usize;
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    hours.open_on(day, minute)
}

/// The hours as saved, checked: the time zone must be one the server knows.
pub fn validate(hours: BusinessHours) -> Result<BusinessHours, String> {
    zone(&hours.time_zone)?;
    Ok(hours)
}

/// Whether a person can answer now.
pub async fn someone_can_answer(pool: &Pool) -> Result<bool, sqlx::Error> {
    let hours: BusinessHours = db::settings::get(pool, SETTINGS_KEY)
        .await?
        .unwrap_or_default();
    Ok(open_at(&hours, now_ms()) && db::users::anyone_available(pool).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_hours_are_the_business_time_zones() {
        let hours = BusinessHours {
            enabled: true,
            time_zone: "Europe/Paris".into(),
            ..BusinessHours::default()
        };
        // Monday 30 March 2026, the day after clocks went forward: 09:30 in Paris is 07:30 UTC.
        assert!(open_at(&hours, ms("2026-03-30T07:30:00Z")));
        assert!(
            !open_at(&hours, ms("2026-03-30T06:30:00Z")),
            "08:30 in Paris"
        );
        // Friday 16:59 in Paris is open, 17:00 is not.
        assert!(open_at(&hours, ms("2026-04-03T14:59:00Z")));
        assert!(!open_at(&hours, ms("2026-04-03T15:00:00Z")));
        // Saturday is closed.
        assert!(!open_at(&hours, ms("2026-04-04T10:00:00Z")));
        // Off: always open.
        let off = BusinessHours {
            enabled: false,
            ..hours
        };
        assert!(open_at(&off, ms("2026-04-04T10:00:00Z")));
    }

    #[test]
    fn an_unknown_zone_is_refused() {
        let hours = BusinessHours {
            time_zone: "Mars/Olympus".into(),
            ..BusinessHours::default()
        };
        assert!(validate(hours).unwrap_err().contains("not a time zone"));
    }
}
