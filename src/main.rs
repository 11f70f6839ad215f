//! The Liaison server binary: configuration, then serve until SIGTERM or Ctrl-C.

use leptos::prelude::LeptosOptions;
use liaison::server::{Config, start};
use tracing_subscriber::EnvFilter;

/// The site configuration: Leptos.toml beside the binary when deployed; under cargo-leptos its
/// LEPTOS_* variables override it (cargo-leptos itself reads Cargo.toml's metadata).
fn site_options() -> LeptosOptions {
    let file = std::path::Path::new("Leptos.toml");
    let conf = if file.exists() {
        leptos::config::get_configuration(Some("Leptos.toml"))
    } else {
        leptos::config::get_configuration(None)
    };
    match conf {
        Ok(conf) => {
            let options = conf.leptos_options;
            // The pages name the bundles from hash.txt, which the build writes beside the binary.
            let hashes = std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.parent()?.join(&*options.hash_file)));
            if options.hash_files && !hashes.as_ref().is_some_and(|h| h.exists()) {
                eprintln!(
                    "Leptos site configuration: hash-files is on, but {} is missing: copy the \
                     hash.txt that `cargo leptos build` wrote beside the binary with it.",
                    hashes.map_or("hash.txt".into(), |h| h.display().to_string())
                );
                std::process::exit(2);
            }
            options
        }
        Err(e) => {
            eprintln!("Leptos site configuration: {e}");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A document worker (`kb::documents::worker`): one thread, no runtime (its memory limit is
    // for the file, not for idle threads' reservations); its stdout is the text, nothing else.
    if args.first().map(String::as_str) == Some(liaison::server::kb::documents::worker::COMMAND) {
        std::process::exit(liaison::server::kb::documents::worker::serve(&args[1..]));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    runtime.block_on(serve(args));
}

async fn serve(args: Vec<String>) {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn")),
        )
        .init();
    if args.first().map(String::as_str) == Some("copy-database") {
        std::process::exit(copy_database(&args[1..]).await);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Configuration error: {e}");
            std::process::exit(2);
        }
    };
    let server = match start(config, site_options()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Liaison could not start: {e}");
            std::process::exit(1);
        }
    };
    println!("  Liaison is listening on http://{}", server.addr);
    println!(
        "  Dashboard: http://{0}/   Widget demo: http://{0}/demo\n",
        server.addr
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop().await;
}

const COPY_USAGE: &str =
    "usage: liaison copy-database --from sqlite://PATH/liaison.db --to postgres://USER@HOST/DB";

/// `liaison copy-database --from … --to …`: prints what it copied, or why it did not.
async fn copy_database(args: &[String]) -> i32 {
    use liaison::server::db::{Location, copy};
    let (mut from, mut to) = (None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--from" => from = args.next(),
            "--to" => to = args.next(),
            other => {
                eprintln!("copy-database: unknown argument {other:?}\n{COPY_USAGE}");
                return 2;
            }
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        eprintln!("{COPY_USAGE}");
        return 2;
    };
    let parse = |url: &String| {
        Location::parse(Some(url), std::path::Path::new("")).map_err(|_| {
            format!("copy-database: {url:?} is not sqlite://PATH or postgres://USER@HOST/DB")
        })
    };
    let (from, to) = match (parse(from), parse(to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return 2;
        }
    };
    if let Location::Sqlite(path) = &from
        && !path.exists()
    {
        eprintln!("copy-database: no database at {}", path.display());
        return 2;
    }
    match copy::copy(&from, &to).await {
        Ok(copied) => {
            for (table, rows) in copied {
                println!("  {table:<22} {rows:>10} rows");
            }
            println!("Copied and verified: every table has as many rows as in the source.");
            0
        }
        Err(e) => {
            eprintln!("copy-database: {e}");
            1
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
