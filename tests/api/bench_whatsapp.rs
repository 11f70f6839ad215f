//! Figures for `cargo xtask bench` (ignored by `cargo test`; it prints, it never asserts times):
//! the WhatsApp channel end to end. Customers write at once through the signed webhook; each
//! message is put in a conversation, the AI answers (the built-in answerer: no model), and the
//! answer goes out through a fake Graph API that takes `delay` to answer each send, as Meta does
//! in a few hundred milliseconds. Printed: from the webhook's POST to the answer reaching the
//! fake, per customer, swept over the Graph API's delay and the number of customers.

use crate::common::*;
use hmac::{Hmac, Mac};
use liaison::app::connectors::SaveWhatsapp;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const APP_SECRET: &str = "bench-app-secret";

/// A Graph API whose messages endpoint answers after `delay`, noting when each recipient's
/// first message arrived.
async fn slow_graph(delay: Duration) -> (String, Arc<Mutex<HashMap<String, Instant>>>) {
    use axum::routing::post;
    let got: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/v21.0/{phone}/messages",
        post(move |body: String| {
            let seen = seen.clone();
            async move {
                let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                let to = json["to"].as_str().unwrap_or_default().to_string();
                seen.lock().unwrap().entry(to).or_insert_with(Instant::now);
                tokio::time::sleep(delay).await;
                axum::Json(
                    serde_json::json!({"messages": [{"id": format!("wamid.{}", rand_id())}]}),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v21.0", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, got)
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn signed(body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn run(customers: usize, delay: Duration) {
    let (base, got) = slow_graph(delay).await;
    let app = spawn_with(&[("LIAISON_ALLOW_PRIVATE_URLS", "1")]).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let r = call::<SaveWhatsapp>(
        &owner,
        &app,
        &[
            ("form[phone_number_id]", "106540352242922"),
            ("form[access_token]", "EAAG-bench"),
            ("form[app_secret]", APP_SECRET),
            ("form[verify_token]", "bench-verify"),
            ("form[graph_url]", &base),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let http = client();
    let started = Instant::now();
    let posts: Vec<_> = (0..customers)
        .map(|i| {
            let phone = format!("1650555{i:04}");
            let body = serde_json::json!({
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "messages", "value": {
                    "contacts": [{"profile": {"name": format!("Customer {i}")}, "wa_id": phone}],
                    "messages": [{"from": phone, "id": format!("wamid.bench.{i}.{}", rand_id()),
                        "timestamp": "1", "type": "text",
                        "text": {"body": "How do I reset my password?"}}]}}]}]
            })
            .to_string();
            let (http, url) = (
                http.clone(),
                app.url(liaison_protocol::whatsapp::WEBHOOK_PATH),
            );
            tokio::spawn(async move {
                let at = Instant::now();
                let r = http
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signed(&body))
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                (phone, at, at.elapsed())
            })
        })
        .collect();
    let mut sent_at = HashMap::new();
    let mut acks = Vec::new();
    for p in posts {
        let (phone, at, ack) = p.await.unwrap();
        acks.push(ack.as_secs_f64() * 1000.0);
        sent_at.insert(phone, at);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while got.lock().unwrap().len() < customers && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let all = started.elapsed();
    let arrived = got.lock().unwrap().clone();
    let answers: Vec<f64> = sent_at
        .iter()
        .filter_map(|(phone, at)| {
            arrived
                .get(phone)
                .map(|t| (*t - *at).as_secs_f64() * 1000.0)
        })
        .collect();
    let label = format!("{customers} customers, Graph API {} ms", delay.as_millis());
    report(&format!("{label}: webhook answered (200)"), acks, 0.99);
    report(
        &format!("{label}: answer reaches WhatsApp"),
        answers.clone(),
        0.99,
    );
    println!(
        "  {label}: {} of {customers} answered, all within {:.0} ms",
        answers.len(),
        all.as_secs_f64() * 1000.0
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn whatsapp_message_to_answer() {
    println!("\nWhatsApp: webhook → conversation → AI answer → Graph API (fake, delayed)");
    for delay in [0, 100, 300] {
        for customers in [1, 20, 80] {
            run(customers, Duration::from_millis(delay)).await;
        }
    }
}
