//! Figures, measured and printed (never asserted): the inbox at a million conversations, the AI
//! agent's first-token overhead and retrieval latency, the widget's first load and the dashboard's wasm (raw, gzip, brotli).

use crate::util::{self, exec, step};
use crate::{e2e, setup, widget};
use std::io::Write;
use std::path::Path;

const WIDGET_BUDGET_BROTLI: usize = 40 * 1024;

struct Size {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure(path: &Path) -> Result<Size, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gzip = gz.finish().map_err(|e| e.to_string())?.len();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(Size {
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

fn table(title: &str, dir: &Path, files: &[&str]) -> Result<Size, String> {
    println!("\n{title}");
    println!(
        "  {:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut total = Size {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for f in files {
        let s = measure(&dir.join(f))?;
        println!(
            "  {:<28} {:>10} {:>10} {:>10}",
            f,
            kb(s.raw),
            kb(s.gzip),
            kb(s.brotli)
        );
        total.raw += s.raw;
        total.gzip += s.gzip;
        total.brotli += s.brotli;
    }
    println!(
        "  {:<28} {:>10} {:>10} {:>10}",
        "total",
        kb(total.raw),
        kb(total.gzip),
        kb(total.brotli)
    );
    Ok(total)
}

/// The ignored bench tests of the integration binary whose names start with `module`, in a
/// release build; they print their figures.
fn bench_tests(module: &str) -> std::process::Command {
    util::cargo(&[
        "test",
        "--release",
        "--features",
        "ssr",
        "--test",
        "api",
        "--",
        "--ignored",
        module,
        "--nocapture",
        "--test-threads=1",
    ])
}

/// The agent's figures: first-token overhead and retrieval latency.
fn agent_figures() -> Result<(), String> {
    step("Agent overhead and retrieval latency (release build of the bench tests)");
    exec(&mut bench_tests("bench_agent::"))
}

/// SQLite against PostgreSQL (a throwaway cluster the bench starts): durable writes per second
/// and the message path on one instance of each and across two PostgreSQL instances.
fn backend_figures() -> Result<(), String> {
    step(
        "SQLite vs PostgreSQL: durable writes and the message path (release build of the bench tests)",
    );
    exec(&mut bench_tests("bench_backends::"))
}

/// The inbox at 1,000,000 conversations: list pages per tab and channel, counts, search, a
/// detail view, the list over HTTP, and what a new stream replays.
fn inbox_figures() -> Result<(), String> {
    step(
        "Inbox at 1,000,000 conversations (release build of the bench test; fills a database first)",
    );
    exec(&mut bench_tests("bench_inbox::"))
}

/// Streams against the release server in its own process: memory per idle widget stream, and
/// the message path under load. The client is the bench test, a second process.
fn stream_figures() -> Result<(), String> {
    step("Streams: memory per idle stream and the message path (release server)");
    let root = util::root();
    let port = e2e::free_port()?;
    let data = std::env::temp_dir().join(format!("liaison-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = e2e::Server::start(
        &root.join("target/release/liaison"),
        port,
        &data,
        &root.join("target/bench-server.log"),
    )?;
    let result = exec(
        bench_tests("bench_streams::")
            .env("LIAISON_BENCH_URL", format!("http://127.0.0.1:{port}"))
            .env("LIAISON_BENCH_PID", server.pid().to_string())
            .env("LIAISON_BENCH_OWNER", e2e::OWNER_EMAIL)
            .env("LIAISON_BENCH_PASSWORD", e2e::PASSWORD),
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&data);
    result
}

pub fn run() -> Result<(), String> {
    setup::run()?;
    inbox_figures()?;
    agent_figures()?;
    backend_figures()?;
    widget::build(widget::Mode::Release)?;
    step("cargo leptos build --release --split (the dashboard, a chunk per page)");
    exec(&mut release_dashboard())?;
    stream_figures()?;
    let root = util::root();
    let w = table(
        "Widget first load (its CSS is inside the wasm)",
        &root.join(widget::OUT_DIR),
        &["liaison.js", "liaison-core.js", "liaison-core_bg.wasm"],
    )?;
    println!(
        "  budget: {} brotli; {}",
        kb(WIDGET_BUDGET_BROTLI),
        if w.brotli <= WIDGET_BUDGET_BROTLI {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    );
    dashboard_figures(&root.join("target/site/pkg"))
}

/// The dashboard as it ships: release, split into a chunk per page (and one for the
/// conversation panel), components type-erased (`erase_components`: less generic code).
pub fn release_dashboard() -> std::process::Command {
    let mut cmd = util::cargo_leptos(&["build", "--release", "--split"]);
    cmd.env("RUSTFLAGS", "--cfg erase_components");
    cmd
}

/// The landing page (Conversations, no conversation open) must stay within this, brotli.
const DASHBOARD_BUDGET_BROTLI: usize = 300 * 1024;

/// The main bundle every page loads, then each page's first load: the main bundle plus the
/// chunks the split manifest lists for the page.
fn dashboard_figures(dir: &Path) -> Result<(), String> {
    let main = table(
        "Dashboard main bundle (release, split, wasm-opt): every page loads it",
        dir,
        &[
            "liaison.wasm",
            "liaison.js",
            "liaison.css",
            "__wasm_split.______________________.js",
        ],
    )?;
    let manifest = std::fs::read_to_string(dir.join("__wasm_split_manifest.json"))
        .map_err(|e| format!("no split manifest: {e}"))?;
    let manifest: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&manifest).map_err(|e| format!("split manifest: {e}"))?;
    println!("\nDashboard first load per page (brotli): the main bundle + the page's chunks");
    println!(
        "  {:<28} {:>8} {:>12} {:>12}",
        "page", "chunks", "its chunks", "first load"
    );
    let mut landing = None;
    for (split, chunks) in &manifest {
        let mut own = 0;
        for c in chunks {
            own += measure(&dir.join(format!("{c}.wasm")))?.brotli;
        }
        // "__leads_route_view_1406…" → "leads"; "detail_panel_44…" → "detail panel".
        let page = split
            .trim_start_matches("__")
            .split("_route_view")
            .next()
            .unwrap_or(split)
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
            .replace('_', " ");
        println!(
            "  {:<28} {:>8} {:>12} {:>12}",
            page,
            chunks.len(),
            kb(own),
            kb(main.brotli + own)
        );
        if page == "conversations" {
            landing = Some(main.brotli + own);
        }
    }
    if let Some(first) = landing {
        println!(
            "  landing page (/conversations): {} brotli; budget {}: {}",
            kb(first),
            kb(DASHBOARD_BUDGET_BROTLI),
            if first <= DASHBOARD_BUDGET_BROTLI {
                "within budget"
            } else {
                "OVER BUDGET"
            }
        );
    }
    Ok(())
}
