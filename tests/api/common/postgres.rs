//! A real PostgreSQL for the tests: one throwaway cluster per test process (initdb + pg_ctl into
//! a temporary directory, on a free loopback port), and a fresh database per test. initdb and
//! postgres refuse to run as root, so as root they run as the `postgres` user. A watchdog stops
//! the cluster and removes its directory when the test process exits, however it exits.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Debian's layout (`cargo xtask setup` installs it where missing).
const BIN: &str = "/usr/lib/postgresql/15/bin";

struct Cluster {
    port: u16,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program args…`, as the `postgres` user when we are root.
fn pg_command(program: &str, args: &[&str]) -> Command {
    let program = Path::new(BIN).join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn run(mut c: Command, what: &str) -> Result<(), String> {
    let out = c.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start_cluster() -> Result<Cluster, String> {
    if !Path::new(BIN).join("initdb").exists() {
        return Err(format!("no PostgreSQL in {BIN}: run `cargo xtask setup`"));
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("liaison-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if is_root() {
        run(
            {
                let mut c = Command::new("chown");
                c.arg("postgres").arg(&dir);
                c
            },
            "chown",
        )?;
    }
    let data = dir.join("data");
    let data_s = data.display().to_string();
    run(
        pg_command(
            "initdb",
            &[
                "-D",
                &data_s,
                "-U",
                "liaison",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        ),
        "initdb",
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let options = format!(
        "-p {port} -k {} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300",
        dir.display()
    );
    let log = dir.join("log").display().to_string();
    run(
        pg_command(
            "pg_ctl",
            &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"],
        ),
        "pg_ctl start",
    )?;
    // The watchdog: stops the cluster once this process is gone.
    let as_postgres = if is_root() {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let stop = format!("{as_postgres}{BIN}/pg_ctl -D {data_s} -m immediate stop");
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("watchdog: {e}"))?;
    Ok(Cluster { port })
}

/// The URL of a new, empty database on the test cluster.
pub async fn fresh_database() -> String {
    let cluster = CLUSTER
        .get_or_init(start_cluster)
        .as_ref()
        .unwrap_or_else(|e| panic!("PostgreSQL for tests: {e}"));
    let name = format!("test_{}", NEXT_DB.fetch_add(1, Ordering::SeqCst));
    let admin = format!("postgres://liaison@127.0.0.1:{}/postgres", cluster.port);
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    format!("postgres://liaison@127.0.0.1:{}/{name}", cluster.port)
}
