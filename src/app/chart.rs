//! Bar charts as plain SVG, rendered on the server with the page: axes, grid lines, labels, the
//! value of a bar on hover or focus (and as its tooltip), colours from the theme's custom
//! properties so light and dark both work. No chart library reaches the wasm bundle.

use leptos::prelude::*;
use liaison_protocol::overview::axis;

/// One bar: its tooltip label ("Nov 28"), the label under the axis if any, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub tick: Option<String>,
    pub value: i64,
}

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 24.0;

#[component]
pub fn BarChart(
    /// The chart's title, also its accessible name.
    title: &'static str,
    /// What one unit is called in tooltips ("sessions").
    unit: &'static str,
    bars: Vec<Bar>,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let (top, step) = axis(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = move |v: i64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let slot = plot_w / bars.len().max(1) as f64;
    let grid = (0..=top / step)
        .map(|i| {
            let v = i * step;
            let at = y(v);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=at y2=at/>
                <text class="axis-label" x=LEFT - 6.0 y=at + 4.0 text-anchor="end">{crate::app::format::count(v)}</text>
            }
        })
        .collect_view();
    let columns = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let x = LEFT + slot * i as f64;
            let (top_y, w) = (y(b.value), slot * 0.7);
            let tip = format!("{}: {} {unit}", b.label, crate::app::format::count(b.value));
            let name = tip.clone();
            view! {
                <g class="bar" tabindex="0" aria-label=name>
                    <title>{tip}</title>
                    <rect class="hit" x=x y=TOP width=slot height=plot_h/>
                    <rect class="fill" x=x + slot * 0.15 y=top_y width=w height=(TOP + plot_h - top_y).max(0.0)/>
                    <text class="value" x=x + slot / 2.0 y=top_y - 3.0 text-anchor="middle">{crate::app::format::count(b.value)}</text>
                    {b.tick.map(|t| view! {
                        <text class="axis-label" x=x + slot / 2.0 y=HEIGHT - 6.0 text-anchor="middle">{t}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart card">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title>
                {grid}
                <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h/>
                {columns}
            </svg>
        </figure>
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A weekday × hour grid as SVG: each cell's shade is its share of the busiest cell, its count
/// is its tooltip and accessible name.
#[component]
pub fn Heatmap(
    /// The chart's title, also its accessible name.
    title: &'static str,
    /// What one unit is called in tooltips ("conversations").
    unit: &'static str,
    /// Seven rows (Monday first) of 24 hours.
    rows: Vec<[i64; 24]>,
) -> impl IntoView {
    const CELL: f64 = 16.0;
    const GAP: f64 = 2.0;
    const LABEL_W: f64 = 34.0;
    const LABEL_H: f64 = 14.0;
    let max = rows.iter().flatten().copied().max().unwrap_or(0).max(1);
    let width = LABEL_W + 24.0 * (CELL + GAP);
    let height = LABEL_H + 7.0 * (CELL + GAP);
    let hours = (0..24)
        .step_by(3)
        .map(|h| {
            view! {
                <text class="axis-label" x=LABEL_W + h as f64 * (CELL + GAP) + CELL / 2.0 y=LABEL_H - 4.0 text-anchor="middle">{format!("{h:02}")}</text>
            }
        })
        .collect_view();
    let cells = rows
        .into_iter()
        .enumerate()
        .map(|(d, row)| {
            let y = LABEL_H + d as f64 * (CELL + GAP);
            let cells = row
                .into_iter()
                .enumerate()
                .map(|(h, n)| {
                    let tip = format!(
                        "{} {h:02}:00–{:02}:00: {} {unit}",
                        DAYS[d % 7],
                        (h + 1) % 24,
                        crate::app::format::count(n)
                    );
                    let name = tip.clone();
                    let shade = if n == 0 { 0.0 } else { 0.15 + 0.85 * n as f64 / max as f64 };
                    view! {
                        <rect class="cell" tabindex="0" aria-label=name data-count=n
                            x=LABEL_W + h as f64 * (CELL + GAP) y=y width=CELL height=CELL rx="3"
                            fill-opacity=format!("{shade:.2}")>
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view();
            view! {
                <text class="axis-label" x=LABEL_W - 6.0 y=y + CELL - 4.0 text-anchor="end">{DAYS[d % 7]}</text>
                {cells}
            }
        })
        .collect_view();
    view! {
        <figure class="chart heatmap card">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=title>
                {hours}
                {cells}
            </svg>
        </figure>
    }
}
