//! Builds the widget bundle into public/widget/ (cargo-leptos copies public/ into the site):
//! `liaison.js` (the loader a page includes, revalidated on every use) and
//! `liaison-core.HASH.js` + `liaison-core_bg.HASH.wasm`, named after their content so that
//! browsers keep them a year (see `static_files.rs`); the loader names them.

use crate::util::{self, exec, step};
use crate::{setup, short_names};

pub enum Mode {
    /// The `widget` profile (opt-level z, LTO) and wasm-opt: what customers' pages load.
    Release,
}

pub const OUT_DIR: &str = "public/widget";

/// The toolchain the widget is built with when it is installed (`cargo xtask setup` installs
/// it): a nightly can rebuild the standard library for size with panics that stop at once
/// (no panic messages, formatting or file locations in the wasm) and inline more, about 9 KB
/// less on the wire than stable. Pinned, so a build is the same every day.
pub const NIGHTLY: &str = "nightly-2026-05-20";

/// Whether the pinned nightly and its standard library's sources are installed.
pub fn nightly_ready() -> bool {
    util::output(
        "rustup",
        &["component", "list", "--installed", "--toolchain", NIGHTLY],
    )
    .is_some_and(|list| list.lines().any(|l| l.starts_with("rust-src")))
}

/// The esbuild `cargo xtask setup` puts in the project's tools.
pub fn esbuild() -> std::path::PathBuf {
    util::tools_dir().join("node_modules/.bin/esbuild")
}

fn compile() -> Result<(), String> {
    let mut args = vec![
        "build",
        "-p",
        "liaison-widget",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "widget",
    ];
    if !nightly_ready() {
        println!(
            "      ({NIGHTLY} is not installed: building on stable, larger; run `cargo xtask setup`)"
        );
        return exec(&mut util::cargo(&args));
    }
    args.extend([
        "-Zbuild-std=std,panic_abort",
        "-Zbuild-std-features=optimize_for_size",
    ]);
    let mut cmd = util::command("cargo", &args);
    cmd.env("RUSTUP_TOOLCHAIN", NIGHTLY).env(
        "RUSTFLAGS",
        // MIR's own inlining, more of it: about 1.3 KB less on the wire (measured over
        // thresholds 10 to 1000; 150-200 is the smallest).
        "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none \
         -Zmir-opt-level=3 -Zinline-mir-threshold=200",
    );
    exec(&mut cmd)
}

/// Minifies wasm-bindgen's js in place (about 1.5 KB less on the wire); without esbuild it
/// stays as it is.
fn minify(file: &std::path::Path) -> Result<(), String> {
    let esbuild = esbuild();
    if !esbuild.exists() {
        println!("      (no esbuild: the widget's js is not minified; run `cargo xtask setup`)");
        return Ok(());
    }
    let f = file.to_string_lossy();
    exec(&mut util::command(
        &esbuild.to_string_lossy(),
        &[
            "--minify",
            "--format=esm",
            "--log-level=warning",
            "--allow-overwrite",
            &f,
            &format!("--outfile={f}"),
        ],
    ))
}

