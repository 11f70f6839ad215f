//! Outgoing webhooks against a real endpoint on 127.0.0.1 (the fake is the customer's server,
//! at the edge): deliveries for each subscribed event, signed so the receiver can check them,
//! retried after failures, logged; "Send test"; bad forms refused; nothing sent for what
//! happened before the endpoint existed. On both backends.

use crate::common::*;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use liaison::app::connectors::{
    AddWebhook, ChangeWebhook, ListWebhooks, RemoveWebhook, TestWebhook, WebhookDeliveries,
};
use liaison::app::conversations::api::{JoinConversation, ResolveConversation};
use liaison::app::leads::api::CaptureLead;
use liaison_protocol::ConversationStatus;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the endpoint received: (headers, body).
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// An endpoint that answers 500 to its first `failures` requests, then 200.
async fn endpoint(failures: usize) -> (String, Received) {
    let got: Received = Arc::default();
    let seen = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut all = seen.lock().unwrap();
                all.push((headers, body));
                if all.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// Whether the signature header is HMAC-SHA256(secret, "timestamp.body").
fn signed_by(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let timestamp = headers["x-liaison-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    headers["x-liaison-signature"].to_str().unwrap() == expected
}

/// Waits until the endpoint received a delivery of `event` and returns its (headers, body).
async fn received(got: &Received, event: &str) -> (HeaderMap, Value) {
    for _ in 0..200 {
        let found = got.lock().unwrap().iter().rev().find_map(|(h, b)| {
            (h["x-liaison-event"] == event).then(|| (h.clone(), serde_json::from_str(b).unwrap()))
        });
        if let Some(f) = found {
            return f;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {event} delivery; got {:?}", got.lock().unwrap());
}

fn form<'a>(url: &'a str, events: &[&'a str]) -> Vec<(String, &'a str)> {
    let mut f = vec![
        ("form[url]".to_string(), url),
        ("form[active]".to_string(), "true"),
    ];
    for (i, e) in events.iter().enumerate() {
        f.push((format!("form[events][{i}]"), *e));
    }
    f
}

async fn add(
    owner: &reqwest::Client,
    app: &TestApp,
    url: &str,
    events: &[&str],
) -> reqwest::Response {
    let f = form(url, events);
    let args: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    call::<AddWebhook>(owner, app, &args).await
}

/// Fast retries, and receivers on this machine allowed (they are on 127.0.0.1; tests/api/
/// outbound.rs checks that they are refused without `LIAISON_ALLOW_PRIVATE_URLS`).
fn spawn_fast() -> impl std::future::Future<Output = TestApp> {
    spawn_with(&[
        ("LIAISON_WEBHOOK_RETRY_MS", "100"),
        ("LIAISON_ALLOW_PRIVATE_URLS", "1"),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribed_events_arrive_signed_and_logged() {
    let app = spawn_fast().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    // Before the endpoint exists: never sent to it.
    let early = visitor(&app).await;
    send(&app, &early, "e-1", "I need a human agent").await;
    wait_for_status(&app, &early, ConversationStatus::NeedsAgent).await;

    let (url, got) = endpoint(0).await;
    let r = add(
        &owner,
        &app,
        &url,
        &[
            "conversation.created",
            "conversation.needs_agent",
            "conversation.resolved",
            "lead.captured",
            "rating.created",
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let added: Value = r.json().await.unwrap();
    let secret = added["secret"].as_str().unwrap().to_string();
    let id = added["webhook"]["id"].as_i64().unwrap().to_string();
    assert!(secret.len() >= 32);
    // The list never shows the secret again.
    let list = call::<ListWebhooks>(&owner, &app, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&secret), "{list}");
    assert!(list.contains(&secret[secret.len() - 4..]), "{list}");

    let token = visitor(&app).await;
    send(&app, &token, "w-1", "I need a human agent").await;
    let c = wait_for_status(&app, &token, ConversationStatus::NeedsAgent)
        .await
        .conversation
        .unwrap()
        .id;
    let cid = c.to_string();
    let (h, created) = received(&got, "conversation.created").await;
    assert_eq!(created["data"]["conversation"]["id"], c);
    assert_eq!(h["content-type"], "application/json");
    let (_, needs) = received(&got, "conversation.needs_agent").await;
    assert_eq!(needs["data"]["conversation"]["status"], "needs_agent");

    assert_eq!(
        call::<JoinConversation>(&owner, &app, &[("id", &cid)])
            .await
            .status(),
        200
    );
    let r = call::<CaptureLead>(
        &owner,
        &app,
        &[
            ("conversation_id", &cid),
            ("form[email]", "ana@example.com"),
            ("form[name]", "Ana"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, lead) = received(&got, "lead.captured").await;
    assert_eq!(lead["data"]["lead"]["email"], "ana@example.com");
    assert_eq!(
        call::<ResolveConversation>(&owner, &app, &[("id", &cid)])
            .await
            .status(),
        200
    );
    received(&got, "conversation.resolved").await;
    let r = client()
        .post(app.url("/api/widget/v1/rating"))
        .bearer_auth(&token)
        .json(&json!({"stars": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, rating) = received(&got, "rating.created").await;
    assert_eq!(rating["data"]["rating"]["stars"], 5);

    // Every delivery is signed over the exact bytes sent, and each event came once.
    let all = got.lock().unwrap().clone();
    for (h, body) in &all {
        assert!(signed_by(&secret, h, body), "{body}");
    }
    let early_id = conversation(&app, &early).await.conversation.unwrap().id;
    for (_, b) in &all {
        let v: Value = serde_json::from_str(b).unwrap();
        assert_ne!(
            v["data"]["conversation"]["id"], early_id,
            "nothing from before the endpoint existed: {b}"
        );
    }
    let mut ids: Vec<String> = all
        .iter()
        .map(|(h, _)| h["x-liaison-delivery"].to_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no delivery sent twice");

    // The log lists them, delivered, newest first.
    let log: Value = call::<WebhookDeliveries>(&owner, &app, &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let rows = log["rows"].as_array().unwrap();
    assert_eq!(rows.len(), all.len());
    assert!(
        rows.iter()
            .all(|d| d["status"] == "Delivered" && d["response_code"] == 200),
        "{log}"
    );
    assert_eq!(rows[0]["event"], "rating.created");

    // Paused: nothing more is sent; removed: gone from the list.
    let mut f = form(&url, &["conversation.created"]);
    f.retain(|(k, _)| k != "form[active]");
    f.push(("id".into(), id.as_str()));
    let args: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        call::<ChangeWebhook>(&owner, &app, &args).await.status(),
        200
    );
    let before = got.lock().unwrap().len();
    let later = visitor(&app).await;
    send(&app, &later, "l-1", "I need a human agent").await;
    wait_for_status(&app, &later, ConversationStatus::NeedsAgent).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        got.lock().unwrap().len(),
        before,
        "a paused endpoint receives nothing"
    );
    assert_eq!(
        call::<RemoveWebhook>(&owner, &app, &[("id", &id)])
            .await
            .status(),
        200
    );
    let list: Value = call::<ListWebhooks>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_and_tests_report_at_once() {
    let app = spawn_fast().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let (url, got) = endpoint(2).await;
    let added: Value = add(&owner, &app, &url, &["conversation.created"])
        .await
        .json()
        .await
        .unwrap();
    let id = added["webhook"]["id"].as_i64().unwrap().to_string();
    let token = visitor(&app).await;
    send(&app, &token, "r-1", "Hello").await;
    // Two 500s, then 200: three attempts of one delivery.
    let mut last = Value::Null;
    for _ in 0..100 {
        let log: Value = call::<WebhookDeliveries>(&owner, &app, &[("id", &id)])
            .await
            .json()
            .await
            .unwrap();
        last = log["rows"][0].clone();
        if last["status"] == "Delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "Delivered", "{last}");
    assert_eq!(last["attempts"], 3, "{last}");
    let bodies: Vec<String> = got.lock().unwrap().iter().map(|(_, b)| b.clone()).collect();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "a retry sends the same body"
    );

    // "Send test" reports at once: delivered here, failed against a closed port.
    let d: Value = call::<TestWebhook>(&owner, &app, &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["status"], "Delivered", "{d}");
    assert_eq!(d["event"], "ping");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let dead: Value = add(&owner, &app, &closed, &["lead.captured"])
        .await
        .json()
        .await
        .unwrap();
    let dead_id = dead["webhook"]["id"].as_i64().unwrap().to_string();
    let d: Value = call::<TestWebhook>(&owner, &app, &[("id", &dead_id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["status"], "Failed", "{d}");
    assert!(d["error"].as_str().unwrap().contains("connect"), "{d}");

    // Bad forms are refused with the reason, and add nothing.
    for (url, events, says) in [
        ("ftp://example.com/x", vec!["lead.captured"], "https://"),
        ("https://example.com/x", vec![], "at least one"),
        ("https://example.com/x", vec!["everything"], "Unknown event"),
    ] {
        let r = add(&owner, &app, url, &events).await;
        assert_eq!(r.status(), 400, "{url}");
        assert!(r.text().await.unwrap().contains(says), "{url}");
    }
    let list: Value = call::<ListWebhooks>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // An Agent cannot reach any of it.
    let agent = operator(&app, "agent@liaison.local").await;
    assert_eq!(call::<ListWebhooks>(&agent, &app, &[]).await.status(), 403);
    assert_eq!(
        call::<TestWebhook>(&agent, &app, &[("id", &id)])
            .await
            .status(),
        403
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_settings_are_checked_and_never_show_their_secrets() {
    use liaison::app::connectors::{SaveWhatsapp, WhatsappSettings};
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let full = [
        ("form[phone_number_id]", "106540352242922"),
        ("form[access_token]", "EAAG-secret-token"),
        ("form[app_secret]", "0123456789abcdef"),
        ("form[verify_token]", "liaison-verify"),
        ("form[template_name]", "support_follow_up"),
        ("form[template_language]", "en_US"),
    ];
    // Missing secrets: refused, nothing stored.
    let r = call::<SaveWhatsapp>(&owner, &app, &full[..1]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("access token"));
    let view: Value = call::<WhatsappSettings>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["configured"], false);

    let r = call::<SaveWhatsapp>(&owner, &app, &full).await;
    assert_eq!(r.status(), 200);
    let text = call::<WhatsappSettings>(&owner, &app, &[])
        .await
        .text()
        .await
        .unwrap();
    for secret in ["EAAG-secret-token", "0123456789abcdef", "liaison-verify"] {
        assert!(!text.contains(secret), "{text}");
    }
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["has_access_token"], true);
    assert_eq!(view["graph_url"], "https://graph.facebook.com/v21.0");

    // Saved again with the secrets left empty: kept.
    let r = call::<SaveWhatsapp>(&owner, &app, &[full[0], full[4], full[5]]).await;
    assert_eq!(r.status(), 200);
    let stored: liaison_protocol::whatsapp::WhatsappSettings =
        liaison::server::db::settings::get(&app.server.db.read, "whatsapp")
            .await
            .unwrap()
            .unwrap();
    // Stored sealed (`secrets`), opened with the server's key.
    assert!(
        !serde_json::to_string(&stored)
            .unwrap()
            .contains("EAAG-secret-token")
    );
    let opened = liaison::server::secrets::open_whatsapp(app.server.db.secrets(), stored);
    assert_eq!(opened.access_token, "EAAG-secret-token");
    assert_eq!(opened.app_secret, "0123456789abcdef");
    // Another Graph address without the token again: refused, the token stays where it was.
    let r = call::<SaveWhatsapp>(
        &owner,
        &app,
        &[
            full[0],
            ("form[graph_url]", "https://graph.example.net/v21.0"),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("access token again"));
    let view: Value = call::<WhatsappSettings>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["graph_url"], "https://graph.facebook.com/v21.0");
    let agent = operator(&app, "agent@liaison.local").await;
    assert_eq!(
        call::<WhatsappSettings>(&agent, &app, &[]).await.status(),
        403
    );
    app.stop().await;
}
