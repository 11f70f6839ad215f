//! Business hours (Settings → Business hours): when a person can answer. Outside them, or when
//! no operator is available, the widget says the team is away and "Talk to a human" becomes
//! "Leave a message". Off by default (then only operators' availability counts).

use crate::booking::{DayHours, WeekForm};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub enabled: bool,
    /// IANA name, e.g. "Europe/Paris".
    pub time_zone: String,
    /// Monday first; `None` is closed.
    pub weekly: [Option<DayHours>; 7],
}

impl Default for BusinessHours {
    fn default() -> Self {
        let office = Some(DayHours {
            start: 9 * 60,
            end: 17 * 60,
        });
        BusinessHours {
            enabled: false,
            time_zone: "UTC".into(),
            weekly: [office, office, office, office, office, None, None],
        }
    }
}

impl BusinessHours {
    /// Whether `minute` (after local midnight) of weekday `day` (Monday 0) is within the hours.
    pub fn open_on(&self, day: usize, minute: u16) -> bool {
        self.weekly
            .get(day)
            .copied()
            .flatten()
            .is_some_and(|h| h.start <= minute && minute < h.end)
    }
}

/// The form as typed: hours per weekday as "09:00-17:00" (empty: closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHoursForm {
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub enabled: Option<String>,
    pub time_zone: String,
    /// Hours per weekday (`form[week][monday]`).
    #[serde(default)]
    pub week: WeekForm,
}

impl BusinessHoursForm {
    /// The hours the form describes (the time zone's name is checked by the server, which has
    /// the zone database); the first mistake, said for people.
    pub fn hours(&self) -> Result<BusinessHours, String> {
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.is_empty() {
            return Err("Give the time zone the hours are in, e.g. Europe/Paris.".into());
        }
        Ok(BusinessHours {
            enabled: self.enabled.is_some(),
            time_zone,
            weekly: self.week.hours()?,
        })
    }

    pub fn from_hours(h: &BusinessHours) -> BusinessHoursForm {
        BusinessHoursForm {
            enabled: h.enabled.then(|| "on".into()),
            time_zone: h.time_zone.clone(),
            week: WeekForm::from_week(&h.weekly),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_and_names_mistakes() {
        let hours = BusinessHours::default();
        assert_eq!(
            BusinessHoursForm::from_hours(&hours).hours().unwrap(),
            hours
        );
        let mut form = BusinessHoursForm::from_hours(&hours);
        form.week.wednesday = "17:00-09:00".into();
        assert!(form.hours().unwrap_err().starts_with("Wednesday"));
        form.week.wednesday.clear();
        form.time_zone = " ".into();
        assert!(form.hours().unwrap_err().contains("time zone"));
    }

    #[test]
    fn open_within_the_days_hours_only() {
        let h = BusinessHours::default();
        assert!(h.open_on(0, 9 * 60));
        assert!(h.open_on(4, 17 * 60 - 1));
        assert!(!h.open_on(4, 17 * 60), "the end is not open");
        assert!(!h.open_on(5, 12 * 60), "Saturday is closed");
        assert!(!h.open_on(9, 12 * 60));
    }
}
