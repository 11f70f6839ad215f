//! The one writer: a transaction dropped without commit leaves nothing behind and holds no lock,
//! and a transaction's events are stored and published in order, each conversation followed by
//! its `conversation_updated` row.

use liaison::server::db::{self, Db, events};
use liaison::server::realtime::{Bus, Scope};
use liaison_protocol::widget_api::VisitorMetadata;
use liaison_protocol::{Channel, ConversationStatus, Event};
use std::time::Duration;

async fn open(name: &str) -> Db {
    let dir = std::env::temp_dir().join(format!("liaison-writer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Db::open(&dir.join("liaison.db"), Bus::default())
        .await
        .unwrap()
}

async fn visitors(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM visitors")
        .fetch_one(db.read.sqlite().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_transaction_rolls_back_at_once() {
    let db = open("drop").await;
    let mut tx = db.write().await.unwrap();
    db::visitors::insert(tx.conn(), "dropped", &VisitorMetadata::default())
        .await
        .unwrap();
    drop(tx);
    assert_eq!(visitors(&db).await, 0);
    // Other connections write too (the session store): the dropped transaction's lock is gone
    // long before SQLite's 10-second busy timeout.
    tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("CREATE TABLE other_writer (x INTEGER)").execute(db.read.sqlite().unwrap()),
    )
    .await
    .expect("the dropped transaction still holds the write lock")
    .unwrap();
    // And the next writer starts clean.
    let mut tx = db.write().await.unwrap();
    db::visitors::insert(tx.conn(), "kept", &VisitorMetadata::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(visitors(&db).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_stored_and_published_in_order() {
    let db = open("order").await;
    let mut bus = db.bus().subscribe(Scope::Dashboard);
    let mut tx = db.write().await.unwrap();
    let visitor = db::visitors::insert(tx.conn(), "v", &VisitorMetadata::default())
        .await
        .unwrap();
    let mut conversations = Vec::new();
    for _ in 0..3 {
        let id = db::conversations::insert(tx.conn(), visitor, Channel::Widget)
            .await
            .unwrap();
        tx.emit(
            Event::ConversationCreated {
                conversation_id: id,
            },
            Some(visitor),
        );
        conversations.push(id);
    }
    tx.emit(
        Event::StatusChanged {
            conversation_id: conversations[0],
            status: ConversationStatus::NeedsAgent,
        },
        Some(visitor),
    );
    tx.commit().await.unwrap();

    let mut published = Vec::new();
    for _ in 0..7 {
        published.push(bus.recv().await.unwrap());
    }
    let ids: Vec<i64> = published.iter().map(|e| e.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids out of order: {ids:?}"
    );
    let kinds: Vec<&str> = published.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        [
            "conversation_created",
            "conversation_created",
            "conversation_created",
            "status_changed",
            "conversation_updated",
            "conversation_updated",
            "conversation_updated",
        ]
    );
    // One update per conversation, in the order they were first touched, with the counts as
    // committed.
    for (event, id) in published[4..].iter().zip(&conversations) {
        let Event::ConversationUpdated {
            conversation,
            counts,
        } = &event.event
        else {
            unreachable!()
        };
        assert_eq!(conversation.id, *id);
        assert_eq!(counts.widget.open, 3);
    }
    // Stored as published: a stream replaying from the table sees the same ids and payloads.
    let stored = events::after(&db.read, Scope::Dashboard, 0, 100)
        .await
        .unwrap();
    assert_eq!(stored.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
    for (s, p) in stored.iter().zip(&published) {
        assert_eq!(s.event, p.event);
    }
}

/// Sends queued together are written together; each is answered with its own result, a retry
/// is stored once, and a send that fails does not take the others with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_sends_commit_together_and_fail_alone() {
    use liaison::server::conversations::{Batcher, SendQueue, Sent, VisitorSend};
    use std::sync::{Arc, Mutex};
    let db = open("sends").await;
    let mut visitors = Vec::new();
    let mut tx = db.write().await.unwrap();
    for i in 0..20 {
        visitors.push(
            db::visitors::insert(tx.conn(), &format!("v{i}"), &VisitorMetadata::default())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let answered: Arc<Mutex<Vec<i64>>> = Arc::default();
    let queue = {
        let answered = answered.clone();
        let queue: SendQueue = Batcher::start(
            db.clone(),
            Arc::new(move |_: &VisitorSend, s: &Sent| {
                if s.is_new {
                    answered.lock().unwrap().push(s.message.id)
                }
            }),
        );
        queue
    };
    let mut bus = db.bus().subscribe(Scope::Dashboard);
    // 200 sends at once, every tenth one a retry of the one before; one from a visitor that
    // does not exist (its conversation breaks a foreign key).
    let sends = (0..200).map(|i| {
        let queue = queue.clone();
        let id = if i % 10 == 9 { i - 1 } else { i };
        let visitor = if i == 77 { 999_999 } else { visitors[id % 20] };
        async move {
            let send = VisitorSend::new(visitor, &format!("c-{id}"), &format!("message {i}"));
            (i, queue.run(send.unwrap()).await)
        }
    });
    let results = futures::future::join_all(sends).await;
    let mut stored = 0;
    for (i, result) in &results {
        match result {
            Err(e) => assert_eq!(*i, 77, "send {i} failed: {e}"),
            Ok(sent) => {
                assert_ne!(*i, 77, "a send from no visitor was stored");
                stored += usize::from(sent.is_new);
            }
        }
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(db.read.sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(rows as usize, stored);
    // 200 sends, less the failed one, less the 20 retries.
    assert_eq!(stored, 179);
    for (i, result) in &results {
        if i % 10 == 9 {
            let (retry, original) = (result.as_ref().unwrap(), results[i - 1].1.as_ref().unwrap());
            assert_eq!(retry.message.id, original.message.id);
            assert_ne!(retry.is_new, original.is_new);
        }
    }
    assert_eq!(answered.lock().unwrap().len(), stored);
    // Each stored message was published once, in id order.
    let mut seen = Vec::new();
    while seen.len() < stored {
        let e = bus.recv().await.unwrap();
        if let Event::MessageCreated { message } = &e.event {
            seen.push((e.id, message.id));
        }
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    let mut ids: Vec<i64> = seen.iter().map(|s| s.1).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), stored);
    // And an empty body is refused before it queues, with the reason.
    let e = VisitorSend::new(visitors[0], "c-empty", "   ")
        .err()
        .unwrap();
    assert!(!e.to_string().is_empty());
}

/// Commits never checkpoint (no writer waits for the log to be synced into the database); the
/// background checkpoint copies the whole log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_run_apart_from_commits() {
    let db = open("wal").await;
    let mut tx = db.write().await.unwrap();
    let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(tx.conn().sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(auto, 0, "commits would checkpoint");
    drop(tx);
    for i in 0..50 {
        let mut tx = db.write().await.unwrap();
        db::visitors::insert(tx.conn(), &format!("v{i}"), &VisitorMetadata::default())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    // The background task checkpoints every 100 ms too; when both run at once, SQLite answers
    // the second "busy" (-1 for both counts), so ask again.
    let mut counts = (-1, -1);
    for _ in 0..100 {
        counts = db::wal::checkpoint(db.read.sqlite().unwrap())
            .await
            .unwrap();
        if counts.0 != -1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (log, copied) = counts;
    assert!(log > 0, "{counts:?}");
    assert_eq!(copied, log);
}

/// Under writes that never pause, the log still starts over: it stays near
/// `wal::RESTART_AFTER` pages instead of growing with everything written (a passive checkpoint
/// alone never catches up with a writer that commits all the time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_starts_over_under_steady_writes() {
    let dir = std::env::temp_dir().join(format!("liaison-writer-steady-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&dir.join("liaison.db"), Bus::default())
        .await
        .unwrap();
    let log_file = dir.join("liaison.db-wal");
    let mut tx = db.write().await.unwrap();
    sqlx::query("CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        .execute(tx.conn().sqlite().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Six times the limit, in commits of two pages each, back to back.
    let page = 4096i64;
    let written_goal = 6 * db::wal::RESTART_AFTER * page;
    let mut written = 0i64;
    let mut largest = 0u64;
    while written < written_goal {
        let mut tx = db.write().await.unwrap();
        sqlx::query("INSERT INTO filler (data) VALUES (zeroblob(?))")
            .bind(2 * page)
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
        sqlx::query("DELETE FROM filler WHERE id < (SELECT MAX(id) FROM filler) - 100")
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        written += 2 * page;
        largest = largest.max(std::fs::metadata(&log_file).map(|m| m.len()).unwrap_or(0));
    }
    let limit = (db::wal::RESTART_AFTER * page) as u64;
    assert!(
        largest < 3 * limit,
        "the log grew to {largest} bytes while {written} were written (limit {limit})"
    );
}