pub fn build(mode: Mode) -> Result<(), String> {
    let Mode::Release = mode;
    step("Building the widget");
    let root = util::root();
    compile()?;
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
        // The features rustc enables by default for wasm32 (and so wasm-bindgen's output uses);
        // then the imports' and exports' names shortened (see `short_names`).
        let mut opt = util::command(
            "wasm-opt",
            &[
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                "--minify-imports-and-exports-and-modules",
                &b,
                "-o",
                &b,
            ],
        );
        println!("$ {}", util::describe(&opt));
        let done = opt
            .output()
            .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
        if !done.status.success() {
            return Err(format!(
                "wasm-opt failed: {}",
                String::from_utf8_lossy(&done.stderr)
            ));
        }
        let renames = short_names::Renames::parse(&String::from_utf8_lossy(&done.stdout))?;
        let wasm = std::fs::read(&bundle).map_err(|e| format!("{b}: {e}"))?;
        let module = short_names::first_import_module(&wasm)
            .ok_or("the optimised widget wasm has no imports")?;
        let js_path = out.join("liaison-core.js");
        let js = std::fs::read_to_string(&js_path).map_err(|e| format!("liaison-core.js: {e}"))?;
        let js = short_names::rename(&js, "./liaison-core_bg.js", &module, &renames)?;
        std::fs::write(&js_path, js).map_err(|e| format!("liaison-core.js: {e}"))?;
    } else {
        println!(
            "      (no wasm-opt >= 116 on PATH: the bundle is larger; run `cargo xtask setup`)"
        );
    }
    minify(&out.join("liaison-core.js"))?;
    let files = name_by_content(&out)?;
    // cargo leptos watch copies public/ into the site only when it starts or public/ changes;
    // keep a running site current too.
    let site = root.join("target/site/widget");
    if site.exists() {
        remove_hashed(&site)?;
        for f in &files {
            let _ = std::fs::copy(out.join(f), site.join(f));
        }
    }
    Ok(())
}

/// The files a page loads, loader first: what `build` wrote in `dir`.
pub fn files(dir: &std::path::Path) -> Result<Vec<String>, String> {
    let mut hashed: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| is_hashed_core(n))
        .collect();
    hashed.sort();
    if hashed.len() != 2 {
        return Err(format!(
            "expected one core js and one wasm in {}, found {hashed:?}",
            dir.display()
        ));
    }
    Ok(std::iter::once("liaison.js".to_string())
        .chain(hashed)
        .collect())
}

fn is_hashed_core(name: &str) -> bool {
    (name.starts_with("liaison-core.") && name.ends_with(".js"))
        || (name.starts_with("liaison-core_bg.") && name.ends_with(".wasm"))
}

/// Removes the previous builds' hashed files (and their compressed copies).
fn remove_hashed(dir: &std::path::Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let base = name.trim_end_matches(".br").trim_end_matches(".gz");
        if is_hashed_core(base) && base.split('.').count() == 3 {
            std::fs::remove_file(entry.path()).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(())
}

/// Renames wasm-bindgen's `liaison-core.js` and `liaison-core_bg.wasm` after a hash of their
/// content, and writes the loader that names them. Returns the three file names.
fn name_by_content(out: &std::path::Path) -> Result<Vec<String>, String> {
    use sha2::{Digest, Sha256};
    remove_hashed(out)?;
    let read = |f: &str| std::fs::read(out.join(f)).map_err(|e| format!("{f}: {e}"));
    let (js, wasm) = (read("liaison-core.js")?, read("liaison-core_bg.wasm")?);
    let digest = Sha256::new()
        .chain_update(&js)
        .chain_update(&wasm)
        .finalize();
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let (js_name, wasm_name) = (
        format!("liaison-core.{hash}.js"),
        format!("liaison-core_bg.{hash}.wasm"),
    );
    for (from, to) in [
        ("liaison-core.js", &js_name),
        ("liaison-core_bg.wasm", &wasm_name),
    ] {
        std::fs::rename(out.join(from), out.join(to)).map_err(|e| format!("{from}: {e}"))?;
    }
    let root = util::root();
    let loader = std::fs::read_to_string(root.join("widget/loader.js"))
        .map_err(|e| format!("cannot read the loader: {e}"))?;
    let named = loader
        .replace("'./liaison-core.js'", &format!("'./{js_name}'"))
        .replace("'liaison-core_bg.wasm'", &format!("'{wasm_name}'"));
    if !named.contains(&js_name) || !named.contains(&wasm_name) {
        return Err(
            "widget/loader.js no longer names './liaison-core.js' and 'liaison-core_bg.wasm'"
                .into(),
        );
    }
    std::fs::write(out.join("liaison.js"), named)
        .map_err(|e| format!("cannot write the loader: {e}"))?;
    minify(&out.join("liaison.js"))?;
    Ok(vec!["liaison.js".into(), js_name, wasm_name])
}
