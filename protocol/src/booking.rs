//! Meetings booked through the widget: the settings that say when slots exist, and the card a
//! booking message carries. Turning the weekly hours into instants (time zones, DST) needs a
//! time-zone database and happens on the server (`server::bookings::slots`).

use serde::{Deserialize, Serialize};

/// A meeting time, as milliseconds since the Unix epoch (UTC); each client shows it in its
/// own time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
}

/// What a booking message shows: the slots offered (a grid), or the one booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingCard {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<Slot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booked: Option<Slot>,
    /// The business's time zone (IANA name), for the label under the grid.
    pub time_zone: String,
}

/// Opening hours of one weekday, minutes after midnight in the business's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub start: u16,
    pub end: u16,
}

/// Settings → Bookings (Admin/Owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingSettings {
    pub enabled: bool,
    /// IANA name, e.g. "Europe/Paris".
    pub time_zone: String,
    pub slot_minutes: u16,
    /// How far ahead slots are offered.
    pub days_ahead: u16,
    /// Monday first; `None` is closed.
    pub weekly: [Option<DayHours>; 7],
    /// Days without meetings, "YYYY-MM-DD" in the business's time zone.
    #[serde(default)]
    pub blackout: Vec<String>,
}

impl Default for BookingSettings {
    fn default() -> Self {
        let office = Some(DayHours {
            start: 9 * 60,
            end: 17 * 60,
        });
        BookingSettings {
            enabled: false,
            time_zone: "UTC".into(),
            slot_minutes: 30,
            days_ahead: 14,
            weekly: [office, office, office, office, office, None, None],
            blackout: Vec::new(),
        }
    }
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub const SLOT_MINUTES: std::ops::RangeInclusive<u16> = 10..=240;
pub const DAYS_AHEAD: std::ops::RangeInclusive<u16> = 1..=90;
/// At most this many slots in one card: a grid a visitor can read.
pub const MAX_OFFERED: usize = 24;

/// "09:00-17:00" (or "9:00–17:30"; empty is closed) into hours; the end after the start.
pub fn parse_hours(text: &str) -> Result<Option<DayHours>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("\"{text}\" is not opening hours like 09:00-17:00.");
    let (a, b) = text.split_once(['-', '–']).ok_or_else(bad)?;
    let start = parse_time(a).ok_or_else(bad)?;
    let end = parse_time(b).ok_or_else(bad)?;
    if end <= start {
        return Err(format!("In \"{text}\" the end must come after the start."));
    }
    Ok(Some(DayHours { start, end }))
}

fn parse_time(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m.to_string().len() > 2 || m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// A week of hours as typed, Monday first; a mistake names its day.
pub fn parse_week(days: [&str; 7]) -> Result<[Option<DayHours>; 7], String> {
    let mut weekly = [None; 7];
    for (i, text) in days.into_iter().enumerate() {
        weekly[i] = parse_hours(text).map_err(|e| format!("{}: {e}", WEEKDAYS[i]))?;
    }
    Ok(weekly)
}

/// A week of hours as a settings form shows it ("09:00-17:00" per day; empty is closed):
/// Settings → Bookings and Settings → Business hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekForm {
    #[serde(default)]
    pub monday: String,
    #[serde(default)]
    pub tuesday: String,
    #[serde(default)]
    pub wednesday: String,
    #[serde(default)]
    pub thursday: String,
    #[serde(default)]
    pub friday: String,
    #[serde(default)]
    pub saturday: String,
    #[serde(default)]
    pub sunday: String,
}

impl WeekForm {
    /// The days' texts, Monday first.
    pub fn days(&self) -> [&str; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    pub fn hours(&self) -> Result<[Option<DayHours>; 7], String> {
        parse_week(self.days())
    }

    pub fn from_week(weekly: &[Option<DayHours>; 7]) -> WeekForm {
        let [
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
        ] = weekly.map(format_hours);
        WeekForm {
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
        }
    }
}

/// "HH:MM-HH:MM", as the settings form shows it.
pub fn format_hours(hours: Option<DayHours>) -> String {
    match hours {
        None => String::new(),
        Some(h) => format!(
            "{:02}:{:02}-{:02}:{:02}",
            h.start / 60,
            h.start % 60,
            h.end / 60,
            h.end % 60
        ),
    }
}

/// One date per line or comma, "YYYY-MM-DD", each a real calendar day; sorted, no repeats.
pub fn parse_blackout(text: &str) -> Result<Vec<String>, String> {
    let mut days = Vec::new();
    for day in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        if !is_calendar_date(day) {
            return Err(format!("\"{day}\" is not a date like 2026-12-24."));
        }
        days.push(day.to_string());
    }
    days.sort();
    days.dedup();
    Ok(days)
}

