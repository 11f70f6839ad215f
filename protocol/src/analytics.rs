//! The Analytics page (Admins and Owners): what it shows for a date range and channel, and the
//! rules that turn the server's maintained rollups into it: periods, rates, percentiles from
//! histograms, the handover reasons, durations as people read them.

use crate::calendar::{iso_date, parse_iso_date};
use crate::inbox::Channel;
use crate::overview::percent;
use serde::{Deserialize, Serialize};

/// Upper bounds (exclusive, ms) of the duration histogram's buckets; a duration is in the first
/// bucket it is below. Equal to the rows migration 0032 puts in `duration_buckets` (a test checks
/// it on both backends). The last bucket is open-ended.
pub const BUCKETS: [i64; 43] = [
    1_000,
    2_000,
    3_000,
    5_000,
    7_000,
    10_000,
    15_000,
    20_000,
    30_000,
    45_000,
    60_000,
    90_000,
    120_000,
    180_000,
    240_000,
    300_000,
    420_000,
    600_000,
    900_000,
    1_200_000,
    1_800_000,
    2_700_000,
    3_600_000,
    5_400_000,
    7_200_000,
    10_800_000,
    14_400_000,
    21_600_000,
    28_800_000,
    43_200_000,
    57_600_000,
    86_400_000,
    129_600_000,
    172_800_000,
    259_200_000,
    345_600_000,
    432_000_000,
    604_800_000,
    864_000_000,
    1_209_600_000,
    1_814_400_000,
    2_592_000_000,
    9_000_000_000_000_000,
];

/// The bucket a duration falls in.
pub fn bucket_of(ms: i64) -> usize {
    let ms = ms.max(0);
    BUCKETS
        .iter()
        .position(|&below| ms < below)
        .unwrap_or(BUCKETS.len() - 1)
}

/// The `q`-quantile (0–1) of a histogram (counts per bucket), interpolated linearly inside its
/// bucket as Prometheus does; None when it is empty. In the open-ended last bucket it is that
/// bucket's lower bound.
pub fn quantile(counts: &[i64], q: f64) -> Option<i64> {
    let total: i64 = counts.iter().map(|&n| n.max(0)).sum();
    if total == 0 {
        return None;
    }
    let rank = q.clamp(0.0, 1.0) * total as f64;
    let mut seen = 0i64;
    for (b, &n) in counts.iter().enumerate().take(BUCKETS.len()) {
        let n = n.max(0);
        if n == 0 {
            continue;
        }
        if (seen + n) as f64 >= rank {
            let lower = if b == 0 { 0 } else { BUCKETS[b - 1] };
            if b == BUCKETS.len() - 1 {
                return Some(lower);
            }
            let within = ((rank - seen as f64) / n as f64).clamp(0.0, 1.0);
            return Some(lower + ((BUCKETS[b] - lower) as f64 * within).round() as i64);
        }
        seen += n;
    }
    None
}

/// A median and 90th percentile, and how many conversations they are over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub n: i64,
}

impl Durations {
    pub fn of(counts: &[i64]) -> Durations {
        Durations {
            median_ms: quantile(counts, 0.5),
            p90_ms: quantile(counts, 0.9),
            n: counts.iter().map(|&n| n.max(0)).sum(),
        }
    }
}

/// "45 s", "3 min", "1 h 20 min", "2.5 days": a duration as a person reads it.
pub fn duration_text(ms: i64) -> String {
    let s = (ms.max(0) + 500) / 1000;
    if s < 60 {
        return format!("{s} s");
    }
    let m = (s + 30) / 60;
    if m < 60 {
        return format!("{m} min");
    }
    if m < 48 * 60 {
        let (h, rest) = (m / 60, m % 60);
        return if rest == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {rest} min")
        };
    }
    let tenths = (ms + 4_320_000) / 8_640_000;
    if tenths % 10 == 0 {
        format!("{} days", tenths / 10)
    } else {
        format!("{}.{} days", tenths / 10, tenths % 10)
    }
}

/// Why a conversation went to a human (the first time), as the page groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HandoverReason {
    /// The visitor asked for a person ("Talk to a human", or said so).
    AskedForHuman,
    /// The knowledge base has no answer.
    OutOfScope,
    Frustrated,
    /// An operator flagged it.
    Manual,
    /// The model failed or the AI budget was spent.
    AiUnavailable,
}

