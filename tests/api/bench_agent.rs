//! Figures for `cargo xtask bench` (ignored by `cargo test`; it prints, it never asserts times):
//! the agent's own overhead from the upstream's first token to the widget's first token, and
//! retrieval latency over 10,000 chunks.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use liaison::server::ai::retrieval;
use liaison::server::kb::chunk::chunk_markdown;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_first_token_overhead() {
    let llm = FakeLlm::start().await;
    let env = llm.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(&vars).await;
    // Swept over the gap between upstream tokens: an overhead that grows with the gap means the
    // first token waits for the second (buffering, Nagle), which a single gap would hide.
    println!("\nAgent overhead (local OpenAI-compatible server, SSE to a widget client)");
    let mut round = 0;
    for gap_ms in [5u64, 20, 50] {
        let mut overhead = Vec::new();
        for _ in 0..100 {
            llm.push(Reply::Slow(
                vec!["Yes, ", "we ship ", "to Canada [1]."],
                Duration::from_millis(gap_ms),
            ));
            let token = visitor(&app).await;
            let response = client()
                .get(app.url("/api/widget/v1/stream"))
                .bearer_auth(&token)
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .unwrap();
            let mut stream = SseReader::new(response);
            send(&app, &token, "m-1", "Do you ship to Canada?").await;
            let seen = loop {
                let frame = stream
                    .next_frame(Duration::from_secs(10))
                    .await
                    .expect("a delta arrives");
                if frame.event.as_deref() == Some("ai_delta") {
                    break Instant::now();
                }
            };
            let sent = llm.first_tokens_sent()[round];
            round += 1;
            overhead.push(seen.duration_since(sent).as_secs_f64() * 1000.0);
        }
        report(
            &format!("upstream first token -> widget first token, {gap_ms} ms gap"),
            overhead,
            0.99,
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_retrieval_over_10000_chunks() {
    let app = spawn().await;
    let db = &app.server.db;
    // 1,000 articles of 10 passages: 10,000 chunks with a varied vocabulary.
    let words = [
        "order",
        "invoice",
        "delivery",
        "refund",
        "account",
        "password",
        "shipping",
        "warranty",
        "kettle",
        "toaster",
        "battery",
        "charger",
        "subscription",
        "discount",
        "voucher",
        "store",
        "opening",
        "return",
        "exchange",
        "size",
        "colour",
        "payment",
        "card",
        "bank",
        "transfer",
        "tracking",
        "parcel",
        "courier",
        "customs",
        "address",
        "email",
        "phone",
        "support",
        "manual",
        "repair",
        "spare",
        "part",
        "cable",
        "screen",
        "keyboard",
    ];
    let mut tx = db.write().await.unwrap();
    for a in 0..1000usize {
        let mut body = String::new();
        for p in 0..10usize {
            let w = |k: usize| words[(a * 7 + p * 13 + k * 17) % words.len()];
            body.push_str(&format!(
                "## Topic {a}-{p}\n\nThe {} and the {} of your {} depend on the {} you chose; article {a} passage {p}.\n\n",
                w(0), w(1), w(2), w(3)
            ));
        }
        let title = format!("Synthetic article {a}");
        let chunks = chunk_markdown(&title, &body);
        liaison::server::db::kb::insert_article(
            tx.conn(),
            &title,
            &format!("synthetic-{a}"),
            &body,
            true,
            &chunks,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let chunks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kb_chunks")
        .fetch_one(db.read.sqlite().unwrap())
        .await
        .unwrap();
    let questions = [
        "How long does a refund to my bank card take?",
        "Where is my parcel? The tracking says customs.",
        "Can I exchange the size of my order?",
        "My kettle warranty and repair options",
        "Do you sell gift cards for weddings?",
    ];
    let mut bm25 = Vec::new();
    for i in 0..200 {
        let q = questions[i % questions.len()];
        let start = Instant::now();
        let found = retrieval::relevant_passages(&db.read, q, 4).await.unwrap();
        bm25.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(found);
    }
    // Embeddings for every chunk (256 dimensions, deterministic), then vector search.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM kb_chunks")
        .fetch_all(db.read.sqlite().unwrap())
        .await
        .unwrap();
    let vector = |seed: i64| -> Vec<f32> {
        (0..256)
            .map(|d| (((seed * 31 + d * 17) % 97) as f32 / 97.0) - 0.5)
            .collect()
    };
    let mut tx = db.write().await.unwrap();
    for id in &ids {
        liaison::server::db::kb::set_embedding(tx.conn(), *id, &vector(*id))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let _ = db.vectors.nearest(&db.read, &vector(1), 20).await.unwrap(); // load the cache
    let mut hybrid = Vec::new();
    for i in 0..200 {
        let q = questions[i % questions.len()];
        let embedding = vector(i as i64 * 7919);
        let start = Instant::now();
        let found = retrieval::hybrid_passages(db, q, Some(&embedding), 4)
            .await
            .unwrap();
        hybrid.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(found);
    }
    println!("\nRetrieval over {chunks} chunks (SQLite FTS5, this machine)");
    report("BM25 (FTS5 candidates + term coverage)", bm25, 0.99);
    report(
        "hybrid (BM25 + cosine over 256-d vectors, fused)",
        hybrid,
        0.99,
    );
    app.stop().await;
}
