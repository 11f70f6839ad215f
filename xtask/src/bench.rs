//! Figures, measured and printed (never asserted): the inbox at a million conversations, the AI
//! agent's first-token overhead and retrieval latency, and the widget's and the dashboard's first
//! loads as the release server sends them over HTTP.

use crate::util::{self, exec, step};
use crate::{e2e, release, setup, widget, wire};
use std::path::Path;

const WIDGET_BUDGET: usize = 40 * 1024;
/// A later page view with the widget cached: at most this on the wire.
const WIDGET_REPEAT_BUDGET: usize = 2 * 1024;

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

/// One file as the running server sends it to a browser.
struct Sent {
    raw: usize,
    sent: usize,
}

fn fetch(port: u16, url_dir: &str, disk_dir: &Path, file: &str) -> Result<(Sent, String), String> {
    let raw = std::fs::metadata(disk_dir.join(file))
        .map_err(|e| format!("{}: {e}", disk_dir.join(file).display()))?
        .len() as usize;
    let path = format!("{url_dir}/{file}");
    // The server writes the compressed copies in the background after it starts.
    wire::wait_compressed(port, &path, std::time::Duration::from_secs(120))?;
    let f = wire::get(port, &path)?;
    if f.status != 200 {
        return Err(format!("GET {url_dir}/{file}: status {}", f.status));
    }
    let how = format!(
        "{}, {}",
        f.content_encoding.as_deref().unwrap_or("uncompressed"),
        f.cache_control.as_deref().unwrap_or("no cache header")
    );
    Ok((
        Sent {
            raw,
            sent: f.body_bytes,
        },
        how,
    ))
}

