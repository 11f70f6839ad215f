//! The real `liaison` binary as a separate process (for what cannot happen inside the test
//! process: kill -9, two servers with their own runtimes and pools). Its output goes to a log
//! file in its data directory; the address comes from the line it prints when listening.

use super::{Http, OWNER_EMAIL, PASSWORD};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct Process {
    child: Child,
    base: String,
    dir: PathBuf,
}

impl Process {
    /// Starts `liaison` on a free loopback port against `database_url`, with the test owner and
    /// demo data, and waits until it listens.
    pub async fn start(database_url: &str) -> Process {
        Process::start_with(database_url, &[]).await
    }

    /// [`Process::start`] with more environment (a model to ask, say).
    pub async fn start_with(database_url: &str, extra: &[(&str, String)]) -> Process {
        let dir = std::env::temp_dir().join(format!(
            "liaison-process-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_liaison"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LIAISON_ADDR", "127.0.0.1:0")
            .env("LIAISON_DATA_DIR", &dir)
            .env("LIAISON_DATABASE_URL", database_url)
            .env("LIAISON_OWNER_EMAIL", OWNER_EMAIL)
            .env("LIAISON_OWNER_PASSWORD", PASSWORD)
            .env("LIAISON_DEMO", "1")
            .env("LIAISON_DEMO_AGENT_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .envs(super::UNLIMITED)
            .env("LIAISON_SECRET_KEY", super::TEST_SECRET_KEY)
            // cargo test builds this binary without the site's hash.txt beside it (cargo-leptos
            // writes that); these tests use no bundles.
            .env("LEPTOS_HASH_FILES", "false")
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the liaison binary");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = dir.join("log");
        for output in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (tx, log) = (tx.clone(), log.clone());
            std::thread::spawn(move || {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(log)
                    .unwrap();
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let _ = tx.send(rest.trim().to_string());
                    }
                    let _ = writeln!(file, "{line}");
                }
            });
        }
        let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await
            .unwrap()
            .unwrap_or_else(|_| {
                panic!(
                    "liaison did not start; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Process {
            child,
            base: format!("http://{addr}"),
            dir,
        }
    }

    /// SIGKILL: no shutdown, no flush, as when the machine or the OOM killer stops it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Http for Process {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
