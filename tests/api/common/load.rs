//! The message-path benches' load: visitor messages sent at a steady rate, and their arrival
//! on an operator's stream, timed from when each was sent.

use super::{SseEvent, SseReader, client};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When each message still on its way was sent, by `client_msg_id`.
pub type Sent = Arc<Mutex<HashMap<String, Instant>>>;

/// Sends `total` messages to the widget API at `base` at `rate` per second, round-robin over
/// the visitors' tokens, without waiting for answers; `message(i)` is the i-th one's id and body.
pub fn paced_sends(
    base: &str,
    visitors: Vec<String>,
    rate: u64,
    total: usize,
    message: impl Fn(usize) -> (String, &'static str) + Send + 'static,
) -> (Sent, tokio::task::JoinHandle<()>) {
    let sent: Sent = Arc::default();
    let url = format!("{base}/api/widget/v1/messages");
    let task = {
        let sent = sent.clone();
        tokio::spawn(async move {
            let http = client();
            let mut every = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for i in 0..total {
                every.tick().await;
                let (id, body) = message(i);
                let token = visitors[i % visitors.len()].clone();
                sent.lock().unwrap().insert(id.clone(), Instant::now());
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let _ = http
                        .post(url)
                        .bearer_auth(token)
                        .json(&json!({"client_msg_id": id, "body": body}))
                        .send()
                        .await;
                });
            }
        })
    };
    (sent, task)
}

/// Reads `stream` until `total` sent messages arrived (or 30 s pass), showing every event to
/// `seen`; each arrival's delay since it was sent, in ms.
pub async fn arrivals(
    stream: &mut SseReader,
    sent: &Sent,
    total: usize,
    mut seen: impl FnMut(&SseEvent),
) -> Vec<f64> {
    let mut latencies = Vec::with_capacity(total);
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.len() < total && Instant::now() < deadline {
        let Some(e) = stream.next(Duration::from_secs(5)).await else {
            break;
        };
        seen(&e);
        if e.data["type"] != "message_created" {
            continue;
        }
        let Some(id) = e.data["message"]["client_msg_id"].as_str() else {
            continue;
        };
        if let Some(at) = sent.lock().unwrap().remove(id) {
            latencies.push(at.elapsed().as_secs_f64() * 1000.0);
        }
    }
    latencies
}
