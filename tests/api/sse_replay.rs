//! Streams lose nothing and repeat nothing across a dropped connection.

use crate::common::*;
use liaison::server::db::events;
use liaison::server::realtime::Scope;
use std::time::Duration;

async fn open(app: &TestApp, token: &str, last_event_id: Option<i64>) -> SseReader {
    let mut r = client().get(app.url(&format!("/api/widget/v1/stream?token={token}&after=0")));
    if let Some(id) = last_event_id {
        r = r.header("Last-Event-ID", id.to_string());
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    SseReader::new(r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_after_a_dropped_connection_has_no_loss_and_no_duplicates() {
    let app = spawn().await;
    let token = visitor(&app).await;
    let other = visitor(&app).await;

    let mut stream = open(&app, &token, None).await;
    send(&app, &token, "a-1", "How do I reset my password?").await;
    let first = stream
        .next(Duration::from_secs(5))
        .await
        .expect("customer message");
    let second = stream
        .next(Duration::from_secs(5))
        .await
        .expect("AI answer");
    assert_eq!(first.data["type"], "message_created");
    assert_eq!(first.data["message"]["sender"], "customer");
    assert_eq!(second.data["message"]["sender"], "ai");
    assert!(second.id > first.id);
    drop(stream);

    // While the visitor is away: their own events, and another visitor's.
    send(&app, &token, "a-2", "I want to talk to a human").await;
    send(&app, &other, "b-1", "Do you ship to Canada?").await;
    wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() == 4)
    })
    .await;
    wait_for(&app, &other, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() == 2)
    })
    .await;

    let mut resumed = open(&app, &token, Some(second.id)).await;
    let mut got = Vec::new();
    while let Some(e) = resumed.next(Duration::from_millis(700)).await {
        got.push(e);
    }
    let visitor_id =
        liaison::server::db::visitors::find_by_token_hash(&app.server.db.read, &sha256_hex(&token))
            .await
            .unwrap()
            .unwrap()
            .id;
    let stored = events::after(
        &app.server.db.read,
        Scope::Visitor(visitor_id),
        second.id,
        100,
    )
    .await
    .unwrap();
    let got_ids: Vec<i64> = got.iter().map(|e| e.id).collect();
    let stored_ids: Vec<i64> = stored.iter().map(|e| e.id).collect();
    assert_eq!(
        got_ids, stored_ids,
        "replayed exactly what was stored, in order"
    );
    // customer message, AI notice, status change
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .any(|e| e.data["type"] == "status_changed" && e.data["status"] == "needs_agent")
    );
    // Nothing of the other visitor's leaked in.
    assert!(got.iter().all(|e| e.data["type"] != "message_created"
        || e.data["message"]["body"] != "Do you ship to Canada?"));

    // Live events still arrive on the resumed stream, once.
    send(&app, &token, "a-3", "hello again").await;
    let live = resumed
        .next(Duration::from_secs(5))
        .await
        .expect("live event");
    assert_eq!(live.data["message"]["body"], "hello again");
    assert!(live.id > *got_ids.last().unwrap());
    assert!(resumed.next(Duration::from_millis(500)).await.is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_from_the_start_replays_everything_once() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "c-1", "What are your opening hours?").await;
    wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() == 2)
    })
    .await;
    let mut stream = open(&app, &token, Some(0)).await;
    let mut ids = Vec::new();
    while let Some(e) = stream.next(Duration::from_millis(700)).await {
        ids.push(e.id);
    }
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    app.stop().await;
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_stream_resumes_from_last_event_id_with_every_visitor() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let open = |last: Option<i64>| {
        let mut r = op.get(app.url("/api/dashboard/v1/stream"));
        if let Some(id) = last {
            r = r.header("Last-Event-ID", id.to_string());
        }
        r.send()
    };
    let mut stream = SseReader::new(open(None).await.unwrap());
    let a = visitor(&app).await;
    send(&app, &a, "d-1", "What are your opening hours?").await;
    let created = stream
        .next(Duration::from_secs(5))
        .await
        .expect("conversation_created");
    assert_eq!(created.data["type"], "conversation_created");
    drop(stream);

    let b = visitor(&app).await;
    send(&app, &b, "d-2", "Do you ship to Canada?").await;
    for token in [&a, &b] {
        wait_for(&app, token, |c| {
            c.conversation
                .as_ref()
                .is_some_and(|c| c.messages.len() == 2)
        })
        .await;
    }
    let mut resumed = SseReader::new(open(Some(created.id)).await.unwrap());
    let mut got = Vec::new();
    while let Some(e) = resumed.next(Duration::from_millis(700)).await {
        got.push(e.id);
    }
    let stored: Vec<i64> = events::after(&app.server.db.read, Scope::Dashboard, created.id, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(got, stored);
    // a's customer message and AI answer, b's conversation, message and answer: five changes,
    // each transaction closed by one `conversation_updated` with the row (four transactions).
    assert_eq!(got.len(), 9, "{got:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams_and_stops() {
    let app = spawn().await;
    let token = visitor(&app).await;
    let mut stream = open(&app, &token, None).await;
    let stopped = tokio::time::timeout(Duration::from_secs(10), app.stop()).await;
    assert!(
        stopped.is_ok(),
        "the server did not stop with a stream open"
    );
    assert!(
        stream.next(Duration::from_secs(2)).await.is_none(),
        "the stream ended"
    );
}
