//! Running commands, with one set of RUSTFLAGS and the project's tools first on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The workspace root (xtask's parent).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Where setup puts tools that are not cargo-installed (wasm-opt from npm's binaryen).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's tools and cargo's bin first, so a good wasm-opt wins over Debian's.
pub fn path_env() -> String {
    let mut dirs = vec![tools_dir().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let mut path = std::env::join_paths(&dirs)
        .expect("paths join")
        .into_string()
        .unwrap_or_default();
    if let Ok(rest) = std::env::var("PATH") {
        path = format!("{path}:{rest}");
    }
    path
}

/// A command run from the workspace root with the project's PATH.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(root()).env("PATH", path_env());
    cmd
}

/// The flag every build of the app shares: components type-erased (less generic code). cargo-leptos
/// sets it for debug builds; release builds are given it.
pub const ERASE_COMPONENTS: &str = "--cfg erase_components";

/// cargo with the flags cargo-leptos uses for debug builds (`ERASE_COMPONENTS`), so tests,
/// clippy and `cargo leptos build` share one set of compiled dependencies.
pub fn cargo(args: &[&str]) -> Command {
    let mut cmd = command("cargo", args);
    cmd.env("RUSTFLAGS", ERASE_COMPONENTS);
    cmd
}

pub fn cargo_leptos(args: &[&str]) -> Command {
    let mut all = vec!["leptos"];
    all.extend_from_slice(args);
    let mut cmd = command("cargo", &all);
    // cargo-leptos reports errors with a long backtrace after the message; without it, the
    // message is what the end of a log shows.
    cmd.env_remove("RUSTFLAGS")
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0");
    cmd
}

pub fn step(title: &str) {
    println!("\n==> {title}");
}

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().to_string();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

pub fn exec(cmd: &mut Command) -> Result<(), String> {
    println!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

/// `exec` for a build step whose failure must be explained in CI's summary (which shows only
/// the end of the log): when it fails, it runs once more with its output kept, and if it fails
/// again the error carries its last lines. A failure the second run does not repeat (a
/// transient one) is reported and the step goes on.
pub fn exec_explained(make: impl Fn() -> Command) -> Result<(), String> {
    let first = exec(&mut make());
    let Err(failed) = first else {
        return Ok(());
    };
    println!("{failed}; running it again to keep its output");
    let mut again = make();
    let out = again
        .output()
        .map_err(|e| format!("cannot run {}: {e}", describe(&again)))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{text}");
    if out.status.success() {
        println!("(the second run succeeded: the first failure was transient)");
        return Ok(());
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("Compiling"))
        .collect();
    let tail = lines[lines.len().saturating_sub(25)..].join("\n    ");
    Err(format!("{failed}, twice; its last lines:\n    {tail}"))
}

/// The first line a command prints, if it runs at all.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs checks in order, stops at the first failure, and prints a summary.
#[derive(Default)]
pub struct Checks {
    passed: Vec<(String, f64)>,
    failed: Option<(String, String)>,
}

impl Checks {
    pub fn run(&mut self, name: &str, f: impl FnOnce() -> Result<(), String>) {
        if self.failed.is_some() {
            return;
        }
        step(name);
        let start = Instant::now();
        match f() {
            Ok(()) => self
                .passed
                .push((name.to_string(), start.elapsed().as_secs_f64())),
            Err(e) => self.failed = Some((name.to_string(), e)),
        }
    }

    pub fn finish(self) -> Result<(), String> {
        println!("\n==> Summary");
        for (name, secs) in &self.passed {
            println!("  ok    {name} ({secs:.0} s)");
        }
        if let Some((name, e)) = &self.failed {
            println!("  FAIL  {name}: {e}");
        }
        let failed = usize::from(self.failed.is_some());
        println!("xtask: {} passed, {failed} failed", self.passed.len());
        match self.failed {
            Some((name, _)) => Err(format!("{name} failed")),
            None => Ok(()),
        }
    }
}
