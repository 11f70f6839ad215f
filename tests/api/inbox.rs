//! The live inbox: streams start at the page's cursor, events carry the row, pages are keyset
//! and complete, counts stay true, search finds old messages, and streams end with the session.

use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::auth::Logout;
use liaison::app::conversations::api::{List, ListConversations};
use liaison::server::conversations::{self, Actor};
use liaison::server::db::{self, Db};
use liaison_protocol::widget_api::VisitorMetadata;
use liaison_protocol::{ConversationStatus, Tab};
use std::collections::HashSet;
use std::time::Duration;

/// A visitor and one conversation with one message, straight through the operations (no AI).
async fn start(db: &Db, n: usize, body: &str) -> i64 {
    let mut tx = db.write().await.unwrap();
    let visitor = db::visitors::insert(
        tx.conn(),
        &format!("inbox-test-{n}-{}", liaison::server::now_ms()),
        &VisitorMetadata::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    conversations::post_customer_message(db, visitor, &format!("m-{n}"), body)
        .await
        .unwrap()
        .message
        .conversation_id
}

async fn list(c: &reqwest::Client, app: &TestApp, args: &[(&str, &str)]) -> List {
    let r = call::<ListConversations>(c, app, args).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_start_at_the_cursor_and_events_carry_the_row() {
    let app = spawn().await;
    let db = &app.server.db;
    for n in 0..5 {
        start(db, n, "History that must not be replayed").await;
    }
    let owner = operator(&app, OWNER_EMAIL).await;
    let page = list(&owner, &app, &[]).await;
    assert!(page.cursor > 0);

    // Opened with the page's cursor, and with none at all: neither replays history.
    let mut at_cursor = dashboard_stream(&owner, &app, Some(page.cursor)).await;
    let mut from_now = dashboard_stream(&owner, &app, None).await;
    assert_eq!(at_cursor.next(Duration::from_millis(400)).await, None);
    assert_eq!(from_now.next(Duration::from_millis(100)).await, None);

    let id = start(db, 99, "A brand new question about refunds").await;
    for stream in [&mut at_cursor, &mut from_now] {
        let mut kinds = Vec::new();
        let mut row = None;
        while let Some(e) = stream.next(Duration::from_millis(500)).await {
            assert!(e.id > page.cursor, "replayed {e:?}");
            kinds.push(e.data["type"].as_str().unwrap().to_string());
            if e.data["type"] == "conversation_updated" {
                row = Some(e.data.clone());
            }
        }
        assert_eq!(
            kinds,
            [
                "conversation_created",
                "message_created",
                "conversation_updated"
            ]
        );
        // Everything the row shows, so the list needs no request.
        let row = row.unwrap();
        let c = &row["conversation"];
        assert_eq!(c["id"], id);
        assert_eq!(c["status"], "open");
        assert_eq!(c["message_count"], 1);
        assert_eq!(c["last_message"], "A brand new question about refunds");
        assert_eq!(c["booked"], false);
        assert_eq!(c["channel"], "widget");
        assert_eq!(row["counts"]["widget"]["all"], 6);
        assert_eq!(row["counts"]["widget"]["open"], 6);
    }

    // A status change patches the same row: status, counts and the lock.
    let agent = db::users::find_by_email(&db.read, "agent@liaison.local")
        .await
        .unwrap()
        .expect("the demo agent");
    conversations::escalate(db, id, Actor::Operator(agent.id), None)
        .await
        .unwrap();
    conversations::join(db, id, agent.id).await.unwrap();
    let mut last = None;
    while let Some(e) = at_cursor.next(Duration::from_millis(500)).await {
        if e.data["type"] == "conversation_updated" {
            last = Some(e.data);
        }
    }
    let last = last.unwrap();
    assert_eq!(last["conversation"]["id"], id);
    assert_eq!(last["conversation"]["assignee_id"], agent.id);
    assert_eq!(last["conversation"]["message_count"], 2, "the join notice");
    assert_eq!(last["counts"]["widget"]["needs_agent"], 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_hold_every_conversation_once_while_new_ones_arrive() {
    let app = spawn().await;
    let db = &app.server.db;
    let mut before: HashSet<i64> = HashSet::new();
    for n in 0..130 {
        before.insert(start(db, n, "hello").await);
    }
    let owner = operator(&app, OWNER_EMAIL).await;
    let mut seen: Vec<i64> = Vec::new();
    let mut page = list(&owner, &app, &[]).await;
    assert!(!page.newer);
    let mut arrivals = 0;
    loop {
        seen.extend(page.rows.iter().map(|r| r.id));
        // New conversations arrive between pages; they belong above page 1, not in later ones.
        start(db, 1000 + arrivals, "new").await;
        arrivals += 1;
        let Some(older) = page.older else { break };
        page = list(&owner, &app, &[("before", &older.to_string())]).await;
        assert!(page.newer);
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a conversation was listed twice");
    assert_eq!(unique, before, "every conversation, exactly once");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");

    // Back up from the last page: the previous page is the one before it.
    let first = list(&owner, &app, &[]).await;
    let second = list(
        &owner,
        &app,
        &[("before", &first.older.unwrap().to_string())],
    )
    .await;
    let back = list(&owner, &app, &[("after", &second.rows[0].id.to_string())]).await;
    assert_eq!(back.rows, first.rows);
    assert!(!back.newer);

    // Unknown tabs are refused with a message, not an empty list.
    let r = call::<ListConversations>(&owner, &app, &[("tab", "closed")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Unknown tab"));
    let r = call::<ListConversations>(&owner, &app, &[("channel", "fax")]).await;
    assert_eq!(r.status(), 400);
    app.stop().await;
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_stay_equal_to_a_recount_after_random_changes() {
    let app = spawn().await;
    let db = &app.server.db;
    let agent = db::users::find_by_email(&db.read, "agent@liaison.local")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(start(db, n, "count me").await);
    }
    let mut rng = Lcg(7);
    for step in 0..300 {
        let id = ids[rng.next(ids.len())];
        // Refusals (e.g. joining a resolved one) are part of the sequence: they change nothing.
        let _ = match rng.next(6) {
            0 => conversations::escalate(db, id, Actor::Operator(agent), None)
                .await
                .map(|_| ()),
            1 => conversations::join(db, id, agent).await,
            2 => conversations::leave(db, id, agent).await,
            3 => conversations::resolve(db, id, Actor::Operator(agent)).await,
            4 => {
                ids.push(start(db, 100 + step, "another").await);
                Ok(())
            }
            _ => {
                let mut tx = db.write().await.unwrap();
                crate::common::execute(
                    tx.conn(),
                    "UPDATE conversations SET booked = CASE WHEN booked THEN FALSE ELSE TRUE END
                     WHERE id = $1",
                    id,
                )
                .await;
                tx.commit().await.unwrap();
                Ok(())
            }
        };
        let mut conn = db.read.acquire().await.unwrap();
        let kept = db::conversations::counts(conn.conn()).await.unwrap();
        let recounted = db::conversations::recount(conn.conn()).await.unwrap();
        assert_eq!(kept, recounted, "after step {step}");
    }
    let mut conn = db.read.acquire().await.unwrap();
    let counts = db::conversations::counts(conn.conn()).await.unwrap();
    assert_eq!(counts.widget.all as usize, ids.len());
    assert!(counts.widget.resolved > 0 && counts.widget.booked > 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tabs_and_search_find_the_right_conversations() {
    let app = spawn().await;
    let db = &app.server.db;
    let old = start(db, 1, "My parcel never arrived in Reykjavík").await;
    for n in 2..80 {
        start(db, n, "Unrelated chatter about opening hours").await;
    }
    let agent = db::users::find_by_email(&db.read, "agent@liaison.local")
        .await
        .unwrap()
        .unwrap()
        .id;
    conversations::resolve(db, old, Actor::Operator(agent))
        .await
        .unwrap();
    let owner = operator(&app, OWNER_EMAIL).await;

    // Search reaches the oldest conversation, whatever page it is on, accents folded.
    let found = list(&owner, &app, &[("q", "reykjavik parc")]).await;
    assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [old]);
    let in_tab = list(&owner, &app, &[("q", "reykjavik"), ("tab", "open")]).await;
    assert!(in_tab.rows.is_empty(), "it is resolved, not open");
    let none = list(&owner, &app, &[("q", "\" OR *")]).await;
    assert!(none.rows.is_empty());

    // Visitors' names and emails are searched too.
    let mut tx = db.write().await.unwrap();
    crate::common::execute(
        tx.conn(),
        "UPDATE visitors SET name = 'Ana Lima', email = 'ana@example.com'
         WHERE id = (SELECT visitor_id FROM conversations WHERE id = $1)",
        old,
    )
    .await;
    tx.commit().await.unwrap();
    let by_email = list(&owner, &app, &[("q", "ana@example.com")]).await;
    assert_eq!(by_email.rows[0].id, old);
    assert_eq!(by_email.rows[0].visitor, "Ana Lima");

    // Search pages lose no match: 60 conversations mention kettles, 50 a page.
    let mut kettles = HashSet::new();
    for n in 100..160 {
        kettles.insert(start(db, n, &format!("My kettle number {n} leaks")).await);
    }
    let first = list(&owner, &app, &[("q", "kettle")]).await;
    let older = first.older.expect("a second page").to_string();
    let second = list(&owner, &app, &[("q", "kettle"), ("before", &older)]).await;
    assert!(second.newer);
    let found: HashSet<i64> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.id)
        .collect();
    assert_eq!(found, kettles);
    assert_eq!(first.rows.len() + second.rows.len(), 60, "none twice");

    let resolved = list(&owner, &app, &[("tab", Tab::Resolved.as_str())]).await;
    assert_eq!(resolved.rows.len(), 1);
    assert_eq!(resolved.rows[0].status, ConversationStatus::Resolved);
    assert_eq!(resolved.counts.widget.resolved, 1);
    let whatsapp = list(&owner, &app, &[("channel", "whatsapp")]).await;
    assert!(whatsapp.rows.is_empty());
    assert_eq!(whatsapp.counts.widget.all, 139);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_stream_and_a_signed_out_call_gets_json_401() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let mut stream = dashboard_stream(&owner, &app, None).await;
    let other = operator(&app, OWNER_EMAIL).await;
    let mut other_stream = dashboard_stream(&other, &app, None).await;

    let r = call::<Logout>(&owner, &app, &[]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    // The stream ends: the reader sees the end of the body, not a timeout.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while stream.next_frame(Duration::from_secs(10)).await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the signed-out stream is still open");

    // The other session's stream goes on.
    start(&app.server.db, 1, "still live").await;
    assert!(other_stream.next(Duration::from_secs(5)).await.is_some());

    // The signed-out session: a server function answers 401 in the JSON the dashboard decodes.
    let r = owner
        .post(app.url(ListConversations::PATH))
        .form(&[("tab", "all")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.text().await.unwrap(), "\"Unauthorized\"");
    let r = owner
        .get(app.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_older_than_retention_is_told_to_refetch() {
    let app = spawn().await;
    let db = &app.server.db;
    for n in 0..3 {
        start(db, n, "old").await;
    }
    let latest = db::events::latest_id(&db.read).await.unwrap();
    // Every stored event (PostgreSQL's ids can have gaps, so count them rather than trust the
    // last id).
    let stored = db::events::after(
        &db.read,
        liaison::server::realtime::Scope::Dashboard,
        0,
        10_000,
    )
    .await
    .unwrap();
    assert_eq!(stored.last().map(|e| e.id), Some(latest));
    let deleted = liaison::server::retention::expire_events(db, liaison::server::now_ms() + 1)
        .await
        .unwrap();
    assert_eq!(deleted as usize, stored.len());
    assert_eq!(db::events::retention_floor(&db.read).await.unwrap(), latest);

    let owner = operator(&app, OWNER_EMAIL).await;
    let mut stale = dashboard_stream(&owner, &app, Some(1)).await;
    let first = stale.next_frame(Duration::from_secs(2)).await.unwrap();
    assert_eq!(first.event.as_deref(), Some("refetch"));
    assert_eq!(first.id, None);
    // Then it goes on from now.
    start(db, 9, "new").await;
    let next = stale.next(Duration::from_secs(2)).await.unwrap();
    assert!(next.id > latest);

    // A cursor at the floor has lost nothing: it resumes without a refetch.
    let mut current = dashboard_stream(&owner, &app, Some(latest)).await;
    let e = current.next_frame(Duration::from_secs(2)).await.unwrap();
    assert_eq!(e.event, None);
    assert!(e.id.unwrap() > latest);
    app.stop().await;
}
