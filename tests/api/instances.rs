//! Several Liaison instances against one PostgreSQL, as behind a load balancer: any instance
//! serves any request, a stream on one sees what was written through another, and the rules
//! that guard shared state hold across them.

use crate::common::*;
use liaison::app::conversations::api::JoinConversation;
use liaison::app::kb::api::{AddPastedDocument, Documents, ListDocuments};
use liaison::server::db;
use liaison::server::realtime::Scope;
use std::time::Duration;

/// Two instances on a new PostgreSQL database.
async fn two_instances() -> (TestApp, TestApp) {
    let url = postgres::fresh_database().await;
    let a = spawn_with(&[("LIAISON_DATABASE_URL", &url)]).await;
    let b = spawn_with(&[("LIAISON_DATABASE_URL", &url)]).await;
    (a, b)
}

/// Two instances on a new PostgreSQL database, with `llm` as their model.
async fn two_instances_asking(llm: &crate::common::fake_llm::FakeLlm) -> (TestApp, TestApp) {
    let env = llm.env();
    let url = postgres::fresh_database().await;
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("LIAISON_DATABASE_URL", &url));
    (spawn_with(&vars).await, spawn_with(&vars).await)
}

/// A visitor talks to instance A; an operator signed in on A watches the stream of instance B
/// (sessions live in the database) and sees the message and its conversation's row, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_on_one_instance_sees_writes_through_another() {
    let (a, b) = two_instances().await;
    let owner = operator(&a, OWNER_EMAIL).await;
    let mut stream = dashboard_stream(&owner, &b, None).await;
    let token = visitor(&a).await;
    let r = send(&a, &token, "m-1", "Hello from instance A").await;
    assert!(r.status().is_success());
    let mut seen = Vec::new();
    let mut ids = Vec::new();
    while let Some(e) = stream.next(Duration::from_secs(5)).await {
        ids.push(e.data.clone());
        if e.data["type"] == "message_created"
            && e.data["message"]["body"] == "Hello from instance A"
        {
            seen.push(e.data["message"]["id"].as_i64().unwrap());
        }
        if e.data["type"] == "conversation_updated" && !seen.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 1, "seen once on B: {ids:?}");
    // And B serves the visitor's conversation written through A.
    let view = conversation(&b, &token).await;
    assert_eq!(
        view.conversation.unwrap().messages[0].body,
        "Hello from instance A"
    );
    a.stop().await;
    b.stop().await;
}

