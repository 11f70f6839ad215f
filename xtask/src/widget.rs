//! Builds the widget bundle into public/widget/ (cargo-leptos copies public/ into the site):
//! `liaison.js` (the loader a page includes), `liaison-core.js` + `liaison-core_bg.wasm`.

use crate::setup;
use crate::util::{self, exec, step};

pub enum Mode {
    /// The `widget` profile (opt-level z, LTO) and wasm-opt: what customers' pages load.
    Release,
}

pub const OUT_DIR: &str = "public/widget";

pub fn build(mode: Mode) -> Result<(), String> {
    let Mode::Release = mode;
    step("Building the widget");
    let root = util::root();
    exec(&mut util::cargo(&[
        "build",
        "-p",
        "liaison-widget",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "widget",
    ]))?;
    let out = root.join(OUT_DIR);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let wasm = root.join("target/wasm32-unknown-unknown/widget/liaison_widget.wasm");
    exec(&mut util::command(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-dir",
            &out.to_string_lossy(),
            "--out-name",
            "liaison-core",
            &wasm.to_string_lossy(),
        ],
    ))?;
    let bundle = out.join("liaison-core_bg.wasm");
    if setup::wasm_opt_version().is_some_and(|v| v >= 116) {
        let b = bundle.to_string_lossy();
        // The features rustc enables by default for wasm32 (and so wasm-bindgen's output uses).
        exec(&mut util::command(
            "wasm-opt",
            &[
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                &b,
                "-o",
                &b,
            ],
        ))?;
    } else {
        println!(
            "      (no wasm-opt >= 116 on PATH: the bundle is larger; run `cargo xtask setup`)"
        );
    }
    std::fs::copy(root.join("widget/loader.js"), out.join("liaison.js"))
        .map_err(|e| format!("cannot copy the loader: {e}"))?;
    // cargo leptos watch copies public/ into the site only when it starts or public/ changes;
    // keep a running site current too.
    let site = root.join("target/site/widget");
    if site.exists() {
        for f in ["liaison.js", "liaison-core.js", "liaison-core_bg.wasm"] {
            let _ = std::fs::copy(out.join(f), site.join(f));
        }
    }
    Ok(())
}
