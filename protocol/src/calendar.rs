//! Days numbered from 1970-01-01 (UTC), as the rollups store them, and their civil dates.

/// The UTC day of a time in milliseconds since the epoch.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

/// The civil date (year, month 1–12, day 1–31) of a day number (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The day number of a civil date, None when the date does not exist (Feb 30).
pub fn day_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let n = era * 146_097 + doe - 719_468;
    // Out-of-range days roll into the next month: refuse them.
    (civil(n) == (year, month, day)).then_some(n)
}

/// "2026-11-28".
pub fn iso_date(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of "YYYY-MM-DD" (what `<input type="date">` sends), None if it is not one.
pub fn parse_iso_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    day_from_civil(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        for n in -146_097..146_097 {
            let (y, m, d) = civil(n);
            assert_eq!(day_from_civil(y, m, d), Some(n));
        }
    }

    #[test]
    fn parses_dates_and_refuses_others() {
        assert_eq!(parse_iso_date("1970-01-01"), Some(0));
        assert_eq!(parse_iso_date("2026-11-28"), Some(20_785));
        assert_eq!(iso_date(20_785), "2026-11-28");
        assert_eq!(parse_iso_date("2024-02-29"), day_from_civil(2024, 2, 29));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-01",
            "yesterday",
            "",
            "2026-11-31",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }
}
