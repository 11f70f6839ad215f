//! The Analytics page's figures for one query, put together from the rollups (`db::analytics`):
//! percentiles from histograms, the heatmap in the business's time zone (Settings → Business
//! hours; jiff, DST included), operators' names. Also its CSV downloads,
//! `GET /api/admin/analytics/{table}.csv?range=…&channel=…` (Admins; the access middleware
//! covers the path).

use crate::server::bookings::slots::zone;
use crate::server::business_hours;
use crate::server::db::{self, Pool, analytics as rollups};
use crate::server::http::{AppState, AuthOperator};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use liaison_protocol::Channel;
use liaison_protocol::analytics::{
    Analytics, AnalyticsQuery, Durations, HandoverReason, OperatorFigures, Table, fill_days,
};
use liaison_protocol::business_hours::BusinessHours;
use liaison_protocol::calendar::day_of;
use serde::Deserialize;

/// How many knowledge gaps the page lists.
pub const TOP_GAPS: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The query is not one the page can answer (its message says why).
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Everything the page shows for `query` on the day of `now`.
pub async fn figures(
    pool: &Pool,
    query: AnalyticsQuery,
    now: i64,
) -> Result<Analytics, AnalyticsError> {
    let (from, to) = query
        .period
        .days(day_of(now))
        .map_err(AnalyticsError::Invalid)?;
    let channel = query.channel.map(Channel::as_str);
    let totals = rollups::totals(pool, from, to, channel).await?;
    let everyone = |h: Vec<(i64, rollups::Histogram)>| {
        h.into_iter()
            .find(|(op, _)| *op == 0)
            .map(|(_, h)| Durations::of(&h))
            .unwrap_or_default()
    };
    let first_response =
        everyone(rollups::durations(pool, "first_response", from, to, channel).await?);
    let resolution = everyone(rollups::durations(pool, "resolution", from, to, channel).await?);
    let human = rollups::durations(pool, "human_response", from, to, channel).await?;
    let human_response = human
        .iter()
        .find(|(op, _)| *op == 0)
        .map(|(_, h)| Durations::of(h))
        .unwrap_or_default();
    let operators = rollups::operators(pool, from, to, channel)
        .await?
        .into_iter()
        .map(|o| OperatorFigures {
            first_response: human
                .iter()
                .find(|(op, _)| *op == o.operator_id)
                .map(|(_, h)| Durations::of(h))
                .unwrap_or_default(),
            operator_id: o.operator_id,
            name: o.name,
            conversations: o.conversations,
            resolved: o.resolved,
            ratings: o.ratings,
            rating_sum: o.rating_sum,
        })
        .collect();
    let hours: BusinessHours = db::settings::get(pool, business_hours::SETTINGS_KEY)
        .await?
        .unwrap_or_default();
    let (heatmap, zone_name) = heatmap(
        &rollups::hours(pool, from, to, channel).await?,
        &hours.time_zone,
    );
    Ok(Analytics {
        query,
        from,
        to,
        sessions: totals.sessions,
        resolved: totals.resolved,
        ai_resolved: totals.ai_resolved,
        handovers: HandoverReason::ALL
            .into_iter()
            .zip(totals.handovers)
            .collect(),
        first_response,
        human_response,
        resolution,
        days: fill_days(&rollups::days(pool, from, to, channel).await?, from, to),
        heatmap,
        zone: zone_name,
        operators,
        gaps: rollups::top_gaps(pool, from, to, channel, TOP_GAPS).await?,
    })
}

/// Conversations per weekday (Monday first) and hour in the time zone `zone_name` (UTC when it
/// does not resolve), from counts per hour since the epoch.
pub fn heatmap(hours: &[(i64, i64)], zone_name: &str) -> (Vec<[i64; 24]>, String) {
    let (tz, name) = match zone(zone_name) {
        Ok(tz) => (tz, zone_name.trim().to_string()),
        Err(_) => (jiff::tz::TimeZone::UTC, "UTC".to_string()),
    };
    let mut grid = vec![[0i64; 24]; 7];
    for &(hour, n) in hours {
        let Ok(at) = Timestamp::from_second(hour * 3600) else {
            continue;
        };
        let local = at.to_zoned(tz.clone());
        let day = local.weekday().to_monday_zero_offset() as usize;
        grid[day][local.hour() as usize] += n;
    }
    (grid, name)
}

#[derive(Deserialize)]
pub struct CsvQuery {
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
}

impl CsvQuery {
    fn parse(&self) -> Result<AnalyticsQuery, String> {
        AnalyticsQuery::from_query(
            self.range.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
            self.channel.as_deref(),
        )
    }
}

pub async fn csv(
    State(state): State<AppState>,
    AuthOperator(_operator): AuthOperator,
    Path(file): Path<String>,
    Query(query): Query<CsvQuery>,
) -> Response {
    let bad = |message: String| (StatusCode::BAD_REQUEST, message).into_response();
    let Some(table) = file.strip_suffix(".csv").and_then(Table::parse) else {
        return (StatusCode::NOT_FOUND, "No such table.").into_response();
    };
    let query = match query.parse() {
        Ok(q) => q,
        Err(e) => return bad(e),
    };
    let figures = match figures(&state.db.read, query, crate::server::now_ms()).await {
        Ok(f) => f,
        Err(AnalyticsError::Invalid(e)) => return bad(e),
        Err(e) => {
            tracing::error!("analytics export: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The export failed.").into_response();
        }
    };
    let (head, rows) = table.rows(&figures);
    let mut w = csv::Writer::from_writer(Vec::new());
    let written = w.write_record(&head).and_then(|_| {
        rows.iter()
            .try_for_each(|r| w.write_record(r.iter().map(|c| crate::server::exports::cell(c))))
    });
    let bytes = written
        .map_err(|e| e.to_string())
        .and_then(|_| w.into_inner().map_err(|e| e.to_string()));
    match bytes {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"analytics-{}-{}-{}.csv\"",
                        table.as_str(),
                        liaison_protocol::calendar::iso_date(figures.from),
                        liaison_protocol::calendar::iso_date(figures.to)
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("analytics export: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "The export failed.").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::heatmap;

    #[test]
    fn the_heatmap_follows_the_time_zone() {
        // 1970-01-05 was a Monday: hour 96 is Monday 00:00 UTC.
        let monday_midnight_utc = 4 * 24;
        let (utc, name) = heatmap(&[(monday_midnight_utc, 3)], "UTC");
        assert_eq!((utc[0][0], name.as_str()), (3, "UTC"));
        // In New York that is Sunday 19:00.
        let (ny, _) = heatmap(&[(monday_midnight_utc, 3)], "America/New_York");
        assert_eq!(ny[6][19], 3);
        let (fallback, name) = heatmap(&[(monday_midnight_utc, 1)], "Nowhere/City");
        assert_eq!((fallback[0][0], name.as_str()), (1, "UTC"));
    }
}
