//! `cargo xtask release`: the builds a deployment runs, the ones `cargo xtask bench` measures.
//! The widget, then the dashboard: its wasm (a chunk per group of pages), then the server.
//!
//! The dashboard's wasm is built on the pinned nightly when it is installed (as the widget is):
//! the standard library rebuilt for size (`-Zbuild-std`, `optimize_for_size`) and no file
//! locations in panic messages (`-Zlocation-detail=none`) take about 15 KB off every page's
//! first load (main bundle 242 → 227 KB brotli, measured). Panics still print their message in
//! the browser's console (`-Cpanic=immediate-abort` would save 11 KB more, but a report of a
//! broken dashboard would then say nothing). The server is always built on stable.

use crate::util::{self, exec, step};
use crate::widget;
use std::process::Command;

pub fn run() -> Result<(), String> {
    widget::build(widget::Mode::Release)?;
    dashboard()
}

/// The dashboard as it ships: release, split, components type-erased (`erase_components`: less
/// generic code). Needs the widget built first (cargo-leptos copies it into the site).
fn dashboard() -> Result<(), String> {
    step("cargo leptos build --release --split --frontend-only (the dashboard's wasm)");
    exec(&mut front())?;
    step("cargo leptos build --release --split --server-only (the server, stable)");
    let mut server = util::cargo_leptos(&["build", "--release", "--split", "--server-only"]);
    server.env("RUSTFLAGS", util::ERASE_COMPONENTS);
    exec(&mut server)
}

fn front() -> Command {
    let mut cmd = util::cargo_leptos(&["build", "--release", "--split", "--frontend-only"]);
    if !widget::nightly_ready() {
        println!(
            "      ({} is not installed: building on stable, about 15 KB larger a page; run `cargo xtask setup`)",
            widget::NIGHTLY
        );
        cmd.env("RUSTFLAGS", util::ERASE_COMPONENTS);
        return cmd;
    }
    cmd.env("RUSTUP_TOOLCHAIN", widget::NIGHTLY)
        // cargo-leptos splits `--lib-cargo-args` at commas (`-Zbuild-std=std,panic_abort` has
        // one); cargo reads the same -Z options from these.
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env(
            "RUSTFLAGS",
            [util::ERASE_COMPONENTS, "-Zlocation-detail=none"].join(" "),
        );
    cmd
}
