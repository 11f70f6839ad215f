//! The policy through the real server, with no LLM configured: confirmation resolves, frustration
//! and out-of-scope questions hand over, and out-of-scope questions are recorded as gaps.

use crate::common::*;
use liaison_protocol::{ConversationStatus, Sender};

fn ai_messages(n: usize) -> impl Fn(&liaison_protocol::widget_api::ConversationResponse) -> bool {
    move |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.iter().filter(|m| m.sender == Sender::Ai).count() >= n)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thanks_after_an_answer_resolves() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "a-1", "Do you ship to Canada?").await;
    let view = wait_for(&app, &token, ai_messages(1)).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.citations[0].title, "Shipping and delivery");
    assert_eq!(
        answer.citations[0].url.as_deref(),
        Some("/help/shipping-and-delivery")
    );

    send(&app, &token, "a-2", "Thanks, that helps!").await;
    let view = wait_for_status(&app, &token, ConversationStatus::Resolved).await;
    let last = view.conversation.unwrap().messages.last().unwrap().clone();
    assert_eq!(last.sender, Sender::Ai);
    assert!(last.body.contains("resolved"), "{}", last.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_scope_hands_over_and_records_a_gap() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "g-1", "Do you sell gift cards for weddings?").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let c = view.conversation.unwrap();
    assert!(c.messages.last().unwrap().body.contains("couldn't find"));
    let gaps = liaison::server::db::gaps::open(&app.server.db.read, 10)
        .await
        .unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].question, "Do you sell gift cards for weddings?");
    assert_eq!(gaps[0].conversation_id, c.id);
    assert_eq!(gaps[0].reason, "out_of_scope");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_a_human_in_spanish_is_answered_in_spanish() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "s-1", "¿Puedo hablar con una persona?").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let c = view.conversation.unwrap();
    assert!(c.messages.last().unwrap().body.starts_with("Por supuesto"));
    // Asking for a human is not a knowledge gap.
    let gaps = liaison::server::db::gaps::open(&app.server.db.read, 10)
        .await
        .unwrap();
    assert!(gaps.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_the_same_question_again_hands_over() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "r-1", "How do I reset my password?").await;
    wait_for(&app, &token, ai_messages(1)).await;
    send(&app, &token, "r-2", "how do I reset my password??").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    assert!(
        view.conversation
            .unwrap()
            .messages
            .last()
            .unwrap()
            .body
            .contains("frustrating")
    );
    let gaps = liaison::server::db::gaps::open(&app.server.db.read, 10)
        .await
        .unwrap();
    assert_eq!(gaps[0].reason, "no_good_answer");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thanks_ask_for_nothing_and_are_never_handed_over() {
    let app = spawn().await;
    let token = visitor(&app).await;
    // Nothing answered yet: thanks alone asks nothing, so nothing is looked up or handed over.
    send(&app, &token, "t-1", "Merci d'avance !").await;
    let view = wait_for(&app, &token, ai_messages(1)).await;
    let c = view.conversation.unwrap();
    assert_eq!(c.status, ConversationStatus::Open);
    assert!(
        c.messages[1].body.starts_with("Avec plaisir"),
        "{}",
        c.messages[1].body
    );

    send(&app, &token, "t-2", "Do you ship to Canada?").await;
    wait_for(&app, &token, ai_messages(2)).await;
    send(&app, &token, "t-3", "Obrigado, funcionou!").await;
    let view = wait_for_status(&app, &token, ConversationStatus::Resolved).await;
    let last = view.conversation.unwrap().messages.last().unwrap().clone();
    assert!(last.body.starts_with("Que bom"), "{}", last.body);
    let gaps = liaison::server::db::gaps::open(&app.server.db.read, 10)
        .await
        .unwrap();
    assert!(gaps.is_empty(), "{gaps:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_no_particular_language_is_answered_in_the_widgets() {
    let app = spawn().await;
    let r = session(&app, serde_json::json!({"metadata": {"language": "fr"}})).await;
    let token = r["token"].as_str().unwrap().to_string();
    send(&app, &token, "l-1", "agent").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let last = view.conversation.unwrap().messages.last().unwrap().clone();
    assert!(last.body.starts_with("Bien sûr"), "{}", last.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_hears_the_ai_typing_before_its_answer() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "w-0", "Hi!").await;
    wait_for(&app, &token, ai_messages(1)).await;
    let mut stream = widget_stream(&app, &token).await;
    send(&app, &token, "w-1", "Do you ship to Canada?").await;
    let mut typing_seen = false;
    loop {
        let frame = stream
            .next_frame(std::time::Duration::from_secs(10))
            .await
            .expect("the stream goes on");
        match frame.event.as_deref() {
            Some("typing") => {
                assert_eq!(frame.data["sender"], "ai");
                assert_eq!(frame.id, None, "typing is live-only");
                typing_seen = true;
            }
            _ if frame.data["type"] == "message_created"
                && frame.data["message"]["sender"] == "ai" =>
            {
                break;
            }
            _ => {}
        }
    }
    assert!(typing_seen, "the typing event comes before the answer");
    app.stop().await;
}