impl HandoverReason {
    pub const ALL: [HandoverReason; 5] = [
        HandoverReason::AskedForHuman,
        HandoverReason::OutOfScope,
        HandoverReason::Frustrated,
        HandoverReason::Manual,
        HandoverReason::AiUnavailable,
    ];

    /// The stored name (`conversations.handover_reason`, a column of `analytics_daily`).
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverReason::AskedForHuman => "asked_for_human",
            HandoverReason::OutOfScope => "out_of_scope",
            HandoverReason::Frustrated => "frustrated",
            HandoverReason::Manual => "manual",
            HandoverReason::AiUnavailable => "ai_unavailable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoverReason::AskedForHuman => "Asked for a human",
            HandoverReason::OutOfScope => "Out of scope",
            HandoverReason::Frustrated => "Frustrated",
            HandoverReason::Manual => "Manual",
            HandoverReason::AiUnavailable => "AI unavailable",
        }
    }
}

/// The date ranges the page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    /// The last n days, today included.
    Last(u16),
    /// From one day to another, both included.
    Custom { from: i64, to: i64 },
}

/// The quick choices, in the order of the menu.
pub const QUICK_DAYS: [u16; 4] = [7, 14, 30, 90];
/// The longest custom range.
pub const MAX_DAYS: i64 = 366;

impl Default for Period {
    fn default() -> Self {
        Period::Last(30)
    }
}

impl Period {
    /// The first and last day (both included) on `today`, checked: a clear message when the
    /// range is backwards, too long, or made of dates that do not exist.
    pub fn days(self, today: i64) -> Result<(i64, i64), String> {
        match self {
            Period::Last(n) if QUICK_DAYS.contains(&n) => Ok((today - i64::from(n) + 1, today)),
            Period::Last(n) => Err(format!(
                "Choose 7, 14, 30 or 90 days, or a custom range (not {n})."
            )),
            Period::Custom { from, to } if from > to => {
                Err("The range ends before it starts: pick a later end date.".into())
            }
            Period::Custom { from, to } if to - from + 1 > MAX_DAYS => Err(format!(
                "A range can cover at most {MAX_DAYS} days (this one has {}).",
                to - from + 1
            )),
            Period::Custom { from, to } => Ok((from, to)),
        }
    }

    /// From the page's address: `range` is 7, 14, 30, 90 or `custom` with `from` and `to` as
    /// YYYY-MM-DD.
    pub fn from_query(
        range: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Period, String> {
        match range.map(str::trim) {
            None | Some("") => Ok(Period::default()),
            Some("custom") => {
                let day = |v: Option<&str>, which: &str| {
                    v.and_then(parse_iso_date)
                        .ok_or_else(|| format!("The {which} date must be a date (YYYY-MM-DD)."))
                };
                Ok(Period::Custom {
                    from: day(from, "start")?,
                    to: day(to, "end")?,
                })
            }
            Some(n) => n
                .parse::<u16>()
                .ok()
                .filter(|n| QUICK_DAYS.contains(n))
                .map(Period::Last)
                .ok_or_else(|| format!("Unknown range \"{n}\": use 7, 14, 30, 90 or custom.")),
        }
    }

    /// The address parameters that reproduce this period.
    pub fn query(self) -> String {
        match self {
            Period::Last(n) => format!("range={n}"),
            Period::Custom { from, to } => {
                format!("range=custom&from={}&to={}", iso_date(from), iso_date(to))
            }
        }
    }
}

/// What the page asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsQuery {
    pub period: Period,
    pub channel: Option<Channel>,
}

impl AnalyticsQuery {
    /// From the page's address (see [`Period::from_query`]; `channel` empty is every channel).
    pub fn from_query(
        range: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        channel: Option<&str>,
    ) -> Result<AnalyticsQuery, String> {
        let channel = match channel.map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(Channel::parse(c).ok_or_else(|| format!("Unknown channel \"{c}\"."))?),
        };
        Ok(AnalyticsQuery {
            period: Period::from_query(range, from, to)?,
            channel,
        })
    }

    /// The address parameters that reproduce this query.
    pub fn query(self) -> String {
        match self.channel {
            Some(c) => format!("{}&channel={}", self.period.query(), c.as_str()),
            None => self.period.query(),
        }
    }
}

/// One day of the charts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    pub day: i64,
    pub sessions: i64,
    pub resolved: i64,
}

