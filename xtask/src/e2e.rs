//! Browser end-to-end tests: build the site with cargo-leptos, start the real server on a free
//! port with a fresh data directory and demo data, run end2end/tests with node's test runner
//! (playwright-core driving Debian's Chromium), stop the server.

use crate::util::{self, exec, step};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const OWNER_EMAIL: &str = "owner@e2e.test";
pub const AGENT_EMAIL: &str = "agent@liaison.local";
pub const PASSWORD: &str = "e2e-password-1";

/// A free port on 127.0.0.1.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

pub fn run() -> Result<(), String> {
    step("cargo leptos build --split");
    // `cargo leptos end-to-end` reports success when its build fails, so build and test apart.
    // `--split`: the dashboard's lazy pages need the split step in every build.
    util::exec_explained(|| util::cargo_leptos(&["build", "--split"]))?;
    let root = util::root();
    let port = free_port()?;
    let data = std::env::temp_dir().join(format!("liaison-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let log_path = root.join("target/e2e-server.log");
    let base = format!("http://127.0.0.1:{port}");
    step(&format!(
        "Starting the server on {base} (log: target/e2e-server.log)"
    ));
    let mut server = Server::start(&root.join("target/debug/liaison"), port, &data, &log_path)?;
    let result = exec(
        util::command(
            "node",
            &["--test", "--test-concurrency=1", "end2end/tests/"],
        )
        .env("LIAISON_BASE_URL", &base)
        .env("LIAISON_OWNER_EMAIL", OWNER_EMAIL)
        .env("LIAISON_AGENT_EMAIL", AGENT_EMAIL)
        .env("LIAISON_PASSWORD", PASSWORD),
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&data);
    if result.is_err() {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        println!("--- last lines of target/e2e-server.log ---");
        for line in tail.into_iter().rev() {
            println!("{line}");
        }
    }
    result
}

pub struct Server(Child);

impl Server {
    /// Starts `binary` on `port` with a fresh `data` directory, demo data and the test logins,
    /// logging to `log_path`, and waits until it answers /healthz.
    pub fn start(
        binary: &std::path::Path,
        port: u16,
        data: &std::path::Path,
        log_path: &std::path::Path,
    ) -> Result<Server, String> {
        let log = std::fs::File::create(log_path)
            .map_err(|e| format!("cannot create the server log: {e}"))?;
        let child = Command::new(binary)
            .current_dir(util::root())
            .env("LIAISON_ADDR", format!("127.0.0.1:{port}"))
            .env("LIAISON_DATA_DIR", data)
            .env("LIAISON_DEMO", "1")
            .env("LIAISON_OWNER_EMAIL", OWNER_EMAIL)
            .env("LIAISON_OWNER_PASSWORD", PASSWORD)
            .env("LIAISON_DEMO_AGENT_PASSWORD", PASSWORD)
            // The browser tests and benches come from 127.0.0.1, faster than people do: the
            // rate limits are lifted (tests/api/limits.rs checks them).
            .envs(
                [
                    "LIAISON_LIMIT_VISITOR_PER_MINUTE",
                    "LIAISON_LIMIT_ADDRESS_PER_MINUTE",
                    "LIAISON_LIMIT_SITE_PER_MINUTE",
                    "LIAISON_LIMIT_SESSIONS_PER_HOUR",
                    "LIAISON_LIMIT_SIGN_INS_PER_MINUTE",
                ]
                .map(|name| (name, "1000000")),
            )
            // The tests' webhook receivers are on 127.0.0.1.
            .env("LIAISON_ALLOW_PRIVATE_URLS", "1")
            .stdout(Stdio::from(log.try_clone().map_err(|e| e.to_string())?))
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Server(child);
        wait_healthy(port)?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// SIGTERM, so the graceful shutdown runs, then wait.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.stop();
        }
    }
}

fn wait_healthy(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err("the server did not answer /healthz within 60 s (see target/e2e-server.log)".into())
}
