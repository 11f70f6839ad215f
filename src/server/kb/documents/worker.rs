//! Reading a document's text happens in a worker process (this same binary, run as
//! `liaison extract-document FORMAT`), with a time limit and a memory limit. A file whose
//! parser hangs, overflows its stack or exhausts memory ends that process only: the document
//! is marked failed with the reason, and the server and the other documents carry on.

use super::extract::{self, Format};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The command that makes this binary a worker.
pub const COMMAND: &str = "extract-document";

/// How documents are read: which binary (this one, unless `LIAISON_DOCUMENT_WORKER` names
/// another: tests, whose own binary is not the server), how long, how much memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerLimits {
    pub program: Option<PathBuf>,
    pub time: Duration,
    pub memory_mb: u64,
}

impl Default for WorkerLimits {
    fn default() -> Self {
        WorkerLimits {
            program: None,
            time: Duration::from_secs(60),
            memory_mb: 1024,
        }
    }
}

/// Exit status of a worker that read the file and found it unreadable (its reason on stderr).
const UNREADABLE: i32 = 3;

/// The document's text, read by a worker process within `limits`; or why not.
pub async fn extract(
    format: Format,
    bytes: Vec<u8>,
    limits: &WorkerLimits,
) -> Result<String, String> {
    let program = match &limits.program {
        Some(p) => p.clone(),
        None => std::env::current_exe().map_err(|e| format!("The document worker: {e}"))?,
    };
    let mut child = tokio::process::Command::new(program)
        .arg(COMMAND)
        .arg(format.as_str())
        .arg(limits.memory_mb.to_string())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("The document worker could not start: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let feed = tokio::spawn(async move {
        // A worker that dies early closes the pipe; its exit says why.
        let _ = stdin.write_all(&bytes).await;
    });
    let finished = tokio::time::timeout(limits.time, child.wait_with_output()).await;
    feed.abort();
    let output = match finished {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Err(format!("The document worker failed: {e}")),
        // Dropping the child kills it (kill_on_drop).
        Err(_) => {
            return Err(format!(
                "Reading the file took longer than {} seconds; it was stopped.",
                limits.time.as_secs()
            ));
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => String::from_utf8(output.stdout)
            .map_err(|_| "The document worker returned text that is not UTF-8.".to_string()),
        Some(UNREADABLE) => Err(stderr.trim().to_string()),
        _ if stderr.contains("memory allocation") => Err(format!(
            "Reading the file needed more than {} MB of memory; it was stopped.",
            limits.memory_mb
        )),
        _ => Err("The file could not be read: the parser crashed on it.".to_string()),
    }
}

/// The worker's side (`liaison extract-document FORMAT MEMORY_MB`): limits its own memory,
/// reads the file from stdin, writes the text to stdout. Returns the exit status.
pub fn serve(args: &[String]) -> i32 {
    let (Some(format), Some(memory_mb)) = (
        args.first().and_then(|f| Format::parse(f)),
        args.get(1).and_then(|m| m.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: liaison {COMMAND} markdown|text|html|pdf MEMORY_MB");
        return 2;
    };
    limit_memory(memory_mb);
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("reading the file: {e}");
        return 2;
    }
    match extract::text(format, &bytes) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return 2;
            }
            0
        }
        Err(reason) => {
            eprintln!("{reason}");
            UNREADABLE
        }
    }
}

/// Caps this process's address space: an allocation past it fails, and the process ends.
fn limit_memory(mb: u64) {
    #[cfg(unix)]
    {
        let bytes = mb.saturating_mul(1024 * 1024) as libc::rlim_t;
        let limit = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: bytes,
        };
        // SAFETY: setrlimit reads the struct we pass; it has no other effect on memory safety.
        if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } != 0 {
            eprintln!(
                "could not limit memory: {}",
                std::io::Error::last_os_error()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = mb;
}
