//! The same repository functions and conversation rules on both backends: each scenario runs
//! on a fresh SQLite file and on a fresh PostgreSQL database (`common::postgres`).

use crate::common::postgres;
use liaison::server::conversations::{self as ops, Actor, OpError};
use liaison::server::db::{self, Db, events};
use liaison::server::kb::chunk::Chunk;
use liaison::server::realtime::{Bus, Scope};
use liaison_protocol::widget_api::VisitorMetadata;
use liaison_protocol::{Channel, ConversationStatus, Event, Filter, Role, Tab};
use std::time::Duration;

fn sqlite_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("liaison-backends-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("liaison.db")
}

async fn sqlite(name: &str) -> Db {
    Db::open(&sqlite_path(name), Bus::default()).await.unwrap()
}

async fn postgres() -> Db {
    Db::open_postgres(&postgres::fresh_database().await, Bus::default())
        .await
        .unwrap()
}

async fn operator(db: &Db, email: &str) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = db::users::insert(tx.conn(), email, "Op", "hash", Role::Agent)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn visitor(db: &Db, token: &str) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = db::visitors::insert(tx.conn(), token, &VisitorMetadata::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A conversation's life through the rules: send, retry, escalate, join, reply, resolve; the
/// events, the counts, the list and search as each backend keeps them.
async fn conversation_life(db: Db) {
    let agent = operator(&db, "Agent@Example.com").await;
    assert_eq!(
        db::users::find_by_email(&db.read, "agent@example.COM")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(agent),
        "emails match whatever their case"
    );
    let v = visitor(&db, "token-1").await;
    let first = ops::post_customer_message(&db, v, "c-1", "Où est ma commande, s'il vous plaît ?")
        .await
        .unwrap();
    assert!(first.is_new);
    let again = ops::post_customer_message(&db, v, "c-1", "Où est ma commande, s'il vous plaît ?")
        .await
        .unwrap();
    assert!(!again.is_new, "a retry is stored once");
    assert_eq!(again.message.id, first.message.id);
    let conversation = first.message.conversation_id;

    assert_eq!(
        ops::escalate(&db, conversation, Actor::Visitor(v), None)
            .await
            .unwrap(),
        ConversationStatus::NeedsAgent
    );
    ops::join(&db, conversation, agent).await.unwrap();
    ops::post_operator_message(&db, conversation, agent, "It ships today.")
        .await
        .unwrap();

    let mut conn = db.read.acquire().await.unwrap();
    let row = db::conversations::find(conn.conn(), conversation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.assignee_id, Some(agent));
    assert_eq!(
        row.message_count, 3,
        "the customer's message, the join notice, the reply"
    );
    let counts = db::conversations::counts(conn.conn()).await.unwrap();
    assert_eq!(
        counts,
        db::conversations::recount(conn.conn()).await.unwrap()
    );
    let page = db::conversations::page(
        conn.conn(),
        Filter {
            tab: Tab::All,
            channel: Some(Channel::Widget),
            holder: None,
        },
        0,
        db::conversations::PageAt::First,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        page.iter().map(|r| r.id).collect::<Vec<_>>(),
        [conversation]
    );
    let booked = db::conversations::page(
        conn.conn(),
        Filter {
            tab: Tab::Booked,
            channel: None,
            holder: None,
        },
        0,
        db::conversations::PageAt::First,
        10,
    )
    .await
    .unwrap();
    assert!(booked.is_empty());

    // Search folds accents and finds a word's prefix, in messages and in visitor details.
    for text in ["commande", "ou est", "COMMAN", "ships tod"] {
        let found = db::search::conversations(conn.conn(), text, Filter::default(), 0, None, 10)
            .await
            .unwrap();
        assert_eq!(
            found.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [conversation],
            "search {text:?}"
        );
    }
    let none = db::search::conversations(conn.conn(), "refund", Filter::default(), 0, None, 10)
        .await
        .unwrap();
    assert!(none.rows.is_empty());

    ops::resolve(&db, conversation, Actor::Operator(agent))
        .await
        .unwrap();
    let counts = db::conversations::counts(conn.conn()).await.unwrap();
    assert_eq!(counts.widget.resolved, 1);
    assert_eq!(
        counts,
        db::conversations::recount(conn.conn()).await.unwrap()
    );
    // A resolved conversation is closed: the next message starts a new one.
    let next = ops::post_customer_message(&db, v, "c-2", "One more thing")
        .await
        .unwrap();
    assert_ne!(next.message.conversation_id, conversation);

    // The outbox: ids in order, each change followed by its conversation's row.
    let stored = events::after(&db.read, Scope::Dashboard, 0, 1000)
        .await
        .unwrap();
    assert!(stored.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        stored
            .iter()
            .any(|e| matches!(e.event, Event::ConversationUpdated { .. }))
    );
    let mine = events::after(&db.read, Scope::Visitor(v), 0, 1000)
        .await
        .unwrap();
    assert!(!mine.is_empty() && mine.len() < stored.len());
    assert_eq!(
        events::latest_id(&db.read).await.unwrap(),
        stored.last().unwrap().id
    );
}

/// Knowledge base, documents, usage, settings and gaps: the rest of the repository.
async fn knowledge_and_bookkeeping(db: Db) {
    let mut tx = db.write().await.unwrap();
    let chunks = [
        Chunk {
            heading: "Resetting your password".into(),
            body: "Open Settings, choose Security and click Reset password.".into(),
        },
        Chunk {
            heading: "Shipping".into(),
            body: "We ship to Canada and the United States.".into(),
        },
    ];
    let article = db::kb::insert_article(tx.conn(), "Help", "help", "body", true, &chunks)
        .await
        .unwrap();
    assert!(
        db::kb::slug_taken(tx.conn(), "help", None).await.unwrap()
            && !db::kb::slug_taken(tx.conn(), "help", Some(article))
                .await
                .unwrap()
    );
    let document = db::documents::insert(
        tx.conn(),
        db::documents::NewDocument {
            title: "Guide",
            source_kind: "paste",
            source: "Pasted text",
            format: "text",
            original: b"hello",
            created_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Stemmed search: "resets" finds "Resetting"/"Reset".
    let terms = vec!["resets".to_string(), "passwords".to_string()];
    let hits = db::kb::search(&db.read, &terms, 5).await.unwrap();
    assert_eq!(
        hits.first().map(|h| h.heading.as_str()),
        Some("Resetting your password")
    );
    assert!(db::kb::any_match(&db.read, "canada").await.unwrap());
    assert!(!db::kb::any_match(&db.read, "mars").await.unwrap());
    let ids: Vec<i64> = hits.iter().map(|h| h.chunk_id).collect();
    assert_eq!(
        db::kb::which_match(&db.read, "password", &ids)
            .await
            .unwrap(),
        [ids[0]]
    );
    assert_eq!(db::kb::published(&db.read).await.unwrap().len(), 1);
    assert!(db::kb::generation(&db.read).await.unwrap() >= 2);

    let listed = db::documents::list(&db.read).await.unwrap();
    assert_eq!((listed[0].id, listed[0].size), (document, 5));
    // Claimed once; a claim not renewed is taken over.
    let mut tx = db.write().await.unwrap();
    assert_eq!(
        db::documents::claim(tx.conn(), 1_000, 0).await.unwrap(),
        Some(document)
    );
    assert_eq!(
        db::documents::claim(tx.conn(), 2_000, 500).await.unwrap(),
        None
    );
    assert_eq!(
        db::documents::claim(tx.conn(), 3_000, 1_500).await.unwrap(),
        Some(document),
        "the claim of 1_000 went stale at 1_500"
    );
    db::documents::renew(tx.conn(), document, 4_000)
        .await
        .unwrap();
    assert_eq!(
        db::documents::claim(tx.conn(), 5_000, 3_500).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();

    let mut tx = db.write().await.unwrap();
    db::usage::record(
        tx.conn(),
        db::usage::NewUsage {
            conversation_id: None,
            purpose: "agent",
            model: "m",
            prompt_tokens: 10,
            completion_tokens: 5,
            cost_micro_usd: 7,
        },
    )
    .await
    .unwrap();
    db::settings::put(
        tx.conn(),
        "agent",
        &serde_json::json!({"tone": "warm"}),
        None,
    )
    .await
    .unwrap();
    db::settings::put(
        tx.conn(),
        "agent",
        &serde_json::json!({"tone": "brief"}),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let days = db::usage::per_day(&db.read, 7).await.unwrap();
    assert_eq!(
        (days[0].calls, days[0].prompt_tokens, days[0].cost_micro_usd),
        (1, 10, 7)
    );
    let saved: Option<serde_json::Value> = db::settings::get(&db.read, "agent").await.unwrap();
    assert_eq!(saved, Some(serde_json::json!({"tone": "brief"})));

    // Retention: everything so far is older than a cutoff in the future.
    let latest = events::latest_id(&db.read).await.unwrap();
    let mut tx = db.write().await.unwrap();
    let up_to = events::expired_up_to(tx.conn(), i64::MAX).await.unwrap();
    assert_eq!(up_to, latest);
    events::delete_up_to(tx.conn(), up_to, 1000).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(events::retention_floor(&db.read).await.unwrap(), latest);
}

/// Twenty operators join one conversation at once: exactly one holds it, the others are told
/// it is locked (PostgreSQL runs their transactions side by side).
async fn one_holder(db: Db) {
    let v = visitor(&db, "token-race").await;
    let sent = ops::post_customer_message(&db, v, "c-1", "Hello")
        .await
        .unwrap();
    let conversation = sent.message.conversation_id;
    let mut operators = Vec::new();
    for i in 0..20 {
        operators.push(operator(&db, &format!("op{i}@example.com")).await);
    }
    let joins = operators.iter().map(|&op| {
        let db = db.clone();
        async move { ops::join(&db, conversation, op).await }
    });
    let results = futures::future::join_all(joins).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(OpError::Rule(_))))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_life_on_sqlite() {
    conversation_life(sqlite("life").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_life_on_postgres() {
    conversation_life(postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_and_bookkeeping_on_sqlite() {
    knowledge_and_bookkeeping(sqlite("kb").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_and_bookkeeping_on_postgres() {
    knowledge_and_bookkeeping(postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_holder_on_sqlite() {
    one_holder(sqlite("race").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_holder_on_postgres() {
    one_holder(postgres().await).await;
}

/// PostgreSQL commits transactions side by side, so an event id taken early could become
/// visible after a later one, and a stream that had moved past the later id would skip the
/// earlier for ever. Here the first transaction takes its id and stalls before committing, on
/// purpose: the second cannot commit its event until the first has, so no reader ever sees
/// a gap that fills in later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_ids_become_visible_in_order_on_postgres() {
    let db = postgres().await;
    let v = visitor(&db, "token-order").await;
    let event = move |n: i64| (Event::ConversationCreated { conversation_id: n }, Some(v));
    let mut first = db.write().await.unwrap();
    let taken = events::insert_all(first.conn(), vec![event(1)])
        .await
        .unwrap();
    let second = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.write().await.unwrap();
            let stored = events::insert_all(tx.conn(), vec![event(2)]).await.unwrap();
            tx.commit().await.unwrap();
            stored[0].id
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second committed before the first"
    );
    let visible = events::after(&db.read, Scope::Dashboard, 0, 100)
        .await
        .unwrap();
    assert!(visible.is_empty(), "{visible:?}");
    first.commit().await.unwrap();
    let second_id = second.await.unwrap();
    assert!(second_id > taken[0].id);
    let visible: Vec<i64> = events::after(&db.read, Scope::Dashboard, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(visible, [taken[0].id, second_id]);
}

/// A background job runs on one instance at a time: the second asker is told no while the
/// first holds it, and gets it once the first lets go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_jobs_run_once_across_instances() {
    let url = postgres::fresh_database().await;
    let a = Db::open_postgres(&url, Bus::default()).await.unwrap();
    let b = Db::open_postgres(&url, Bus::default()).await.unwrap();
    let held = a.exclusive("embeddings").await.unwrap();
    assert!(held.is_some());
    assert!(b.exclusive("embeddings").await.unwrap().is_none());
    assert!(
        b.exclusive("event retention").await.unwrap().is_some(),
        "another job"
    );
    drop(held);
    let mut again = None;
    for _ in 0..100 {
        again = b.exclusive("embeddings").await.unwrap();
        if again.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "let go when the holder dropped it");
    // One SQLite instance always may.
    let only = sqlite("jobs").await;
    let first = only.exclusive("embeddings").await.unwrap();
    assert!(first.is_some() && only.exclusive("embeddings").await.unwrap().is_some());
}

/// `copy-database`: a SQLite installation with every table filled moves to PostgreSQL with its
/// ids, counts and search intact, new ids continue after the copied ones, and a target that is
/// not empty is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_database_moves_everything_to_postgres() {
    use liaison::server::db::{Location, copy};
    let path = sqlite_path("copy");
    let source = Db::open(&path, Bus::default()).await.unwrap();
    conversation_life(source.clone()).await;
    knowledge_and_bookkeeping(source.clone()).await;
    let mut tx = source.write().await.unwrap();
    db::gaps::record(
        tx.conn(),
        1,
        "Do you sell gift cards?",
        db::gaps::GapReason::OutOfScope,
    )
    .await
    .unwrap();
    // A file, a quick reply, a lead and a booking: rows of the panel's tables.
    let file = liaison::server::attachments::StoredFile {
        sha256: "ab".repeat(32),
        name: "shot.png".into(),
        mime: "image/png".into(),
        size: 10,
        kind: liaison_protocol::MessageKind::Image,
        thumbnail: false,
    };
    db::attachments::insert(tx.conn(), 1, &file).await.unwrap();
    db::quick_replies::save(tx.conn(), None, "Hello", "hi", "Hi, how can I help?")
        .await
        .unwrap();
    let lead = liaison_protocol::lead::LeadForm {
        email: "ana@example.com".into(),
        ..Default::default()
    }
    .check()
    .unwrap();
    db::leads::insert(tx.conn(), &lead, 1, 1, 1).await.unwrap();
    let slot = liaison_protocol::booking::Slot {
        start: 1_800_000_000_000,
        end: 1_800_001_800_000,
    };
    db::bookings::insert(tx.conn(), 1, 1, slot).await.unwrap();
    db::invites::insert(
        tx.conn(),
        "invite-hash",
        "new@example.com",
        liaison_protocol::Role::Agent,
        1,
        1,
        i64::MAX,
    )
    .await
    .unwrap();
    db::password_resets::insert(tx.conn(), "reset-hash", 1, 1, 1, i64::MAX)
        .await
        .unwrap();
    let ticket = liaison_protocol::ticket::TicketForm {
        subject: "Réclamation colis".into(),
        conversation: "1".into(),
        ..Default::default()
    }
    .check()
    .unwrap();
    db::tickets::insert(tx.conn(), &ticket, 1, 1).await.unwrap();
    let hook = liaison_protocol::webhook::WebhookForm {
        url: "https://hooks.example.com/liaison".into(),
        events: vec!["lead.captured".into()],
        active: true,
    }
    .check()
    .unwrap();
    let hook = db::webhooks::insert(tx.conn(), &hook, "whsec_copy", 1)
        .await
        .unwrap();
    db::webhooks::enqueue(tx.conn(), hook, "ping", None, "{}", None)
        .await
        .unwrap();
    // A verified user's second device.
    db::visitors::set_user_id(tx.conn(), 1, "user-42")
        .await
        .unwrap();
    db::visitors::add_token(tx.conn(), 1, "second-device-hash")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Events after the retention run above, so the outbox has rows too.
    let late = visitor(&source, "late").await;
    ops::post_customer_message(&source, late, "c-1", "Une dernière question")
        .await
        .unwrap();
    let url = postgres::fresh_database().await;
    let copied = copy::copy(
        &Location::Sqlite(path.clone()),
        &Location::Postgres(url.clone()),
    )
    .await
    .unwrap();
    assert_eq!(copied.len(), copy::TABLES.len());
    for (table, rows) in &copied {
        assert!(*rows > 0, "{table} was filled in the source and copied");
    }

    let target = Db::open_postgres(&url, Bus::default()).await.unwrap();
    let (mut a, mut b) = (
        source.read.acquire().await.unwrap(),
        target.read.acquire().await.unwrap(),
    );
    let last = db::conversations::page(
        a.conn(),
        Filter::default(),
        0,
        db::conversations::PageAt::First,
        10,
    )
    .await
    .unwrap();
    let copied_last = db::conversations::page(
        b.conn(),
        Filter::default(),
        0,
        db::conversations::PageAt::First,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        last, copied_last,
        "rows, ids and derived columns as they were"
    );
    assert_eq!(
        db::conversations::counts(a.conn()).await.unwrap(),
        db::conversations::counts(b.conn()).await.unwrap()
    );
    assert_eq!(
        db::conversations::counts(b.conn()).await.unwrap(),
        db::conversations::recount(b.conn()).await.unwrap()
    );
    let found = db::search::conversations(b.conn(), "commande", Filter::default(), 0, None, 10)
        .await
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(
        events::latest_id(&source.read).await.unwrap(),
        events::latest_id(&target.read).await.unwrap()
    );
    // New rows continue after the copied ids, and triggers work again.
    let v = visitor(&target, "after-copy").await;
    let sent = ops::post_customer_message(&target, v, "c-1", "Hello again")
        .await
        .unwrap();
    assert!(sent.message.id > last.iter().map(|r| r.id).max().unwrap());
    let row = db::conversations::find(b.conn(), sent.message.conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.message_count, 1);

    let again = copy::copy(&Location::Sqlite(path), &Location::Postgres(url)).await;
    assert!(
        matches!(&again, Err(copy::CopyError::Refused(m)) if m.contains("not empty")),
        "{again:?}"
    );
}

/// A visitor's first messages sent at once land in one conversation, not one each (PostgreSQL
/// runs their transactions side by side).
async fn first_messages_at_once(db: Db) {
    let v = visitor(&db, "token-burst").await;
    let sends = (0..20).map(|i| {
        let db = db.clone();
        async move {
            ops::post_customer_message(&db, v, &format!("c-{i}"), "Hello?")
                .await
                .unwrap()
        }
    });
    let sent = futures::future::join_all(sends).await;
    let mut conversations: Vec<i64> = sent.iter().map(|s| s.message.conversation_id).collect();
    conversations.dedup();
    assert_eq!(conversations.len(), 1, "{conversations:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_messages_at_once_on_sqlite() {
    first_messages_at_once(sqlite("burst").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_messages_at_once_on_postgres() {
    first_messages_at_once(postgres().await).await;
}

/// Search at depth: a word in the newest messages and in one message tens of thousands back,
/// among filler. On PostgreSQL the first is found by walking back from the newest message and
/// the second through the GIN index; both backends give the same conversations in the same
/// order, page by page.
async fn search_in_depth(db: Db) {
    let mut conversations = Vec::new();
    for token in ["old", "filler", "new"] {
        let v = visitor(&db, token).await;
        let mut tx = db.write().await.unwrap();
        conversations.push(
            db::conversations::insert(tx.conn(), v, Channel::Widget)
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    let (old, filler, new) = (conversations[0], conversations[1], conversations[2]);
    let fill = if db.read.is_postgres() {
        "INSERT INTO messages (conversation_id, sender, body, created_at)
         SELECT $1, 'customer', 'About something else, number ' || i, i
         FROM generate_series(1, 30000) i"
    } else {
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
         INSERT INTO messages (conversation_id, sender, body, created_at)
         SELECT $1, 'customer', 'About something else, number ' || i, i FROM n"
    };
    let say = async |conversation: i64, body: &str| {
        let mut tx = db.write().await.unwrap();
        let message =
            db::messages::NewMessage::text(conversation, liaison_protocol::Sender::Customer, body);
        db::messages::insert(tx.conn(), message).await.unwrap();
        tx.commit().await.unwrap();
    };
    say(old, "Is the Kumquat jam back in stock?").await;
    let mut tx = db.write().await.unwrap();
    if let db::Backend::Postgres(c) = tx.conn() {
        // Without the trigger that counts each message on its conversation, one row at a time.
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(c)
            .await
            .unwrap();
    }
    crate::common::execute(tx.conn(), fill, filler).await;
    tx.commit().await.unwrap();
    say(new, "kumquats? no: one KUMQUAT marmalade please").await;

    let mut conn = db.read.acquire().await.unwrap();
    for text in ["kumquat", "kumq", "KUMQUAT jam"] {
        let found = db::search::conversations(conn.conn(), text, Filter::default(), 0, None, 10)
            .await
            .unwrap();
        let ids: Vec<i64> = found.rows.iter().map(|r| r.id).collect();
        let expected = if text == "KUMQUAT jam" {
            vec![old]
        } else {
            vec![new, old]
        };
        assert_eq!(ids, expected, "{text:?}");
    }
    // One per page: the newest match, then the old one, then nothing more.
    let first = db::search::conversations(conn.conn(), "kumquat", Filter::default(), 0, None, 1)
        .await
        .unwrap();
    assert_eq!(first.rows[0].id, new);
    let second =
        db::search::conversations(conn.conn(), "kumquat", Filter::default(), 0, first.next, 1)
            .await
            .unwrap();
    assert_eq!(second.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [old]);
    if let Some(next) = second.next {
        let third =
            db::search::conversations(conn.conn(), "kumquat", Filter::default(), 0, Some(next), 1)
                .await
                .unwrap();
        assert!(third.rows.is_empty());
    }
    // A word in every filler message: the newest of them.
    let found =
        db::search::conversations(conn.conn(), "number 29999", Filter::default(), 0, None, 10)
            .await
            .unwrap();
    assert_eq!(
        found.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [filler]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_in_depth_on_sqlite() {
    search_in_depth(sqlite("search").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_in_depth_on_postgres() {
    search_in_depth(postgres().await).await;
}

/// Live visitors shared between instances: each instance's rows, a visitor on two instances
/// listed once with the earlier start, and the rows of an instance that stopped refreshing
/// swept away with the visitors they held.
async fn live_visitor_rows(db: Db) {
    use liaison_protocol::LiveVisitor;
    let seen = |id: i64, since: i64| LiveVisitor {
        visitor_id: id,
        visitor: format!("Visitor #{id}"),
        page: Some("/pricing".into()),
        browser: None,
        since,
    };
    let p = &db.read;
    db::presence::here(p, 1, &seen(10, 100), 1_000)
        .await
        .unwrap();
    db::presence::here(p, 2, &seen(10, 50), 1_000)
        .await
        .unwrap();
    db::presence::here(p, 2, &seen(11, 200), 1_000)
        .await
        .unwrap();
    // The next page: the same row, updated.
    db::presence::here(p, 1, &seen(10, 100), 1_500)
        .await
        .unwrap();
    let listed = db::presence::list(p, 900).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|v| (v.visitor_id, v.since))
            .collect::<Vec<_>>(),
        [(10, 50), (11, 200)]
    );
    // Instance 1 lets visitor 10 go; instance 2 still has them.
    assert!(db::presence::gone(p, 1, 10, 900).await.unwrap());
    // Instance 2 stops refreshing; instance 1 refreshes and sweeps.
    db::presence::here(p, 1, &seen(12, 300), 1_000)
        .await
        .unwrap();
    db::presence::refresh(p, 1, 5_000).await.unwrap();
    let mut swept = db::presence::sweep(p, 4_000).await.unwrap();
    swept.sort();
    assert_eq!(swept, [10, 11]);
    assert!(!db::presence::elsewhere(p, 10, 4_000).await.unwrap());
    let listed = db::presence::list(p, 4_000).await.unwrap();
    assert_eq!(
        listed.iter().map(|v| v.visitor_id).collect::<Vec<_>>(),
        [12]
    );
    db::presence::leave(p, 1).await.unwrap();
    assert!(db::presence::list(p, 0).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_visitor_rows_on_sqlite() {
    live_visitor_rows(sqlite("presence").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_visitor_rows_on_postgres() {
    live_visitor_rows(postgres().await).await;
}
