//! Abuse limits: widget floods from one visitor, from many, and from one address get 429 with
//! Retry-After while other visitors are served; new sessions per address; metadata bounds; one
//! AI turn in flight per conversation (so the budget holds under a flood); sign-in throttling,
//! with hashing off the async workers so a burst of sign-ins does not stall the server.
//!
//! The server trusts `X-Forwarded-For` here (`LIAISON_TRUST_PROXY`), so one test process can
//! speak from several addresses.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::auth::Login;
use liaison_protocol::ConversationStatus;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("LIAISON_TRUST_PROXY", "1")];
    vars.extend_from_slice(extra);
    spawn_with(&vars).await
}

/// A new visitor speaking from `ip`; its token (None: refused, with the response).
async fn visitor_from(app: &TestApp, ip: &str) -> Result<String, reqwest::Response> {
    let r = client()
        .post(app.url("/api/widget/v1/session"))
        .header("x-forwarded-for", ip)
        .json(&json!({"metadata": {"browser": "Mozilla/5.0 Firefox/128.0"}}))
        .send()
        .await
        .unwrap();
    if r.status() != 200 {
        return Err(r);
    }
    let v: Value = r.json().await.unwrap();
    Ok(v["token"].as_str().unwrap().to_string())
}

async fn send_from(app: &TestApp, ip: &str, token: &str, id: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/widget/v1/messages"))
        .header("x-forwarded-for", ip)
        .bearer_auth(token)
        .json(&json!({"client_msg_id": id, "body": format!("Message {id}")}))
        .send()
        .await
        .unwrap()
}

/// A 429 says how long to wait, in a header and in words.
async fn assert_too_many(r: reqwest::Response) {
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    let body: Value = r.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains(&format!("wait {wait} seconds")), "{error}");
}

