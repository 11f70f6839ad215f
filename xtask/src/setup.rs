//! Installs what is missing, each step only when needed (see ../shared/TOOLCHAIN.md for why
//! each pin and source: no prebuilt downloads work here, Debian's wasm-opt 108 breaks release
//! bundles, and the wasm-bindgen CLI must match the crate exactly).

use crate::util::{self, exec, output, step};
use crate::widget;
use std::path::Path;

const CARGO_LEPTOS: &str = "0.3.10";
const BINARYEN: &str = "132.0.0";
const ESBUILD: &str = "0.24.2";
const MIN_WASM_OPT: u32 = 116;

/// A setup step: None when the tool was already there, else what it installed.
type Step = fn() -> Result<Option<String>, String>;

pub fn run() -> Result<(), String> {
    let steps: [(&str, Step); 9] = [
        ("Rust target wasm32-unknown-unknown", wasm_target),
        (
            "Rust nightly with its sources, for the widget's smallest build",
            widget_toolchain,
        ),
        ("Chromium for browser tests", chromium),
        ("PostgreSQL 15 for the second backend's tests", postgres),
        ("cargo-leptos", cargo_leptos),
        ("wasm-bindgen-cli", wasm_bindgen),
        ("wasm-opt", wasm_opt),
        ("esbuild (minifies the widget's js)", esbuild),
        ("end2end npm packages (playwright-core)", end2end_packages),
    ];
    step("Setup: checking tools");
    for (i, (name, f)) in steps.iter().enumerate() {
        println!("[{}/{}] {name}", i + 1, steps.len());
        match f()? {
            None => println!("      ok (already there)"),
            Some(what) => println!("      installed {what}"),
        }
    }
    Ok(())
}

fn wasm_target() -> Result<Option<String>, String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(None);
    }
    exec(&mut util::command(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))?;
    Ok(Some("wasm32-unknown-unknown".into()))
}

/// The pinned nightly the widget is built with (`widget::NIGHTLY`, see there why). Not having
/// it is not an error: the widget then builds on stable, about 9 KB larger on the wire.
fn widget_toolchain() -> Result<Option<String>, String> {
    if widget::nightly_ready() {
        return Ok(None);
    }
    let installed = exec(&mut util::command(
        "rustup",
        &[
            "toolchain",
            "install",
            widget::NIGHTLY,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
        ],
    ));
    Ok(Some(match installed {
        Ok(()) if widget::nightly_ready() => widget::NIGHTLY.to_string(),
        _ => format!(
            "nothing: {} is not available, so the widget builds on stable (larger)",
            widget::NIGHTLY
        ),
    }))
}

/// Installs an npm package (`name@version`) into the project's tools (`.tools/`).
fn npm_tool(package: &str) -> Result<(), String> {
    let dir = util::tools_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    exec(&mut util::command(
        "npm",
        &[
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            &dir.to_string_lossy(),
            package,
        ],
    ))
}

/// esbuild (npm) for the widget's js; without it the js is sent unminified.
fn esbuild() -> Result<Option<String>, String> {
    if widget::esbuild().exists() {
        return Ok(None);
    }
    npm_tool(&format!("esbuild@{ESBUILD}"))?;
    Ok(Some(format!("esbuild {ESBUILD}")))
}

fn as_root(args: &[&str]) -> std::process::Command {
    let is_root = output("id", &["-u"]).as_deref() == Some("0");
    if is_root {
        util::command(args[0], &args[1..])
    } else {
        util::command("sudo", args)
    }
}

fn chromium() -> Result<Option<String>, String> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(None);
    }
    println!("      apt-get install chromium (about 2 minutes)");
    exec(as_root(&["apt-get", "update", "-qq"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    exec(
        as_root(&["apt-get", "install", "-y", "-qq", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(Some("chromium".into()))
}

/// Where the tests find initdb, pg_ctl and postgres (Debian's layout); the tests start their own
/// cluster, so the Debian service is never started.
pub const POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";

fn postgres() -> Result<Option<String>, String> {
    if Path::new(POSTGRES_BIN).join("initdb").exists() {
        return Ok(None);
    }
    println!("      apt-get install postgresql-15 (about a minute)");
    exec(as_root(&["apt-get", "update", "-qq"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    exec(
        as_root(&["apt-get", "install", "-y", "-qq", "postgresql-15"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    // Debian starts its own cluster on install; the tests need none of it.
    let _ = exec(&mut as_root(&["service", "postgresql", "stop"]));
    Ok(Some("postgresql-15".into()))
}

fn cargo_leptos() -> Result<Option<String>, String> {
    let version = output("cargo", &["leptos", "--version"]).unwrap_or_default();
    if version.contains(CARGO_LEPTOS) {
        return Ok(None);
    }
    println!("      cargo install cargo-leptos {CARGO_LEPTOS} (about 15 minutes, once)");
    exec(&mut util::command(
        "cargo",
        &[
            "install",
            "cargo-leptos",
            "--version",
            CARGO_LEPTOS,
            "--locked",
        ],
    ))?;
    Ok(Some(format!("cargo-leptos {CARGO_LEPTOS}")))
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must be exactly this.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(util::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

fn wasm_bindgen() -> Result<Option<String>, String> {
    let wanted = locked_wasm_bindgen()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(None);
    }
    println!("      cargo install wasm-bindgen-cli {wanted} (about 4 minutes, once)");
    // Not --locked: its lockfile names a crate version the registry no longer has.
    exec(&mut util::command(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ],
    ))?;
    Ok(Some(format!("wasm-bindgen-cli {wanted}")))
}

/// The wasm-opt on the project's PATH, if it is new enough.
pub fn wasm_opt_version() -> Option<u32> {
    let v = output("wasm-opt", &["--version"])?;
    // "wasm-opt version 132 (version_132)"
    v.split_whitespace().nth(2)?.parse().ok()
}

fn wasm_opt() -> Result<Option<String>, String> {
    if wasm_opt_version().is_some_and(|v| v >= MIN_WASM_OPT) {
        return Ok(None);
    }
    npm_tool(&format!("binaryen@{BINARYEN}"))?;
    match wasm_opt_version() {
        Some(v) if v >= MIN_WASM_OPT => Ok(Some(format!("wasm-opt {v} (npm binaryen)"))),
        other => Err(format!(
            "wasm-opt is still not >= {MIN_WASM_OPT} (found {other:?})"
        )),
    }
}

fn end2end_packages() -> Result<Option<String>, String> {
    let dir = util::root().join("end2end");
    if dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Ok(None);
    }
    exec(&mut util::command(
        "npm",
        &[
            "ci",
            "--no-audit",
            "--no-fund",
            "--prefix",
            &dir.to_string_lossy(),
        ],
    ))?;
    Ok(Some("playwright-core".into()))
}
