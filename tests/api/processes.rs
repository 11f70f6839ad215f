//! Two `liaison` processes and one PostgreSQL, as behind a load balancer: an operator's stream
//! on B that is cut 200 times at random loses and repeats nothing that visitors wrote through A,
//! kill -9 of A in the middle of a load loses no message A acknowledged while B keeps serving,
//! twenty operators split over A and B race to join one conversation and one holds it, and a
//! document added through A is processed once.

use crate::common::process::Process;
use crate::common::*;
use liaison::server::db::Db;
use liaison::server::realtime::Bus;
use liaison_protocol::Sender;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

const QUESTIONS: [&str; 4] = [
    "Do you ship to Canada?",
    "How fast is express delivery?",
    "How do I reset my password?",
    "Can I return an item I bought last week?",
];

/// The stream is cut this many times while visitors talk.
const DROPS: usize = 200;

/// Opens the owner's stream on `app` resuming after `last` (as a browser's EventSource does
/// with `Last-Event-ID`), or from the start of this fresh database.
async fn resume(c: &reqwest::Client, app: &Process, last: Option<i64>) -> SseReader {
    let r = match last {
        Some(id) => c
            .get(app.url("/api/dashboard/v1/stream"))
            .header("Last-Event-ID", id.to_string()),
        None => c.get(app.url("/api/dashboard/v1/stream?after=0")),
    }
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    SseReader::new(r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_on_b_cut_200_times_loses_and_repeats_nothing_written_through_a() {
    let url = postgres::fresh_database().await;
    let a = Process::start(&url).await;
    let b = Process::start(&url).await;
    let owner = operator(&b, OWNER_EMAIL).await;
    let seed = std::env::var("LIAISON_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("seed {seed} (LIAISON_TEST_SEED repeats this run)");
    let mut rng = fastrand::Rng::with_seed(seed);

    // Ten visitors on A, ten messages each, at random pauses.
    let mut tokens = Vec::new();
    for _ in 0..10 {
        tokens.push(visitor(&a).await);
    }
    let talk = {
        let (tokens, a_url) = (tokens.clone(), a.url(""));
        let mut rng = fastrand::Rng::with_seed(seed ^ 1);
        let pauses: Vec<Vec<u64>> = (0..10)
            .map(|_| (0..10).map(|_| rng.u64(5..60)).collect())
            .collect();
        tokio::spawn(async move {
            let sends = tokens
                .into_iter()
                .zip(pauses)
                .enumerate()
                .map(|(v, (token, pauses))| {
                    let a_url = a_url.clone();
                    async move {
                        for (i, pause) in pauses.into_iter().enumerate() {
                            tokio::time::sleep(Duration::from_millis(pause)).await;
                            let r = client()
                                .post(format!("{a_url}/api/widget/v1/messages"))
                                .bearer_auth(&token)
                                .json(&serde_json::json!({
                                    "client_msg_id": format!("d-{v}-{i}"),
                                    "body": QUESTIONS[(v + i) % QUESTIONS.len()],
                                }))
                                .send()
                                .await
                                .unwrap();
                            assert!(r.status().is_success(), "send: {}", r.status());
                        }
                    }
                });
            futures::future::join_all(sends).await;
        })
    };

    // The operator on B: read for a random while, cut, resume from the last id seen.
    let mut seen: Vec<i64> = Vec::new(); // event ids, in the order received
    let mut messages: HashMap<i64, usize> = HashMap::new(); // message id → times seen
    let mut drops = 0;
    let mut quiet_since = tokio::time::Instant::now();
    loop {
        let mut stream = resume(&owner, &b, seen.last().copied()).await;
        let until = tokio::time::Instant::now() + Duration::from_millis(rng.u64(0..60));
        while let Some(e) = stream.next_until(until).await {
            if let Some(&last) = seen.last() {
                assert!(
                    e.id > last,
                    "event {} after {last}: replayed or reordered",
                    e.id
                );
            }
            seen.push(e.id);
            quiet_since = tokio::time::Instant::now();
            if e.data["type"] == "message_created" {
                *messages
                    .entry(e.data["message"]["id"].as_i64().unwrap())
                    .or_default() += 1;
            }
        }
        drop(stream);
        drops += 1;
        if drops >= DROPS && talk.is_finished() && quiet_since.elapsed() > Duration::from_secs(3) {
            break;
        }
        assert!(drops < 20 * DROPS, "the talk never ended");
    }
    talk.await.unwrap();

    // Every message of every conversation, read back through B, was seen exactly once.
    let mut stored: BTreeMap<i64, Sender> = BTreeMap::new();
    for token in &tokens {
        let view = conversation(&b, token).await.conversation.unwrap();
        for m in view.messages {
            stored.insert(m.id, m.sender);
        }
    }
    let customer = stored.values().filter(|s| **s == Sender::Customer).count();
    assert_eq!(customer, 100, "every visitor message is stored once");
    assert!(
        stored.values().any(|s| *s == Sender::Ai),
        "the AI answered: {stored:?}"
    );
    println!(
        "{drops} drops, {} events, {} messages ({customer} from visitors)",
        seen.len(),
        stored.len()
    );
    let seen_ids: HashSet<i64> = messages.keys().copied().collect();
    let stored_ids: HashSet<i64> = stored.keys().copied().collect();
    assert_eq!(
        seen_ids, stored_ids,
        "the stream on B showed exactly the stored messages ({drops} drops)"
    );
    assert!(
        messages.values().all(|n| *n == 1),
        "no message was shown twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_one_instance_under_load_loses_no_acknowledged_message() {
    let url = postgres::fresh_database().await;
    let mut a = Process::start(&url).await;
    let b = Process::start(&url).await;
    let owner = operator(&b, OWNER_EMAIL).await;
    let mut tokens = Vec::new();
    for _ in 0..8 {
        tokens.push(visitor(&a).await);
    }

    // Eight visitors send to A as fast as it answers, until A stops answering.
    let senders: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(v, token)| {
            let (token, a_url) = (token.clone(), a.url(""));
            tokio::spawn(async move {
                let (mut acknowledged, mut failed) = (Vec::new(), Vec::new());
                for i in 0.. {
                    let id = format!("k-{v}-{i}");
                    let r = client()
                        .post(format!("{a_url}/api/widget/v1/messages"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"client_msg_id": id, "body": format!("message {id}")}))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => acknowledged.push(id),
                        _ => {
                            failed.push(id);
                            break;
                        }
                    }
                }
                (token, acknowledged, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill();
    let mut stream = dashboard_stream(&owner, &b, None).await;

    let mut total = 0;
    for sender in senders {
        let (token, acknowledged, failed) = sender.await.unwrap();
        total += acknowledged.len();
        // What A acknowledged is there, read through B.
        let bodies = |view: ConversationResponse| -> Vec<String> {
            view.conversation
                .map(|c| {
                    c.messages
                        .into_iter()
                        .filter(|m| m.sender == Sender::Customer)
                        .map(|m| m.body)
                        .collect()
                })
                .unwrap_or_default()
        };
        let stored = bodies(conversation(&b, &token).await);
        for id in &acknowledged {
            assert!(
                stored.contains(&format!("message {id}")),
                "{id} was acknowledged by A but is not stored"
            );
        }
        // The widget retries what failed, now through B: stored once, whether or not A had
        // stored it before dying.
        for id in &failed {
            let r = send(&b, &token, id, &format!("message {id}")).await;
            assert!(r.status().is_success(), "retry through B: {}", r.status());
        }
        let stored = bodies(conversation(&b, &token).await);
        let unique: HashSet<&String> = stored.iter().collect();
        assert_eq!(unique.len(), stored.len(), "no message stored twice");
        assert_eq!(stored.len(), acknowledged.len() + failed.len());
    }
    println!("A acknowledged {total} messages before kill -9");
    assert!(
        total >= 16,
        "A was under load: {total} messages acknowledged"
    );

    // B keeps serving live: a new message through B reaches the stream on B.
    let r = send(&b, &tokens[0], "after-kill", "Still there?").await;
    assert!(r.status().is_success());
    let mut found = false;
    while let Some(e) = stream.next(Duration::from_secs(5)).await {
        if e.data["type"] == "message_created" && e.data["message"]["body"] == "Still there?" {
            found = true;
            break;
        }
    }
    assert!(found, "the stream on B carries on after A died");
}

/// Two processes on a new database, and a handle on that database for the test's own reads.
async fn two_processes() -> (Process, Process, Db) {
    let url = postgres::fresh_database().await;
    let a = Process::start(&url).await;
    let b = Process::start(&url).await;
    let db = Db::open_postgres(&url, Bus::default()).await.unwrap();
    (a, b, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_operators_on_two_processes_one_holder() {
    let (a, b, db) = two_processes().await;
    crate::instances::one_holder(&a, &b, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_added_through_one_process_is_processed_once() {
    let (a, b, db) = two_processes().await;
    crate::instances::document_once(&a, &b, &db).await;
}

/// kill -9 while the AI is answering: the visitor's message was stored and acknowledged, the
/// answer was not. When the server starts again, the AI answers it (SQLite, one process).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_cut_off_by_kill_9_is_given_when_the_server_starts_again() {
    use crate::common::fake_llm::{FakeLlm, Reply};
    let llm = FakeLlm::start().await;
    let env = llm.env();
    let dir = std::env::temp_dir().join(format!("liaison-recover-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("liaison.db").display());
    // The first answer never finishes: the process dies in the middle of it.
    llm.push(Reply::Stall(vec!["To reset"]));
    let mut a = Process::start_with(&url, &env).await;
    let token = visitor(&a).await;
    let r = send(&a, &token, "cut-1", "How do I reset my password?").await;
    assert!(r.status().is_success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while llm.requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the model was never asked"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill();

    llm.push(Reply::Text(vec![
        "Open Settings, then Password, and choose a new one.",
    ]));
    let b = Process::start_with(&url, &env).await;
    let answered = wait_for(&b, &token, |c| {
        c.conversation.as_ref().is_some_and(|c| {
            c.messages
                .iter()
                .any(|m| m.sender == liaison_protocol::Sender::Ai)
        })
    })
    .await;
    let ai: Vec<_> = answered
        .conversation
        .unwrap()
        .messages
        .into_iter()
        .filter(|m| m.sender == liaison_protocol::Sender::Ai)
        .collect();
    assert_eq!(ai.len(), 1, "answered once: {ai:?}");
    drop(b);
    let _ = std::fs::remove_dir_all(&dir);
}
