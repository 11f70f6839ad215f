//! Figures for `cargo xtask bench` (ignored by `cargo test`; it prints, it never asserts times):
//! SQLite against PostgreSQL on this machine, in the same run. Durable message writes per
//! second through the send queue (the widget's path without HTTP), swept over how many
//! visitors send at once; and the message path, visitor POST -> operator stream, at 500 msg/s
//! on one instance of each and across two PostgreSQL instances (POST to A, stream from B).
//! The test cluster runs with fsync off (`common::postgres`), so PostgreSQL's figures leave out
//! the disk flush; SQLite's do not (synchronous=NORMAL in WAL mode syncs at checkpoints only).

use crate::common::*;
use liaison::server::conversations::{Batcher, SendQueue, VisitorSend};
use liaison::server::db::{self, Db};
use liaison::server::realtime::Bus;
use liaison_protocol::widget_api::VisitorMetadata;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn writes_per_second(name: &str, db: Db) {
    let mut tx = db.write().await.unwrap();
    let mut visitors = Vec::new();
    for i in 0..256 {
        visitors.push(
            db::visitors::insert(
                tx.conn(),
                &format!("bench-{i}"),
                &VisitorMetadata::default(),
            )
            .await
            .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let queue: SendQueue = Batcher::start(db.clone(), Arc::new(|_: &VisitorSend, _: &_| {}));
    for senders in [1usize, 16, 256] {
        let total = 4_000;
        let start = Instant::now();
        let each = total / senders;
        let tasks = (0..senders).map(|s| {
            let queue = queue.clone();
            let visitor = visitors[s];
            async move {
                for i in 0..each {
                    let send =
                        VisitorSend::new(visitor, &format!("w{senders}-{s}-{i}"), "How much?")
                            .unwrap();
                    queue.run(send).await.unwrap();
                }
            }
        });
        futures::future::join_all(tasks).await;
        let rate = (each * senders) as f64 / start.elapsed().as_secs_f64();
        println!("  {name:<10} {senders:>4} visitors sending at once: {rate:>9.0} messages/s");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_durable_writes() {
    println!("\nDurable message writes, SQLite vs PostgreSQL (this machine, same run)");
    let dir = std::env::temp_dir().join(format!("liaison-bench-writes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = Db::open(&dir.join("liaison.db"), Bus::default())
        .await
        .unwrap();
    writes_per_second("SQLite", sqlite).await;
    let pg = Db::open_postgres(&postgres::fresh_database().await, Bus::default())
        .await
        .unwrap();
    writes_per_second("PostgreSQL", pg).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Visitor POSTs to `post`, an operator signed in there streams from `watch`: p50/p99.
async fn message_path(name: &str, post: &TestApp, watch: &TestApp, rate: u64) {
    let owner = operator(post, OWNER_EMAIL).await;
    let visitors: Vec<String> = futures::future::join_all((0..rate).map(|_| visitor(post))).await;
    // The operator holds every conversation, so only the path is measured, not the AI.
    use liaison::app::conversations::api::JoinConversation;
    for (i, token) in visitors.iter().enumerate() {
        let sent: serde_json::Value = send(post, token, &format!("hold-{i}"), "I need a human")
            .await
            .json()
            .await
            .unwrap();
        let id = sent["message"]["conversation_id"]
            .as_i64()
            .unwrap()
            .to_string();
        call::<JoinConversation>(&owner, post, &[("id", &id)]).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let r = owner
        .get(watch.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    let mut stream = SseReader::new(r);
    let total = (rate * 4) as usize;
    let (sent, sender) = load::paced_sends(&post.base, visitors, rate, total, |i| {
        (format!("p-{i}"), "Where is my order?")
    });
    let latencies = load::arrivals(&mut stream, &sent, total, |_| {}).await;
    let _ = sender.await;
    println!("  {name:<44} {} of {total} arrived", latencies.len());
    if !latencies.is_empty() {
        report(&format!("{name}, {rate} msg/s"), latencies, 0.99);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_message_path_by_backend() {
    println!(
        "\nMessage path by backend: visitor POST -> operator stream (release build, in-process servers)"
    );
    let sqlite_dir =
        std::env::temp_dir().join(format!("liaison-bench-path-{}", std::process::id()));
    let sqlite_url = format!("sqlite://{}", sqlite_dir.join("liaison.db").display());
    std::fs::create_dir_all(&sqlite_dir).unwrap();
    let one = spawn_with(&[("LIAISON_DATABASE_URL", &sqlite_url)]).await;
    message_path("SQLite, one instance", &one, &one, 500).await;
    one.stop().await;
    let url = postgres::fresh_database().await;
    let a = spawn_with(&[("LIAISON_DATABASE_URL", &url)]).await;
    message_path("PostgreSQL, one instance", &a, &a, 500).await;
    let b = spawn_with(&[("LIAISON_DATABASE_URL", &url)]).await;
    message_path("PostgreSQL, POST to A, stream from B", &a, &b, 500).await;
    a.stop().await;
    b.stop().await;
    let _ = std::fs::remove_dir_all(&sqlite_dir);
}
