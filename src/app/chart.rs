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
