//! Figures for `cargo xtask bench` against the release server running as its own process
//! (`LIAISON_BENCH_URL`, `LIAISON_BENCH_PID`, set by xtask): server memory per idle widget
//! stream at 1,000 and 10,000 streams, and the message path, visitor POST -> operator stream,
//! at 500 and 2,000 messages a second. Ignored by `cargo test`; it prints, it never asserts times.

use crate::common::{SseReader, client, load, percentile};
use serde_json::json;
use std::time::Duration;

fn target() -> Option<(String, u32)> {
    let url = std::env::var("LIAISON_BENCH_URL").ok()?;
    let pid = std::env::var("LIAISON_BENCH_PID").ok()?.parse().ok()?;
    Some((url, pid))
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn new_visitor(http: &reqwest::Client, base: &str) -> String {
    let r: serde_json::Value = http
        .post(format!("{base}/api/widget/v1/session"))
        .json(&json!({"metadata": {"page": "https://shop.example/bench"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench` with the release server"]
async fn bench_idle_stream_memory() {
    let Some((base, pid)) = target() else {
        println!("LIAISON_BENCH_URL / LIAISON_BENCH_PID not set: run `cargo xtask bench`");
        return;
    };
    println!("\nIdle widget streams (release server, its own process; RSS from /proc)");
    let http = client();
    let mut held = Vec::new();
    let mut opened = 0usize;
    for goal in [1_000usize, 10_000] {
        // Sessions first, so the streams are all that is added while measuring.
        let mut tokens = Vec::with_capacity(goal - opened);
        for chunk in (0..goal - opened).collect::<Vec<_>>().chunks(200) {
            let batch = chunk.iter().map(|_| new_visitor(&http, &base));
            tokens.extend(futures::future::join_all(batch).await);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = rss_kib(pid);
        for chunk in tokens.chunks(200) {
            // A response still streaming holds its connection: one connection per stream, as
            // visitors' browsers have.
            let batch = chunk.iter().map(|t| {
                let url = format!("{base}/api/widget/v1/stream?token={t}");
                let http = http.clone();
                async move { http.get(url).send().await.unwrap() }
            });
            for r in futures::future::join_all(batch).await {
                assert_eq!(r.status(), 200);
                held.push(r);
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kib(pid);
        let added = tokens.len();
        opened = goal;
        println!(
            "  {goal:>6} streams open: server RSS {:>7.1} MiB; the last {added} added {:>6.1} KiB each",
            after as f64 / 1024.0,
            (after.saturating_sub(before)) as f64 / added as f64
        );
    }
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench` with the release server"]
async fn bench_message_path() {
    let Some((base, _)) = target() else {
        println!("LIAISON_BENCH_URL / LIAISON_BENCH_PID not set: run `cargo xtask bench`");
        return;
    };
    let owner = std::env::var("LIAISON_BENCH_OWNER").unwrap_or_default();
    let password = std::env::var("LIAISON_BENCH_PASSWORD").unwrap_or_default();
    liaison::server::install_tls();
    // As a browser: with the Origin it sends on every POST.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, base.parse().unwrap());
    let operator = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    use leptos::server_fn::ServerFn;
    operator
        .post(format!("{base}{}", liaison::app::auth::Login::PATH))
        .form(&[("email", owner.as_str()), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    println!(
        "\nMessage path: visitor POST -> operator's dashboard stream (release server; goal p99 <= 10 ms at 2,000 msg/s)"
    );
    let http = client();
    // Each round has visitors of its own, one per msg/s, so each sends one message a second and
    // asks something different each time: questions the knowledge base answers, so the AI
    // answers every one (a visitor repeating a question would be handed to a human instead).
    // Then the same with an operator holding every conversation, so the AI stays silent and only
    // the path from the visitor's POST to the operator's stream is measured.
    // `LIAISON_BENCH_RATES=2000` and `LIAISON_BENCH_HELD=1` pick one point, e.g. to profile it.
    let rates: Vec<u64> = std::env::var("LIAISON_BENCH_RATES")
        .ok()
        .map(|v| v.split(',').filter_map(|r| r.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![500, 1_000, 1_500, 2_000]);
    let modes = match std::env::var("LIAISON_BENCH_HELD").as_deref() {
        Ok("1") => vec![true],
        Ok("0") => vec![false],
        _ => vec![false, true],
    };
    for (held, rate) in modes
        .into_iter()
        .flat_map(|h| rates.iter().map(move |&r| (h, r)))
    {
        let visitors: Vec<String> =
            futures::future::join_all((0..rate).map(|_| new_visitor(&http, &base))).await;
        if held {
            hold_all(&http, &operator, &base, &visitors).await;
        }
        let stream = operator
            .get(format!("{base}/api/dashboard/v1/stream"))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200, "sign-in for the bench failed");
        let mut stream = SseReader::new(stream);
        let total = (rate * SECONDS) as usize;
        let n = visitors.len();
        let (sent, sender) = load::paced_sends(&base, visitors.clone(), rate, total, move |i| {
            (
                format!("r{rate}-{held}-{i}"),
                QUESTIONS[(i / n) % QUESTIONS.len()],
            )
        });
        let (mut answers, mut handovers) = (0, 0);
        let mut latencies = load::arrivals(&mut stream, &sent, total, |e| {
            match e.data["type"].as_str() {
                Some("message_created") if e.data["message"]["sender"] == "ai" => answers += 1,
                Some("status_changed") if e.data["status"] == "needs_agent" => handovers += 1,
                _ => {}
            }
        })
        .await;
        let _ = sender.await;
        latencies.sort_by(f64::total_cmp);
        if latencies.is_empty() {
            println!("  {rate} msg/s (held: {held}): no message arrived");
            continue;
        }
        let who = if held {
            "operator holds, AI silent".to_string()
        } else {
            format!("AI answered {answers}, handed over {handovers}")
        };
        println!(
            "  {rate:>5} msg/s for {SECONDS} s, {who:<34}: {} of {total} arrived   p50 {:>6.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
            latencies.len(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies[latencies.len() - 1]
        );
        // Let the AI answers of this round drain before the next.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

const SECONDS: u64 = 4;

/// What the visitors ask, in turn: each answered by one of the demo knowledge base's articles.
const QUESTIONS: [&str; 4] = [
    "How do I reset my password?",
    "Do you ship to Canada?",
    "How do I get a refund?",
    "What are your opening hours?",
];

/// The operator joins every visitor's conversation (started by one message), so the AI stays
/// silent from then on.
async fn hold_all(
    http: &reqwest::Client,
    operator: &reqwest::Client,
    base: &str,
    visitors: &[String],
) {
    use leptos::server_fn::ServerFn;
    use liaison::app::conversations::api::JoinConversation;
    for (i, token) in visitors.iter().enumerate() {
        let sent: serde_json::Value = http
            .post(format!("{base}/api/widget/v1/messages"))
            .bearer_auth(token)
            .json(&json!({"client_msg_id": format!("hold-{i}"), "body": "I need a human"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = sent["message"]["conversation_id"]
            .as_i64()
            .unwrap()
            .to_string();
        let r = operator
            .post(format!("{base}{}", JoinConversation::PATH))
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().as_u16() == 409);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
}