/// Twenty operators, half signed in on each instance, join one conversation at once: exactly
/// one holds it. `db` reaches the instances' database (to add the operators).
pub async fn one_holder<H: Http>(a: &H, b: &H, db: &db::Db) {
    let token = visitor(a).await;
    send(a, &token, "j-1", "I need a human agent").await;
    let view = wait_for_status(b, &token, liaison_protocol::ConversationStatus::NeedsAgent).await;
    let id = view.conversation.unwrap().id.to_string();
    let mut operators = Vec::new();
    for (i, email) in add_agents_to(db, 20).await.iter().enumerate() {
        let app = if i % 2 == 0 { a } else { b };
        operators.push((app, operator(app, email).await));
    }
    let joins = operators.iter().map(|(app, c)| {
        let id = id.clone();
        async move { call::<JoinConversation>(c, app, &[("id", &id)]).await }
    });
    let mut holders = 0;
    for r in futures::future::join_all(joins).await {
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        match status {
            200 => holders += 1,
            409 => assert!(body.contains("Locked by another agent"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(holders, 1, "exactly one holder across instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_holder_across_instances() {
    let (a, b) = two_instances().await;
    one_holder(&a, &b, &a.server.db).await;
    a.stop().await;
    b.stop().await;
}

/// A document added through one instance is processed once, by whichever instance claims it
/// first (both are woken: the other by the event). `db` reaches their database.
pub async fn document_once<H: Http>(a: &H, b: &H, db: &db::Db) {
    let owner = operator(a, OWNER_EMAIL).await;
    let r = call::<AddPastedDocument>(
        &owner,
        a,
        &[
            ("title", "Returns"),
            ("text", "Returns are free within 30 days."),
        ],
    )
    .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let id: i64 = r.json().await.unwrap();
    // Ready, as the Documents page on B shows it.
    let on_b = operator(b, OWNER_EMAIL).await;
    let mut ready = false;
    for _ in 0..100 {
        let r = call::<ListDocuments>(&on_b, b, &[]).await;
        let docs: Documents = r.json().await.unwrap();
        if docs
            .documents
            .iter()
            .any(|d| d.id == id && d.status == "ready")
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "processed");
    let events = db::events::after(&db.read, Scope::Dashboard, 0, 1000)
        .await
        .unwrap();
    let claims = events
        .iter()
        .filter(|e| {
            matches!(&e.event, liaison_protocol::Event::DocumentChanged { document_id, status }
                if *document_id == id && status == "processing")
        })
        .count();
    assert_eq!(claims, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_processed_once() {
    let (a, b) = two_instances().await;
    document_once(&a, &b, &a.server.db).await;
    a.stop().await;
    b.stop().await;
}

/// The AI answers on the instance that took the visitor's message; the visitor's widget stream
/// on the other instance still sees the answer arrive piece by piece, then the stored message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_streams_to_a_widget_on_another_instance() {
    use crate::common::fake_llm::{FakeLlm, Reply};
    let llm = FakeLlm::start().await;
    llm.push(Reply::Text(vec!["Yes, we ", "ship to ", "Canada [1]."]));
    let (a, b) = two_instances_asking(&llm).await;
    let token = visitor(&a).await;
    let mut stream = widget_stream(&b, &token).await;
    send(&a, &token, "m-1", "Do you ship to Canada?").await;
    let mut pieces = String::new();
    loop {
        let frame = stream
            .next_frame(Duration::from_secs(10))
            .await
            .expect("the stream on B goes on");
        match frame.event.as_deref() {
            Some("ai_delta") => pieces.push_str(frame.data["text"].as_str().unwrap()),
            _ if frame.data["type"] == "message_created"
                && frame.data["message"]["sender"] == "ai" =>
            {
                break;
            }
            _ => {}
        }
    }
    assert_eq!(
        pieces, "Yes, we ship to Canada [1].",
        "each piece once, in order"
    );
    a.stop().await;
    b.stop().await;
}

/// The visitors on the site through one instance are listed by a dashboard on another, once
/// each, even when their widgets are open on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_on_one_instance_are_listed_on_another() {
    use liaison::app::conversations::api::{LiveVisitors, PresentVisitors};
    let (a, b) = two_instances().await;
    let owner = operator(&b, OWNER_EMAIL).await;
    let token = visitor(&a).await;
    let listed = async || -> Vec<i64> {
        let r = call::<LiveVisitors>(&owner, &b, &[]).await;
        assert_eq!(r.status(), 200);
        let present: PresentVisitors = r.json().await.unwrap();
        present.visitors.iter().map(|v| v.visitor_id).collect()
    };
    assert!(listed().await.is_empty());
    let _on_a = widget_stream(&a, &token).await;
    // Instance A writes its visitors off the widget's path: they show up within moments.
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = listed().await;
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen.len(), 1, "the visitor on A, listed on B");
    let _on_b = widget_stream(&b, &token).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(listed().await, seen, "on both instances, listed once");
    a.stop().await;
    b.stop().await;
}

/// Signing out on one instance ends that session's streams on the others at once (not at the
/// next minute's sweep), and only that session's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_on_one_instance_ends_the_sessions_streams_on_another() {
    use liaison::app::auth::Logout;
    let (a, b) = two_instances().await;
    let owner = operator(&a, OWNER_EMAIL).await;
    let other = operator(&a, OWNER_EMAIL).await;
    let mut stream = dashboard_stream(&owner, &b, None).await;
    let mut other_stream = dashboard_stream(&other, &b, None).await;
    let r = call::<Logout>(&owner, &a, &[]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while stream.next_frame(Duration::from_secs(10)).await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the signed-out stream on B is still open");
    let token = visitor(&a).await;
    send(&a, &token, "s-1", "Still watching?").await;
    assert!(
        other_stream.next(Duration::from_secs(5)).await.is_some(),
        "the other session's stream on B goes on"
    );
    a.stop().await;
    b.stop().await;
}

/// How many of the AI's messages the visitor's conversation shows.
fn ai_lines(c: &liaison_protocol::widget_api::ConversationResponse) -> usize {
    c.conversation.as_ref().map_or(0, |c| {
        c.messages
            .iter()
            .filter(|m| m.sender == liaison_protocol::Sender::Ai)
            .count()
    })
}

/// A visitor's messages reach two instances while the AI answers on one: still one turn at a
/// time for the conversation (a lease in the database), and the messages that came to the
/// other instance meanwhile are answered together, once, when the first turn ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ai_turn_at_a_time_across_instances() {
    use crate::common::fake_llm::{FakeLlm, Reply};
    let llm = FakeLlm::start().await;
    llm.push(Reply::Slow(
        vec!["We ship ", "to Canada [1]."],
        Duration::from_millis(400),
    ));
    llm.push(Reply::Text(vec!["Express takes two days [1]."]));
    llm.push(Reply::Text(vec!["A third answer nobody asked for [1]."]));
    let (a, b) = two_instances_asking(&llm).await;
    let token = visitor(&a).await;
    send(&a, &token, "t-1", "Do you ship to Canada?").await;
    // A's turn is streaming slowly; two more lines arrive through B.
    tokio::time::sleep(Duration::from_millis(150)).await;
    send(&b, &token, "t-2", "And to Mexico?").await;
    send(&b, &token, "t-3", "How long does express delivery take?").await;
    wait_for(&a, &token, |c| ai_lines(c) == 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let second = requests[1]["messages"].to_string();
    assert!(second.contains("And to Mexico?"), "{second}");
    assert!(second.contains("How long does express delivery take?"));
    assert_eq!(ai_lines(&conversation(&b, &token).await), 2);
    // Nobody holds the conversation once the turns are over.
    let held = recount(&a, "SELECT COUNT(*) FROM ai_turns WHERE until > $1", 0).await;
    assert_eq!(held, 0);
    a.stop().await;
    b.stop().await;
}

/// An instance that dies in the middle of an AI turn leaves its lease behind. Once the lease
/// has run out, another instance answers the message, once, however long ago it came (here:
/// two hours, beyond the look back of a start).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_abandoned_by_a_dead_instance_is_taken_by_another() {
    use crate::common::fake_llm::{FakeLlm, Reply};
    let llm = FakeLlm::start().await;
    // A's answer never finishes: as good as dead for this conversation.
    llm.push(Reply::Stall(vec!["We ship"]));
    llm.push(Reply::Text(vec!["We ship to Canada [1]."]));
    let env = llm.env();
    let url = postgres::fresh_database().await;
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("LIAISON_DATABASE_URL", &url));
    let a = spawn_with(&vars).await;
    let token = visitor(&a).await;
    send(&a, &token, "d-1", "Do you ship to Canada?").await;
    for _ in 0..300 {
        if !llm.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(llm.requests().len(), 1, "A is answering");
    // Five minutes later (the lease's end, moved into the past), the message two hours old.
    let mut w = a.server.db.write().await.unwrap();
    execute(
        w.conn(),
        "UPDATE ai_turns SET until = 1 WHERE until > $1",
        1,
    )
    .await;
    execute(
        w.conn(),
        "UPDATE conversations SET last_activity_at = last_activity_at - 7200000 WHERE id > $1",
        0,
    )
    .await;
    w.commit().await.unwrap();
    let b = spawn_with(&vars).await;
    wait_for(&b, &token, |c| ai_lines(c) == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        ai_lines(&conversation(&b, &token).await),
        1,
        "answered once"
    );
    assert_eq!(llm.requests().len(), 2);
    b.stop().await;
    a.stop().await;
}