fn is_calendar_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The checks that need no time-zone database (the server checks the zone's name).
pub fn validate(settings: &BookingSettings) -> Result<(), String> {
    if !SLOT_MINUTES.contains(&settings.slot_minutes) {
        return Err(format!(
            "A slot lasts {} to {} minutes.",
            SLOT_MINUTES.start(),
            SLOT_MINUTES.end()
        ));
    }
    if !DAYS_AHEAD.contains(&settings.days_ahead) {
        return Err(format!(
            "Slots can be offered {} to {} days ahead.",
            DAYS_AHEAD.start(),
            DAYS_AHEAD.end()
        ));
    }
    if settings.enabled && settings.weekly.iter().all(Option::is_none) {
        return Err("Bookings need opening hours on at least one day.".into());
    }
    Ok(())
}

/// The Settings form as typed: hours per weekday as "09:00-17:00" (empty: closed), blackout
/// days one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingForm {
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub enabled: Option<String>,
    pub time_zone: String,
    pub slot_minutes: String,
    pub days_ahead: String,
    /// Hours per weekday (`form[week][monday]`).
    #[serde(default)]
    pub week: WeekForm,
    #[serde(default)]
    pub blackout: String,
}

impl BookingForm {
    /// The settings the form describes, checked (all but the time zone's name, which needs the
    /// server's zone database); the first mistake, said for people.
    pub fn settings(&self) -> Result<BookingSettings, String> {
        let number = |text: &str, what: &str| {
            text.trim()
                .parse::<u16>()
                .map_err(|_| format!("{what} must be a whole number."))
        };
        let weekly = self.week.hours()?;
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.is_empty() {
            return Err("Give the time zone the hours are in, e.g. Europe/Paris.".into());
        }
        let settings = BookingSettings {
            enabled: self.enabled.is_some(),
            time_zone,
            slot_minutes: number(&self.slot_minutes, "The slot length")?,
            days_ahead: number(&self.days_ahead, "Days ahead")?,
            weekly,
            blackout: parse_blackout(&self.blackout)?,
        };
        validate(&settings)?;
        Ok(settings)
    }

    /// The form showing `settings`.
    pub fn from_settings(s: &BookingSettings) -> BookingForm {
        BookingForm {
            enabled: s.enabled.then(|| "on".into()),
            time_zone: s.time_zone.clone(),
            slot_minutes: s.slot_minutes.to_string(),
            days_ahead: s.days_ahead.to_string(),
            week: WeekForm::from_week(&s.weekly),
            blackout: s.blackout.join("\n"),
        }
    }
}

/// `POST /booking` (widget API): the slot the visitor chose, by its start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookRequest {
    pub start: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_and_checked() {
        assert_eq!(
            parse_hours(" 9:00 – 17:30 ").unwrap(),
            Some(DayHours {
                start: 540,
                end: 1050
            })
        );
        assert_eq!(parse_hours("").unwrap(), None);
        assert_eq!(
            parse_hours("00:00-24:00").unwrap(),
            Some(DayHours {
                start: 0,
                end: 1440
            })
        );
        for bad in [
            "9-17",
            "17:00-09:00",
            "09:00-09:00",
            "25:00-26:00",
            "09:60-10:00",
            "noon",
        ] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
        let h = parse_hours("08:05-12:00").unwrap();
        assert_eq!(parse_hours(&format_hours(h)).unwrap(), h);
    }

    #[test]
    fn blackout_days_are_real_dates() {
        assert_eq!(
            parse_blackout("2026-12-25, 2026-12-24\n2026-12-25\n").unwrap(),
            vec!["2026-12-24", "2026-12-25"]
        );
        assert!(parse_blackout("2028-02-29").is_ok());
        for bad in [
            "2027-02-29",
            "2026-13-01",
            "2026-4-01",
            "24/12/2026",
            "2026-12-32",
        ] {
            assert!(parse_blackout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_form_round_trips_and_names_mistakes() {
        let s = BookingSettings {
            enabled: true,
            blackout: vec!["2026-12-24".into()],
            ..BookingSettings::default()
        };
        assert_eq!(BookingForm::from_settings(&s).settings().unwrap(), s);
        let mut form = BookingForm::from_settings(&s);
        form.week.wednesday = "17:00-09:00".into();
        assert!(form.settings().unwrap_err().starts_with("Wednesday:"));
        let mut form = BookingForm::from_settings(&s);
        form.slot_minutes = "half an hour".into();
        assert!(form.settings().unwrap_err().contains("whole number"));
        let mut form = BookingForm::from_settings(&s);
        form.enabled = None;
        assert!(!form.settings().unwrap().enabled);
    }

    #[test]
    fn settings_bounds() {
        let mut s = BookingSettings::default();
        assert!(validate(&s).is_ok());
        s.slot_minutes = 5;
        assert!(validate(&s).is_err());
        s.slot_minutes = 30;
        s.enabled = true;
        s.weekly = [None; 7];
        assert!(validate(&s).unwrap_err().contains("at least one day"));
    }
}