/// One operator's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorFigures {
    pub operator_id: i64,
    pub name: String,
    /// Conversations this operator answered first among operators.
    pub conversations: i64,
    pub first_response: Durations,
    pub resolved: i64,
    pub ratings: i64,
    pub rating_sum: i64,
}

impl OperatorFigures {
    pub fn average_rating(&self) -> Option<f64> {
        average(self.rating_sum, self.ratings)
    }
}

/// A question the AI could not answer, and how often it was asked in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapCount {
    pub question: String,
    pub asked: i64,
}

/// Everything the page shows for one query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    pub query: AnalyticsQuery,
    pub from: i64,
    pub to: i64,
    pub sessions: i64,
    pub resolved: i64,
    pub ai_resolved: i64,
    /// Per `HandoverReason::ALL`, in that order.
    pub handovers: Vec<(HandoverReason, i64)>,
    pub first_response: Durations,
    pub human_response: Durations,
    pub resolution: Durations,
    pub days: Vec<DayFigures>,
    /// Conversations started per weekday (Monday first) and hour, in `zone`.
    pub heatmap: Vec<[i64; 24]>,
    pub zone: String,
    pub operators: Vec<OperatorFigures>,
    pub gaps: Vec<GapCount>,
}

impl Analytics {
    /// Resolved conversations per conversation started in the range, as a percentage.
    pub fn resolution_rate(&self) -> Option<u8> {
        percent(self.resolved, self.sessions)
    }

    /// The share of resolutions no human took part in.
    pub fn ai_resolution_rate(&self) -> Option<u8> {
        percent(self.ai_resolved, self.resolved)
    }

    pub fn handed_over(&self) -> i64 {
        self.handovers.iter().map(|(_, n)| n).sum()
    }
}

/// The average of `count` ratings summing to `sum`, to one decimal.
pub fn average(sum: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| ((sum * 10 + count / 2) / count) as f64 / 10.0)
}

/// The days from `from` to `to` with zeros where the rollups have no row.
pub fn fill_days(rows: &[DayFigures], from: i64, to: i64) -> Vec<DayFigures> {
    (from..=to)
        .map(|day| {
            rows.iter()
                .find(|r| r.day == day)
                .copied()
                .unwrap_or(DayFigures {
                    day,
                    ..DayFigures::default()
                })
        })
        .collect()
}

