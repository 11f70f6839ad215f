//! Figures for `cargo xtask bench` (ignored by `cargo test`; it prints, it never asserts times):
//! the widget API and `/healthz` while sign-ins flood the server. Argon2 runs on the blocking
//! pool, one per core, so a flood of sign-ins should leave the other requests' latency where it
//! was; the sign-in limits turn a flood from one address away before any hashing.

use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::auth::Login;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Sign-ins in a loop from `concurrency` tasks until `stop`: each from its own address for its
/// own account (`spread`: nothing throttles them, every one is hashed) or all from one address
/// (the limit answers 429 after the first few). Counts answers by status.
fn flood(
    app: &TestApp,
    concurrency: usize,
    spread: bool,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<(usize, usize)>> {
    (0..concurrency)
        .map(|task| {
            let url = app.url(<Login as ServerFn>::PATH);
            let origin = app.url("");
            let stop = stop.clone();
            tokio::spawn(async move {
                let http = client();
                let (mut hashed, mut throttled) = (0, 0);
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let ip = if spread {
                        format!("10.{}.{}.{}", task, (i / 250) % 250, i % 250 + 1)
                    } else {
                        "203.0.113.99".to_string()
                    };
                    let r = http
                        .post(&url)
                        .header("origin", &origin)
                        .header("x-forwarded-for", ip)
                        .form(&[
                            ("email", format!("guess{task}-{i}@example.com")),
                            ("password", "not-the-password".to_string()),
                        ])
                        .send()
                        .await;
                    match r.map(|r| r.status().as_u16()) {
                        Ok(429) => throttled += 1,
                        Ok(_) => hashed += 1,
                        Err(_) => {}
                    }
                }
                (hashed, throttled)
            })
        })
        .collect()
}

/// For `window`: /healthz latencies, and widget messages sent by 8 visitors one after another
/// (their latencies and how many got through).
async fn measure(app: &TestApp, tokens: &[String], window: Duration) -> (Vec<f64>, Vec<f64>) {
    let until = Instant::now() + window;
    let sent = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|token| {
            let url = app.url("/api/widget/v1/messages");
            let sent = sent.clone();
            tokio::spawn(async move {
                let http = client();
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let r = http
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"client_msg_id": format!("b-{n}"), "body": "Where is my parcel?"}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    let mut health = Vec::new();
    let http = client();
    while Instant::now() < until {
        let t = Instant::now();
        let r = http.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        health.push(t.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut messages = Vec::new();
    for s in senders {
        messages.extend(s.await.unwrap());
    }
    (health, messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_widget_api_during_a_sign_in_flood() {
    // Limits as shipped for sign-ins; the widget's lifted (8 visitors send flat out here).
    let app = spawn_with(&[
        ("LIAISON_TRUST_PROXY", "1"),
        ("LIAISON_LIMIT_SIGN_INS_PER_MINUTE", "10"),
    ])
    .await;
    let mut tokens = Vec::new();
    for _ in 0..8 {
        tokens.push(visitor(&app).await);
    }
    // Each message also starts an AI turn (the built-in answerer), as it would for real.
    let window = Duration::from_secs(3);
    println!(
        "\nThe widget API and /healthz during a sign-in flood (in-process server, 2 workers, {} s windows)",
        window.as_secs()
    );
    for (label, concurrency, spread) in [
        ("no flood", 0, true),
        ("flood: 8 at a time, each from its own address", 8, true),
        ("flood: 32 at a time, each from its own address", 32, true),
        ("flood: 32 at a time from one address", 32, false),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let flooders = flood(&app, concurrency, spread, stop.clone());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (health, messages) = measure(&app, &tokens, window).await;
        stop.store(true, Ordering::Relaxed);
        let (mut hashed, mut throttled) = (0, 0);
        for f in flooders {
            let (h, t) = f.await.unwrap();
            hashed += h;
            throttled += t;
        }
        println!(
            "  {label}: {:.0} messages/s; sign-ins checked {hashed}, refused 429 {throttled}",
            messages.len() as f64 / window.as_secs_f64()
        );
        report("    /healthz", health, 0.99);
        report("    POST /messages", messages, 0.99);
    }
    app.stop().await;
}
