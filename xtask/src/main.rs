//! Project tasks. `cargo xtask <task>`:
//!
//! - `setup`: install what is missing (wasm32 target, Chromium, cargo-leptos 0.3.10,
//!   wasm-bindgen-cli at the Cargo.lock version, wasm-opt >= 116, end2end npm packages)
//! - `dev`: setup, build the widget, and serve with `cargo leptos watch` (demo data)
//! - `test`: setup, then every check: fmt, clippy, unit + integration tests, browser tests
//! - `bench`: print the figures: the inbox at scale, the AI agent, the backends, what browsers
//!   download and the streams (`bench delivery`: only what browsers download)
//! - `release`: the release builds a deployment runs (the widget, the dashboard's wasm, the
//!   server): `target/release/liaison` and `target/site`
//! - `widget`: build the widget bundle into public/widget/
//! - `e2e`: build the widget and the app, and run only the browser tests

mod bench;
mod e2e;
mod release;
mod setup;
mod short_names;
mod util;
mod widget;
mod wire;

use std::process::ExitCode;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "setup" => setup::run(),
        "dev" => dev(),
        "test" => test(),
        "bench" if std::env::args().nth(2).as_deref() == Some("delivery") => bench::delivery(),
        "bench" => bench::run(),
        "widget" => setup::run().and_then(|_| widget::build(widget::Mode::Release)),
        "release" => setup::run().and_then(|_| release::run()),
        "e2e" => setup::run()
            .and_then(|_| widget::build(widget::Mode::Release))
            .and_then(|_| e2e::run()),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | dev | test | bench [delivery] | release | widget | e2e>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dev() -> Result<(), String> {
    setup::run()?;
    widget::build(widget::Mode::Release)?;
    util::step("Starting Liaison with demo data (cargo leptos watch)");
    let mut cmd = util::cargo_leptos(&["watch", "--split"]);
    cmd.env("LIAISON_DEMO", "1");
    // A known demo login (the server never prints a password it was given); set these to
    // choose your own.
    for (name, default) in [
        ("LIAISON_OWNER_EMAIL", "owner@liaison.local"),
        ("LIAISON_OWNER_PASSWORD", "liaison-demo"),
        ("LIAISON_DEMO_AGENT_PASSWORD", "liaison-demo"),
    ] {
        if std::env::var_os(name).is_none() {
            cmd.env(name, default);
            println!("  {name}={default}");
        }
    }
    util::exec(&mut cmd)
}

fn test() -> Result<(), String> {
    setup::run()?;
    let mut checks = util::Checks::default();
    checks.run("cargo fmt --check", || {
        util::exec(&mut util::cargo(&["fmt", "--all", "--", "--check"]))
    });
    checks.run("clippy (server, protocol, xtask)", || {
        util::exec(&mut util::cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "liaison/ssr",
            "--",
            "-D",
            "warnings",
        ]))
    });
    checks.run("clippy (widget, wasm32)", || {
        util::exec(&mut util::cargo(&[
            "clippy",
            "-p",
            "liaison-widget",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    });
    checks.run("clippy (dashboard hydrate, wasm32)", || {
        util::exec(&mut util::cargo(&[
            "clippy",
            "-p",
            "liaison",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "hydrate",
            "--",
            "-D",
            "warnings",
        ]))
    });
    checks.run("unit and integration tests", || {
        util::exec(&mut util::cargo(&[
            "test",
            "--workspace",
            "--features",
            "liaison/ssr",
        ]))
    });
    checks.run("integration tests on PostgreSQL", || {
        util::exec(
            // The same features as the run above, so nothing is compiled again.
            util::cargo(&[
                "test",
                "--workspace",
                "--features",
                "liaison/ssr",
                "--test",
                "api",
                "--",
                // These pick their backends themselves and ran in the step above.
                "--skip",
                "backends::",
                "--skip",
                "instances::",
                "--skip",
                "processes::",
                "--skip",
                "schema::",
            ])
            .env("LIAISON_TEST_BACKEND", "postgres"),
        )
    });
    checks.run("browser end-to-end tests", || {
        widget::build(widget::Mode::Release)?;
        e2e::run()
    });
    checks.finish()
}
