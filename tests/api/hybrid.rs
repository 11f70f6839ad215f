//! Hybrid retrieval with an embeddings endpoint: every chunk gets an embedding in the
//! background, questions are embedded, and answers still cite the right source.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_are_embedded_and_questions_search_by_meaning_too() {
    let llm = FakeLlm::start().await;
    let env = llm.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("LIAISON_EMBEDDINGS_MODEL", "fake-embed"));
    let app = spawn_with(&vars).await;
    // The demo articles' chunks get embeddings from the processor.
    let pool = &app.server.db.read;
    let mut missing = usize::MAX;
    for _ in 0..100 {
        missing = liaison::server::db::kb::unembedded(pool, 1000)
            .await
            .unwrap()
            .len();
        if missing == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(missing, 0, "every chunk is embedded");
    let embeddings = liaison::server::db::kb::embeddings(pool).await.unwrap();
    assert_eq!(embeddings[0].1.len() / 4, 64);

    llm.push(Reply::Text(vec![
        "Express delivery takes 1 to 2 working days [1].",
    ]));
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "How fast is express delivery?").await;
    let view = wait_for_messages(&app, &token, 2).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.citations[0].title, "Shipping and delivery");
    // The model was given the passage found by both BM25 and similarity.
    let system = llm.requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        system.contains("express delivery takes 1 to 2 working days"),
        "{system}"
    );
    app.stop().await;
}
