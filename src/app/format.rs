//! Small display rules, pure so they render the same on the server and in the browser.

use liaison_protocol::calendar::civil;

/// This machine's clock, in ms since the epoch (the browser's once hydrated).
pub fn clock_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

/// "just now", "5m", "3h", "2d": how long ago `then` was, at `now` (both ms since the epoch).
pub fn ago(now: i64, then: i64) -> String {
    let secs = (now - then).max(0) / 1000;
    match secs {
        0..=44 => "just now".into(),
        45..=3599 => format!("{}m", (secs / 60).max(1)),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// "45s", "12m", "3h 5m", "2d 4h": how long something lasted.
pub fn duration(ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h {}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// "2026-11-28 14:05 UTC": a moment the same on the server and in every browser (the page is
/// rendered on the server, so local time would differ between the two).
pub fn date_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (year, month, day) = civil(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Nov 28": a UTC day numbered from 1970-01-01, as the charts label it.
pub fn short_date(day: i64) -> String {
    let (_, month, d) = civil(day);
    format!("{} {d}", MONTHS[(month - 1) as usize])
}

/// "1,234,567": a count with thousands separators.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_utc() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(date_time(1_795_651_500_000), "2026-11-26 00:05 UTC");
        assert_eq!(date_time(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(short_date(0), "Jan 1");
        assert_eq!(short_date(1_795_651_500_000 / 86_400_000), "Nov 26");
        assert_eq!(short_date(951_782_400_000 / 86_400_000), "Feb 29");
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-12_345), "-12,345");
    }

    #[test]
    fn ages() {
        assert_eq!(ago(10_000, 10_000), "just now");
        assert_eq!(ago(60_000, 0), "1m");
        assert_eq!(ago(3_600_000 * 5, 0), "5h");
        assert_eq!(ago(86_400_000 * 3, 0), "3d");
        assert_eq!(ago(0, 5_000), "just now");
        assert_eq!(duration(45_000), "45s");
        assert_eq!(duration(3_600_000 + 300_000), "1h 5m");
        assert_eq!(duration(86_400_000 * 2 + 3_600_000 * 4), "2d 4h");
        assert_eq!(duration(-1), "0s");
    }
}
