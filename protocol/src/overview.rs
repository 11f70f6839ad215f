//! The Overview page: what its cards and 14-day charts show, and the rules that turn the
//! server's maintained counts into them (rates, averages, days with no activity, chart scales).

use serde::{Deserialize, Serialize};

/// How many days the charts cover, today included.
pub const CHART_DAYS: usize = 14;

pub use crate::calendar::day_of;

/// What the Overview shows depends on the role: the whole team's figures for Owners and
/// Admins, the operator's own queue for Agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Overview {
    Team(TeamOverview),
    Agent(AgentOverview),
}

/// The eight cards and four charts of Owners and Admins. Counts are all-time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub total_sessions: i64,
    /// AI and operator messages customers received.
    pub messages_sent: i64,
    pub bookings_made: i64,
    pub resolved: i64,
    pub documents_ready: i64,
    pub agent_requests: i64,
    pub ratings: i64,
    pub rating_sum: i64,
    /// The last `CHART_DAYS` days, oldest first, today last.
    pub days: Vec<DayActivity>,
}

impl TeamOverview {
    /// Resolved conversations as a whole percentage of all, None before the first one.
    pub fn resolution_rate(&self) -> Option<u8> {
        percent(self.resolved, self.total_sessions)
    }

    /// The customers' average rating (1–5) to one decimal, None before the first rating.
    pub fn average_rating(&self) -> Option<f64> {
        (self.ratings > 0).then(|| {
            let tenths = (self.rating_sum * 10 + self.ratings / 2) / self.ratings;
            tenths as f64 / 10.0
        })
    }
}

/// One day of the charts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayActivity {
    pub day: i64,
    pub sessions: i64,
    pub resolved: i64,
    pub messages: i64,
    pub bookings: i64,
}

/// The four charts, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Sessions,
    Resolved,
    Messages,
    Bookings,
}

impl Series {
    pub const ALL: [Series; 4] = [
        Series::Sessions,
        Series::Resolved,
        Series::Messages,
        Series::Bookings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Series::Sessions => "Sessions",
            Series::Resolved => "Resolved",
            Series::Messages => "Messages",
            Series::Bookings => "Bookings",
        }
    }

    /// What one unit is called in a bar's tooltip ("12 sessions").
    pub fn unit(self) -> &'static str {
        match self {
            Series::Sessions => "sessions",
            Series::Resolved => "resolved",
            Series::Messages => "messages",
            Series::Bookings => "bookings",
        }
    }

    pub fn of(self, d: &DayActivity) -> i64 {
        match self {
            Series::Sessions => d.sessions,
            Series::Resolved => d.resolved,
            Series::Messages => d.messages,
            Series::Bookings => d.bookings,
        }
    }
}

/// The four cards of Agents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentOverview {
    /// Conversations the agent holds that are not resolved.
    pub my_open: i64,
    pub resolved_by_me: i64,
    /// Open conversations nobody has joined (the AI is answering them).
    pub open_queue: i64,
    /// Customers waiting for a human.
    pub needs_agent: i64,
}

/// `part` of `whole` as a whole percentage (rounded), None when `whole` is zero.
pub fn percent(part: i64, whole: i64) -> Option<u8> {
    (whole > 0).then(|| ((part.clamp(0, whole) * 100 + whole / 2) / whole) as u8)
}

/// The chart days ending with `today`, oldest first: the days the rollups have, and zeros for
/// days without activity (they have no row).
pub fn chart_days(rows: &[DayActivity], today: i64) -> Vec<DayActivity> {
    let first = today - CHART_DAYS as i64 + 1;
    (first..=today)
        .map(|day| {
            rows.iter()
                .find(|r| r.day == day)
                .copied()
                .unwrap_or(DayActivity {
                    day,
                    ..DayActivity::default()
                })
        })
        .collect()
}

/// The top of a chart's value axis and the step between its grid lines: a "nice" number
/// (1, 2 or 5 times a power of ten) at or above the largest value, in at most five steps.
pub fn axis(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (4, 1);
    }
    let mut magnitude = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if step * 5 >= max {
                let top = (max + step - 1) / step * step;
                return (top, step);
            }
        }
        magnitude *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_and_need_something_to_divide() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(5, 5), Some(100));
        let mut o = TeamOverview::default();
        assert_eq!(o.average_rating(), None);
        (o.ratings, o.rating_sum) = (3, 13);
        assert_eq!(o.average_rating(), Some(4.3));
        (o.ratings, o.rating_sum) = (2, 9);
        assert_eq!(o.average_rating(), Some(4.5));
    }

    #[test]
    fn days_without_a_row_are_zero_and_the_window_ends_today() {
        let rows = [
            DayActivity {
                day: 100,
                sessions: 3,
                ..Default::default()
            },
            // Outside the window.
            DayActivity {
                day: 80,
                sessions: 9,
                ..Default::default()
            },
        ];
        let days = chart_days(&rows, 105);
        assert_eq!(days.len(), CHART_DAYS);
        assert_eq!(days.first().unwrap().day, 92);
        assert_eq!(days.last().unwrap().day, 105);
        assert_eq!(days.iter().map(|d| d.sessions).sum::<i64>(), 3);
        assert_eq!(days[100 - 92].sessions, 3);
    }

    #[test]
    fn axes_end_on_a_round_number_at_or_above_the_top_value() {
        for max in [
            0, 1, 3, 4, 5, 7, 10, 11, 19, 26, 99, 101, 480, 1234, 999_999,
        ] {
            let (top, step) = axis(max);
            assert!(top >= max, "{max}: top {top}");
            assert_eq!(top % step, 0);
            assert!(top / step <= 5, "{max}: {} steps", top / step);
            let lead = step / 10i64.pow(step.ilog10());
            assert!([1, 2, 5].contains(&lead), "{max}: step {step}");
        }
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(26), (30, 10));
        assert_eq!(axis(0), (4, 1));
    }

    #[test]
    fn days_are_utc_days_since_the_epoch() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(86_399_999), 0);
        assert_eq!(day_of(86_400_000), 1);
        assert_eq!(day_of(-1), -1);
    }
}
