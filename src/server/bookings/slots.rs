//! From Settings → Bookings to instants: the weekly hours in the business's time zone, day by
//! day (DST included: a slot is its length in real time, a local time the clock skips is moved
//! as clocks move, and no instant is offered twice), minus blackout days and booked slots.
//! Pure: the time is an argument.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use liaison_protocol::booking::{BookingSettings, Slot};
use std::collections::HashSet;

pub fn zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name.trim())
        .map_err(|_| format!("\"{name}\" is not a time zone (use a name like Europe/Paris)."))
}

/// The free slots after `now`, earliest first, at most `limit`.
pub fn free(
    settings: &BookingSettings,
    now: i64,
    taken: &HashSet<i64>,
    limit: usize,
) -> Result<Vec<Slot>, String> {
    let tz = zone(&settings.time_zone)?;
    let now_ts = Timestamp::from_millisecond(now).map_err(|e| e.to_string())?;
    let today = now_ts.to_zoned(tz.clone()).date();
    let length = i64::from(settings.slot_minutes) * 60_000;
    let step = usize::from(settings.slot_minutes.max(1));
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for offset in 0..i64::from(settings.days_ahead) {
        let Ok(date) = today.checked_add(offset.days()) else {
            break;
        };
        if settings.blackout.iter().any(|d| *d == date.to_string()) {
            continue;
        }
        let day = date.weekday().to_monday_zero_offset() as usize;
        let Some(hours) = settings.weekly[day] else {
            continue;
        };
        if hours.start + settings.slot_minutes > hours.end {
            continue;
        }
        for minute in (hours.start..=hours.end - settings.slot_minutes).step_by(step) {
            let Some(start) = instant(date, minute, &tz) else {
                continue;
            };
            if start <= now || taken.contains(&start) || !seen.insert(start) {
                continue;
            }
            if out.len() >= limit {
                return Ok(out);
            }
            out.push(Slot {
                start,
                end: start + length,
            });
        }
    }
    Ok(out)
}

/// A local time on `date` as an instant (milliseconds). A time the clock skips (spring forward)
/// moves forward by the gap; a time that happens twice (fall back) is its first occurrence.
fn instant(date: Date, minute: u16, tz: &TimeZone) -> Option<i64> {
    let local = date
        .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
        .to_zoned(tz.clone())
        .ok()?;
    Some(local.timestamp().as_millisecond())
}

/// "Tuesday 1 December 2026, 10:00–10:30 (Europe/Paris)": how the thread names a booking.
pub fn label(slot: Slot, time_zone: &str) -> String {
    let Ok(tz) = zone(time_zone) else {
        return format!("{} (UTC ms)", slot.start);
    };
    let at = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned(tz.clone()))
    };
    match (at(slot.start), at(slot.end)) {
        (Some(a), Some(b)) => format!(
            "{}, {}–{} ({})",
            a.strftime("%A %-d %B %Y"),
            a.strftime("%H:%M"),
            b.strftime("%H:%M"),
            time_zone.trim()
        ),
        _ => format!("{} (UTC ms)", slot.start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::booking::DayHours;

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn every_day(start: u16, end: u16, tz: &str) -> BookingSettings {
        let h = Some(DayHours { start, end });
        BookingSettings {
            enabled: true,
            time_zone: tz.into(),
            slot_minutes: 30,
            days_ahead: 1,
            weekly: [h; 7],
            blackout: vec![],
        }
    }

    fn local_times(slots: &[Slot], tz: &str) -> Vec<String> {
        let tz = zone(tz).unwrap();
        slots
            .iter()
            .map(|s| {
                Timestamp::from_millisecond(s.start)
                    .unwrap()
                    .to_zoned(tz.clone())
                    .strftime("%H:%M%:z")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn weekly_hours_become_slots_in_the_business_zone() {
        let s = BookingSettings {
            days_ahead: 7,
            ..every_day(9 * 60, 10 * 60 + 15, "America/New_York")
        };
        // Wednesday 2026-12-02, 08:00 in New York.
        let slots = free(&s, ms("2026-12-02T13:00:00Z"), &HashSet::new(), 100).unwrap();
        assert_eq!(
            slots.len(),
            14,
            "two slots a day (10:15 leaves no room for a third)"
        );
        assert_eq!(slots[0].start, ms("2026-12-02T14:00:00Z"));
        assert_eq!(slots[0].end - slots[0].start, 30 * 60_000);
        assert_eq!(
            local_times(&slots[..2], "America/New_York"),
            ["09:00-05:00", "09:30-05:00"]
        );
    }

    #[test]
    fn spring_forward_offers_each_instant_once() {
        // Paris skips 02:00–03:00 on 2026-03-29.
        let s = every_day(60, 4 * 60, "Europe/Paris");
        let slots = free(&s, ms("2026-03-28T23:30:00Z"), &HashSet::new(), 100).unwrap();
        assert_eq!(
            local_times(&slots, "Europe/Paris"),
            ["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"]
        );
        for s in &slots {
            assert_eq!(
                s.end - s.start,
                30 * 60_000,
                "a slot is its length in real time"
            );
        }
    }

    #[test]
    fn fall_back_keeps_the_first_occurrence() {
        // Paris repeats 02:00–03:00 on 2026-10-25.
        let s = every_day(60, 4 * 60, "Europe/Paris");
        let slots = free(&s, ms("2026-10-24T22:30:00Z"), &HashSet::new(), 100).unwrap();
        assert_eq!(
            local_times(&slots, "Europe/Paris"),
            [
                "01:00+02:00",
                "01:30+02:00",
                "02:00+02:00",
                "02:30+02:00",
                "03:00+01:00",
                "03:30+01:00"
            ]
        );
    }

    #[test]
    fn past_taken_closed_and_blackout_slots_are_left_out() {
        let mut s = every_day(9 * 60, 11 * 60, "UTC");
        s.days_ahead = 3;
        s.weekly[6] = None; // Sunday closed
        s.blackout = vec!["2026-12-05".into()]; // Saturday
        let taken = HashSet::from([ms("2026-12-04T10:00:00Z")]);
        // Friday 2026-12-04, 09:45.
        let slots = free(&s, ms("2026-12-04T09:45:00Z"), &taken, 100).unwrap();
        let starts: Vec<i64> = slots.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            [ms("2026-12-04T10:30:00Z")],
            "09:00, 09:30 past; 10:00 taken"
        );
        assert_eq!(free(&s, ms("2026-12-04T09:45:00Z"), &taken, 0).unwrap(), []);
    }

    #[test]
    fn unknown_zones_are_named() {
        assert!(zone("Mars/Olympus").unwrap_err().contains("Mars/Olympus"));
        let s = every_day(540, 600, "Mars/Olympus");
        assert!(free(&s, 0, &HashSet::new(), 10).is_err());
    }

    #[test]
    fn labels_read_in_the_business_zone() {
        let slot = Slot {
            start: ms("2026-12-01T09:00:00Z"),
            end: ms("2026-12-01T09:30:00Z"),
        };
        assert_eq!(
            label(slot, "Europe/Paris"),
            "Tuesday 1 December 2026, 10:00–10:30 (Europe/Paris)"
        );
    }
}