/// The tables the page offers as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Table {
    Days,
    Handovers,
    Operators,
    Gaps,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Days, Table::Handovers, Table::Operators, Table::Gaps];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Days => "days",
            Table::Handovers => "handovers",
            Table::Operators => "operators",
            Table::Gaps => "gaps",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Where the CSV is downloaded from for `query`.
    pub fn csv_href(self, query: AnalyticsQuery) -> String {
        format!(
            "/api/admin/analytics/{}.csv?{}",
            self.as_str(),
            query.query()
        )
    }

    /// The header and rows of the table.
    pub fn rows(self, a: &Analytics) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let ms = |d: Option<i64>| d.map(|v| v.to_string()).unwrap_or_default();
        match self {
            Table::Days => (
                vec!["date", "sessions", "resolved"],
                a.days
                    .iter()
                    .map(|d| {
                        vec![
                            iso_date(d.day),
                            d.sessions.to_string(),
                            d.resolved.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Table::Handovers => (
                vec!["reason", "conversations"],
                a.handovers
                    .iter()
                    .map(|(r, n)| vec![r.label().to_string(), n.to_string()])
                    .collect(),
            ),
            Table::Operators => (
                vec![
                    "operator",
                    "conversations",
                    "median_first_response_ms",
                    "resolved",
                    "average_rating",
                    "ratings",
                ],
                a.operators
                    .iter()
                    .map(|o| {
                        vec![
                            o.name.clone(),
                            o.conversations.to_string(),
                            ms(o.first_response.median_ms),
                            o.resolved.to_string(),
                            o.average_rating()
                                .map(|r| r.to_string())
                                .unwrap_or_default(),
                            o.ratings.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Table::Gaps => (
                vec!["question", "asked"],
                a.gaps
                    .iter()
                    .map(|g| vec![g.question.clone(), g.asked.to_string()])
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(durations: &[i64]) -> Vec<i64> {
        let mut h = vec![0; BUCKETS.len()];
        for &d in durations {
            h[bucket_of(d)] += 1;
        }
        h
    }

    #[test]
    fn buckets_rise_and_place_durations() {
        assert!(BUCKETS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(999), 0);
        assert_eq!(bucket_of(1_000), 1);
        assert_eq!(bucket_of(i64::MAX), BUCKETS.len() - 1);
    }

    #[test]
    fn percentiles_land_in_the_right_bucket() {
        // 100 durations of 1..=100 minutes: the true median is 50 min, p90 90 min.
        let d: Vec<i64> = (1..=100).map(|m| m * 60_000).collect();
        let h = histogram(&d);
        let median = quantile(&h, 0.5).unwrap();
        let p90 = quantile(&h, 0.9).unwrap();
        assert!((45 * 60_000..=60 * 60_000).contains(&median), "{median}");
        assert!((60 * 60_000..=120 * 60_000).contains(&p90), "{p90}");
        assert!(median <= p90);
        assert_eq!(quantile(&vec![0; BUCKETS.len()], 0.5), None);
        // One value: both percentiles inside its bucket.
        let one = histogram(&[12_000]);
        let m = quantile(&one, 0.5).unwrap();
        assert!((10_000..15_000).contains(&m), "{m}");
        // Beyond the last bound: its lower bound, never an invented number.
        let far = histogram(&[100 * 86_400_000]);
        assert_eq!(quantile(&far, 0.9), Some(BUCKETS[BUCKETS.len() - 2]));
    }

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(duration_text(0), "0 s");
        assert_eq!(duration_text(44_600), "45 s");
        assert_eq!(duration_text(3 * 60_000 + 10_000), "3 min");
        assert_eq!(duration_text(80 * 60_000), "1 h 20 min");
        assert_eq!(duration_text(2 * 3_600_000), "2 h");
        assert_eq!(duration_text(60 * 3_600_000), "2.5 days");
        assert_eq!(duration_text(3 * 86_400_000), "3 days");
    }

    #[test]
    fn periods_from_the_address_and_their_days() {
        let today = 20_000;
        assert_eq!(Period::from_query(None, None, None), Ok(Period::Last(30)));
        let week = Period::from_query(Some("7"), None, None).unwrap();
        assert_eq!(week.days(today), Ok((today - 6, today)));
        let custom =
            Period::from_query(Some("custom"), Some("2026-11-01"), Some("2026-11-28")).unwrap();
        let (from, to) = custom.days(today).unwrap();
        assert_eq!(to - from, 27);
        assert_eq!(custom.query(), "range=custom&from=2026-11-01&to=2026-11-28");
        assert!(Period::from_query(Some("8"), None, None).is_err());
        assert!(Period::from_query(Some("custom"), Some("2026-11-01"), None).is_err());
        assert!(
            Period::from_query(Some("custom"), Some("01/11/2026"), Some("2026-11-28")).is_err()
        );
        let backwards = Period::Custom { from: 10, to: 5 };
        assert!(backwards.days(today).unwrap_err().contains("ends before"));
        let long = Period::Custom { from: 0, to: 400 };
        assert!(long.days(today).unwrap_err().contains("366"));
        assert!(Period::Last(8).days(today).is_err());
    }

    #[test]
    fn rates_and_csv_rows() {
        let a = Analytics {
            sessions: 10,
            resolved: 4,
            ai_resolved: 3,
            handovers: vec![
                (HandoverReason::AskedForHuman, 2),
                (HandoverReason::OutOfScope, 1),
            ],
            operators: vec![OperatorFigures {
                operator_id: 1,
                name: "Ana".into(),
                conversations: 2,
                first_response: Durations::default(),
                resolved: 1,
                ratings: 3,
                rating_sum: 13,
            }],
            ..Analytics::default()
        };
        assert_eq!(a.resolution_rate(), Some(40));
        assert_eq!(a.ai_resolution_rate(), Some(75));
        assert_eq!(a.handed_over(), 3);
        let (head, rows) = Table::Operators.rows(&a);
        assert_eq!(head.len(), rows[0].len());
        assert_eq!(rows[0][4], "4.3");
        assert_eq!(rows[0][2], "");
        assert_eq!(Table::parse("gaps"), Some(Table::Gaps));
        assert_eq!(Table::parse("../etc"), None);
    }

    #[test]
    fn missing_days_are_zero() {
        let rows = [DayFigures {
            day: 5,
            sessions: 3,
            resolved: 1,
        }];
        let days = fill_days(&rows, 3, 6);
        assert_eq!(days.len(), 4);
        assert_eq!(days[2].sessions, 3);
        assert_eq!(days[0].sessions, 0);
    }
}