/// Files fetched over HTTP as a browser does, with their size on disk and on the wire.
fn table(
    title: &str,
    port: u16,
    url_dir: &str,
    disk_dir: &Path,
    files: &[&str],
) -> Result<Sent, String> {
    println!("\n{title}");
    println!(
        "  {:<40} {:>10} {:>10}  encoding, cache",
        "file", "on disk", "sent"
    );
    let mut total = Sent { raw: 0, sent: 0 };
    for f in files {
        let (s, how) = fetch(port, url_dir, disk_dir, f)?;
        println!("  {:<40} {:>10} {:>10}  {how}", f, kb(s.raw), kb(s.sent));
        total.raw += s.raw;
        total.sent += s.sent;
    }
    println!(
        "  {:<40} {:>10} {:>10}",
        "total",
        kb(total.raw),
        kb(total.sent)
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

/// The widget API and /healthz while sign-ins flood the server.
fn limits_figures() -> Result<(), String> {
    step("The widget API during a sign-in flood (release build of the bench test)");
    exec(&mut bench_tests("bench_limits::"))
}

/// WhatsApp end to end against a fake Graph API that answers slowly, as Meta does.
fn whatsapp_figures() -> Result<(), String> {
    step(
        "WhatsApp: webhook to answer, swept over the Graph API's delay (release build of the bench test)",
    );
    exec(&mut bench_tests("bench_whatsapp::"))
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

/// Against the release server in its own process: what browsers download (widget and
/// dashboard, over HTTP), then the streams: memory per idle widget stream, and the message path
/// under load (the client is the bench test, a second process).
fn release_server_figures() -> Result<(), String> {
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
    let delivered = delivery_figures(port);
    step("Streams: memory per idle stream and the message path (release server)");
    let result = delivered.and_then(|()| {
        exec(
            bench_tests("bench_streams::")
                .env("LIAISON_BENCH_URL", format!("http://127.0.0.1:{port}"))
                .env("LIAISON_BENCH_PID", server.pid().to_string())
                .env("LIAISON_BENCH_OWNER", e2e::OWNER_EMAIL)
                .env("LIAISON_BENCH_PASSWORD", e2e::PASSWORD),
        )
    });
    server.stop();
    let _ = std::fs::remove_dir_all(&data);
    result
}

pub fn run() -> Result<(), String> {
    setup::run()?;
    inbox_figures()?;
    agent_figures()?;
    limits_figures()?;
    whatsapp_figures()?;
    backend_figures()?;
    release::run()?;
    release_server_figures()
}

/// Only what browsers download (`cargo xtask bench delivery`): the release builds, then the
/// widget's and the dashboard's first and repeat visits over HTTP, without the database benches.
pub fn delivery() -> Result<(), String> {
    setup::run()?;
    release::run()?;
    let root = util::root();
    let port = e2e::free_port()?;
    let data = std::env::temp_dir().join(format!("liaison-delivery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = e2e::Server::start(
        &root.join("target/release/liaison"),
        port,
        &data,
        &root.join("target/bench-server.log"),
    )?;
    let result = delivery_figures(port);
    server.stop();
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// The widget's and the dashboard's first loads as the release server sends them.
fn delivery_figures(port: u16) -> Result<(), String> {
    step("What browsers download (HTTP from the release server, Accept-Encoding: br, gzip)");
    let root = util::root();
    // The server compresses the bundles in the background after it starts.
    let wasm = built_names(&root)?.main[0].clone();
    wire::wait_compressed(
        port,
        &format!("/pkg/{wasm}"),
        std::time::Duration::from_secs(120),
    )?;
    let site_widget = root.join("target/site/widget");
    let files = widget::files(&site_widget)?;
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    // A new visitor's page view: the loader shows the launcher with the look from the config;
    // the chat (the core's js and wasm) loads when the visitor reaches for the launcher.
    let loader = table(
        "Widget first visit (a new visitor's page view: the loader, which shows the launcher)",
        port,
        "/widget",
        &site_widget,
        &names[..1],
    )?;
    let config = wire::get(port, CONFIG)?;
    let config_sent = config.head_bytes + config.body_bytes;
    println!(
        "  {:<40} {:>10} {:>10}  {}",
        "+ GET /api/widget/v1/config (headers too)",
        "",
        kb(config_sent),
        config.cache_control.as_deref().unwrap_or("no cache header")
    );
    // The visit: a session (and its stream, whose few header bytes are not counted).
    let (asked, session) = wire::post_json(
        port,
        "/api/widget/v1/session",
        r#"{"token":null,"metadata":{"browser":"Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0","timezone":"Europe/Paris","referrer":null,"page":"https://shop.example/pricing","language":"en"}}"#,
    )?;
    let session_sent = asked + session.head_bytes + session.body_bytes;
    println!(
        "  {:<40} {:>10} {:>10}  (both ways)",
        "+ POST /api/widget/v1/session",
        "",
        kb(session_sent),
    );
    let first = loader.sent + config_sent + session_sent;
    println!(
        "  first visit: {} sent; budget {}: {}",
        kb(first),
        kb(WIDGET_BUDGET),
        verdict(first <= WIDGET_BUDGET)
    );
    let core = table(
        "Opening the chat the first time (pointer over the launcher): the widget's core",
        port,
        "/widget",
        &site_widget,
        &names[1..],
    )?;
    let whole = first + core.sent;
    println!(
        "  the whole widget, as a visitor who opens the chat receives it: {}; {}: {}",
        kb(whole),
        kb(WIDGET_BUDGET),
        verdict(whole <= WIDGET_BUDGET)
    );
    let again = repeat_visit(
        "Widget repeat visit (a later page view, cache warm)",
        port,
        "/widget",
        &names,
    )?;
    // Its one-minute cache has run out by a later page view: counted again, in full; and each
    // page view is a visit (the session again).
    let repeat = again + config_sent + session_sent;
    println!(
        "  repeat visit with the config and the session again: {} sent; budget {}: {}",
        kb(repeat),
        kb(WIDGET_REPEAT_BUDGET),
        verdict(repeat <= WIDGET_REPEAT_BUDGET)
    );
    dashboard_figures(port, &root.join("target/site/pkg"))
}

const CONFIG: &str = "/api/widget/v1/config?lang=en";

/// What a repeat visit costs in a browser with the files cached: nothing for a file kept as
/// immutable, a conditional GET (status line and headers, a 304) for one to revalidate.
fn repeat_visit(title: &str, port: u16, url_dir: &str, files: &[&str]) -> Result<usize, String> {
    println!("\n{title}");
    let mut total = 0;
    for f in files {
        let path = format!("{url_dir}/{f}");
        let first = wire::get(port, &path)?;
        let (bytes, how) = if first
            .cache_control
            .as_deref()
            .is_some_and(|c| c.contains("immutable"))
        {
            (0, "kept by the browser (immutable): no request".to_string())
        } else {
            let since = first
                .last_modified
                .ok_or_else(|| format!("{path}: no Last-Modified to revalidate with"))?;
            let again = wire::revalidate(port, &path, &since)?;
            (
                again.head_bytes + again.body_bytes,
                format!("revalidated: {}", again.status),
            )
        };
        println!("  {:<40} {:>10}  {how}", f, kb(bytes));
        total += bytes;
    }
    println!("  {:<40} {:>10}", "total", kb(total));
    Ok(total)
}

fn verdict(within: bool) -> &'static str {
    if within {
        "within budget"
    } else {
        "OVER BUDGET"
    }
}

/// The dashboard's file names as built: content-hashed, listed in the hash.txt cargo-leptos
/// writes beside the binary (`js: <hash>`, `wasm:`, `css:`, `split:`, `manifest:`).
struct BuiltNames {
    /// The files every dashboard page loads.
    main: Vec<String>,
    /// Which chunks each lazy page loads.
    manifest: String,
}

fn built_names(root: &Path) -> Result<BuiltNames, String> {
    let path = root.join("target/release/hash.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let hash = |key: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
            .ok_or_else(|| format!("{}: no {key}", path.display()))
    };
    Ok(BuiltNames {
        main: vec![
            format!("liaison.{}.wasm", hash("wasm")?),
            format!("liaison.{}.js", hash("js")?),
            format!("liaison.{}.css", hash("css")?),
            format!("__wasm_split.{}.js", hash("split")?),
        ],
        manifest: format!("__wasm_split_manifest.{}.json", hash("manifest")?),
    })
}

/// A dashboard's first load must stay within this, as sent: the sign-in page (every operator's
/// first page) and the Overview (`/`, where signing in lands).
const DASHBOARD_BUDGET: usize = 300 * 1024;

/// The split modules a first load is made of, and what the budget line calls them.
const FIRST_LOADS: [(&str, &str); 2] = [
    ("sign in", "sign-in page (/login)"),
    ("overview", "landing page (/, the Overview)"),
];

/// The main bundle every page loads, then each page's first load: the main bundle plus the
/// chunks the split manifest lists for the page's module.
fn dashboard_figures(port: u16, dir: &Path) -> Result<(), String> {
    let names = built_names(&util::root())?;
    let main_files: Vec<&str> = names.main.iter().map(String::as_str).collect();
    let main = table(
        "Dashboard main bundle (release, split, wasm-opt): every page loads it",
        port,
        "/pkg",
        dir,
        &main_files,
    )?;
    let manifest = std::fs::read_to_string(dir.join(&names.manifest))
        .map_err(|e| format!("no split manifest: {e}"))?;
    let manifest: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&manifest).map_err(|e| format!("split manifest: {e}"))?;
    println!(
        "\nDashboard first load per page group (as sent): the main bundle + the group's chunks"
    );
    println!(
        "  {:<28} {:>8} {:>12} {:>12}",
        "pages", "chunks", "its chunks", "first load"
    );
    // Each group's first load and its chunks, by group.
    let mut groups = std::collections::BTreeMap::new();
    for (split, chunks) in &manifest {
        let mut own = 0;
        for c in chunks {
            own += fetch(port, "/pkg", dir, &format!("{c}.wasm"))?.0.sent;
        }
        // "sign_in" → "sign in"; "detail_panel_44…" (the conversation panel) → "detail panel".
        let group = split
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
            .replace('_', " ");
        println!(
            "  {:<28} {:>8} {:>12} {:>12}",
            group,
            chunks.len(),
            kb(own),
            kb(main.sent + own)
        );
        groups.insert(group, (main.sent + own, chunks));
    }
    for (group, what) in FIRST_LOADS {
        let (bytes, _) = groups
            .get(group)
            .ok_or_else(|| format!("the split manifest has no module {group:?}"))?;
        println!(
            "  {what}: {} sent; budget {}: {}",
            kb(*bytes),
            kb(DASHBOARD_BUDGET),
            verdict(*bytes <= DASHBOARD_BUDGET)
        );
    }
    let (_, landing) = groups["overview"];
    let mut files = names.main.clone();
    files.extend(landing.iter().map(|c| format!("{c}.wasm")));
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    repeat_visit(
        "Dashboard repeat visit (the Overview, cache warm)",
        port,
        "/pkg",
        &names,
    )?;
    Ok(())
}
