//! Small display rules, pure so they render the same on the server and in the browser.

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

#[cfg(test)]
mod tests {
    use super::*;

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