async fn messages_of(app: &TestApp, token: &str) -> usize {
    conversation(app, token)
        .await
        .conversation
        .map_or(0, |c| c.messages.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_visitor_is_refused_while_others_are_served() {
    let app = app_with(&[("LIAISON_LIMIT_VISITOR_PER_MINUTE", "5")]).await;
    // The operators take the conversations, so the AI's answers do not muddle the counts.
    let flooder = visitor_from(&app, "203.0.113.1").await.unwrap();
    let mut statuses = Vec::new();
    let mut refused = None;
    for i in 0..20 {
        let r = send_from(&app, "203.0.113.1", &flooder, &format!("f-{i}")).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 && refused.is_none() {
            refused = Some(r);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15);
    assert_too_many(refused.unwrap()).await;
    // What was refused was not stored: five visitor messages (and whatever the AI said).
    let view = conversation(&app, &flooder).await.conversation.unwrap();
    let from_visitor = view
        .messages
        .iter()
        .filter(|m| m.sender == liaison_protocol::Sender::Customer)
        .count();
    assert_eq!(from_visitor, 5);

    // Another visitor, even from the same address, is served.
    let neighbour = visitor_from(&app, "203.0.113.1").await.unwrap();
    assert_eq!(
        send_from(&app, "203.0.113.1", &neighbour, "n-1")
            .await
            .status(),
        200
    );
    // Reading is not limited: the flooder still sees their conversation.
    assert!(messages_of(&app, &flooder).await >= 5);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_many_visitors_of_one_address_is_refused_while_others_are_served() {
    let app = app_with(&[("LIAISON_LIMIT_ADDRESS_PER_MINUTE", "30")]).await;
    let mut tokens = Vec::new();
    for _ in 0..10 {
        tokens.push(visitor_from(&app, "198.51.100.7").await.unwrap());
    }
    // Ten sessions used ten of the address's thirty writes; fifty messages follow. (The bucket
    // refills one write every two seconds, so a slow run may get one or two more through.)
    let mut ok = 0;
    let mut too_many = 0;
    for (i, token) in tokens.iter().enumerate() {
        for j in 0..5 {
            match send_from(&app, "198.51.100.7", token, &format!("m-{i}-{j}"))
                .await
                .status()
                .as_u16()
            {
                200 => ok += 1,
                429 => too_many += 1,
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!((20..=23).contains(&ok), "{ok} sent");
    assert_eq!(ok + too_many, 50);
    // The address cannot even start a new session now; another address can, and is served.
    let mut refused = None;
    for _ in 0..4 {
        if let Err(r) = visitor_from(&app, "198.51.100.7").await {
            refused = Some(r);
            break;
        }
    }
    assert_too_many(refused.expect("new sessions from the address are refused")).await;
    let other = visitor_from(&app, "192.0.2.44").await.unwrap();
    assert_eq!(
        send_from(&app, "192.0.2.44", &other, "o-1").await.status(),
        200
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sessions_are_limited_per_address() {
    let app = app_with(&[("LIAISON_LIMIT_SESSIONS_PER_HOUR", "3")]).await;
    let mut first = None;
    for _ in 0..3 {
        first.get_or_insert(visitor_from(&app, "203.0.113.20").await.unwrap());
    }
    assert_too_many(visitor_from(&app, "203.0.113.20").await.unwrap_err()).await;
    // A visitor coming back with their token is not a new session.
    let back = client()
        .post(app.url("/api/widget/v1/session"))
        .header("x-forwarded-for", "203.0.113.20")
        .json(&json!({"token": first.unwrap(), "metadata": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 200);
    assert!(visitor_from(&app, "203.0.113.21").await.is_ok());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_over_its_bounds_is_refused_and_nothing_is_stored() {
    let app = spawn().await;
    let visitors = || recount(&app, "SELECT COUNT(*) FROM visitors WHERE id > $1", 0);
    let before = visitors().await;
    let huge = "x".repeat(1 << 20);
    let r = client()
        .post(app.url("/api/widget/v1/session"))
        .json(&json!({"metadata": {"browser": huge}}))
        .send()
        .await
        .unwrap();
    // A megabyte is past the API's body limit before any field is read.
    assert_eq!(r.status(), 413);
    let r = client()
        .post(app.url("/api/widget/v1/session"))
        .json(&json!({"metadata": {"browser": "x".repeat(600)}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        "metadata.browser is too long (512 characters at most)."
    );
    let r = client()
        .post(app.url("/api/widget/v1/session"))
        .json(&json!({"metadata": {"page": format!("https://shop.example/{}", "p".repeat(2100))}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(visitors().await, before, "no visitor was created");
    // Within bounds, a visitor is created.
    visitor(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ai_turn_at_a_time_so_a_flood_stays_within_the_budget() {
    use liaison::app::settings::ai_budget::SaveAiBudget;
    let llm = FakeLlm::start().await;
    // The first answer takes a while: the visitor's next messages arrive during it.
    llm.push(Reply::Slow(
        vec!["We ship ", "to Canada [1]."],
        Duration::from_millis(300),
    ));
    let env = llm.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(&vars).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    // One answer costs 150 tokens (the fake model's usage): a budget of 100 allows one call.
    let saved = call::<SaveAiBudget>(
        &owner,
        &app,
        &[
            ("daily_tokens", "100"),
            ("daily_cost_usd", ""),
            ("conversation_tokens", ""),
        ],
    )
    .await;
    assert!(saved.status().is_success());
    let token = visitor(&app).await;
    let questions = [
        "Do you ship to Canada?",
        "How long does express delivery take?",
        "Do you ship to Mexico?",
        "What does shipping cost?",
        "Can I track my parcel?",
        "Do you deliver on Saturdays?",
    ];
    for (i, q) in questions.iter().enumerate() {
        assert_eq!(send(&app, &token, &format!("q-{i}"), q).await.status(), 200);
    }
    // The first turn answers; the five that arrived meanwhile are one next turn, which finds
    // the budget spent and hands over instead of calling the model.
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    assert_eq!(llm.requests().len(), 1, "one model call, not six");
    let messages = view.conversation.unwrap().messages;
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.sender == liaison_protocol::Sender::Customer)
            .count(),
        6,
        "every message was stored"
    );
    // Every call is bounded.
    assert_eq!(llm.requests()[0]["max_completion_tokens"], 1024);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_during_an_answer_are_answered_together() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Slow(
        vec!["We ship ", "to Canada [1]."],
        Duration::from_millis(300),
    ));
    llm.push(Reply::Text(vec!["Express takes two days [1]."]));
    let env = llm.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(&vars).await;
    let token = visitor(&app).await;
    send(&app, &token, "a-1", "Do you ship to Canada?").await;
    send(&app, &token, "a-2", "And to Mexico?").await;
    send(&app, &token, "a-3", "How long does express delivery take?").await;
    // Two answers: the first question's, then one turn for the two that came during it.
    wait_for(&app, &token, |c| {
        c.conversation.as_ref().is_some_and(|c| {
            c.messages
                .iter()
                .filter(|m| m.sender == liaison_protocol::Sender::Ai)
                .count()
                == 2
        })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    // The second turn read both later messages.
    let second = requests[1]["messages"].to_string();
    assert!(second.contains("And to Mexico?"), "{second}");
    assert!(second.contains("How long does express delivery take?"));
    app.stop().await;
}

async fn sign_in_from(app: &TestApp, ip: &str, email: &str, password: &str) -> reqwest::Response {
    client()
        .post(app.url(<Login as ServerFn>::PATH))
        .header("origin", app.url(""))
        .header("x-forwarded-for", ip)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_throttled_per_address_and_per_account() {
    let app = app_with(&[("LIAISON_LIMIT_SIGN_INS_PER_MINUTE", "5")]).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            sign_in_from(&app, "203.0.113.50", OWNER_EMAIL, "wrong-password")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [400, 400, 400, 400, 400, 429, 429, 429]);
    // Throttled means throttled: the right password from that address waits too.
    let r = sign_in_from(&app, "203.0.113.50", OWNER_EMAIL, PASSWORD).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // The page shows AppError::Throttled as "Too many attempts. Please wait N seconds…".
    assert!(r.text().await.unwrap().contains("Throttled"));
    // The account is throttled from any address (a guesser with many addresses).
    let r = sign_in_from(&app, "203.0.113.51", OWNER_EMAIL, PASSWORD).await;
    assert_eq!(r.status(), 429);
    // Another account from another address signs in.
    let r = sign_in_from(&app, "203.0.113.52", "agent@liaison.local", PASSWORD).await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_does_not_stall_the_server() {
    let app = app_with(&[]).await;
    let healthz = |app: &TestApp| {
        let url = app.url("/healthz");
        async move {
            let t = Instant::now();
            let r = client().get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            t.elapsed().as_secs_f64() * 1000.0
        }
    };
    // Forty sign-ins at once, each from its own address for its own account (so no limit
    // stops them): forty argon2 checks to run.
    let started = Instant::now();
    let burst: Vec<_> = (0..40)
        .map(|i| {
            let app_url = app.url(<Login as ServerFn>::PATH);
            let origin = app.url("");
            tokio::spawn(async move {
                client()
                    .post(app_url)
                    .header("origin", origin)
                    .header(
                        "x-forwarded-for",
                        format!("10.9.{}.{}", i / 200, i % 200 + 1),
                    )
                    .form(&[
                        ("email", format!("nobody{i}@test.local")),
                        ("password", "wrong-password".to_string()),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut during = Vec::new();
    while !burst.iter().all(|b| b.is_finished()) {
        during.push(healthz(&app).await);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let burst_ms = started.elapsed().as_secs_f64() * 1000.0;
    for b in burst {
        assert_eq!(b.await.unwrap(), 400);
    }
    during.sort_by(f64::total_cmp);
    let median = percentile(&during, 0.5);
    println!(
        "sign-in burst of 40: {burst_ms:.0} ms; /healthz during it: {} answers, median {median:.1} ms",
        during.len()
    );
    // The checks ran on the blocking pool: the server kept answering at its normal pace
    // through the whole burst (on the async workers a health check waits for the hashing).
    assert!(during.len() >= 3, "healthz answered {} times", during.len());
    assert!(
        median < 150.0,
        "/healthz median {median:.1} ms during the burst"
    );
    app.stop().await;
}
