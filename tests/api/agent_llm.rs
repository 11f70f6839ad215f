//! The AI agent with an LLM configured, against a local OpenAI-compatible server: the real
//! async-openai client streams answers to the widget, calls tools, and falls back to the built-in
//! answer when the upstream fails, stalls or sends a broken tool call.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use liaison_protocol::widget_api::ConversationResponse;
use liaison_protocol::{ConversationStatus, Sender};
use std::time::Duration;

async fn app_with(llm: &FakeLlm, extra: &[(&str, &str)]) -> TestApp {
    let env = llm.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    spawn_with(&vars).await
}

fn ai_replied(c: &ConversationResponse) -> bool {
    c.conversation
        .as_ref()
        .is_some_and(|c| c.messages.iter().any(|m| m.sender == Sender::Ai))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_streams_to_the_widget_and_cites_its_source() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Text(vec!["Yes, we ", "ship to ", "Canada [1]."]));
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    // Start the conversation first so the stream has something to follow.
    let mut stream = widget_stream(&app, &token).await;
    send(&app, &token, "m-1", "Do you ship to Canada?").await;

    let mut pieces = String::new();
    let final_message = loop {
        let frame = stream
            .next_frame(Duration::from_secs(10))
            .await
            .expect("the stream goes on");
        match frame.event.as_deref() {
            Some("ai_delta") => {
                assert_eq!(frame.id, None, "deltas are live-only");
                pieces.push_str(frame.data["text"].as_str().unwrap());
            }
            _ if frame.data["type"] == "message_created"
                && frame.data["message"]["sender"] == "ai" =>
            {
                break frame.data["message"].clone();
            }
            _ => {}
        }
    };
    assert_eq!(pieces, "Yes, we ship to Canada [1].");
    assert_eq!(final_message["body"], "Yes, we ship to Canada.");
    assert_eq!(
        final_message["citations"][0]["title"],
        "Shipping and delivery"
    );
    assert_eq!(
        final_message["citations"][0]["url"],
        "/help/shipping-and-delivery"
    );

    // The model got the rules, the passages and the question, with the tools.
    let request = &llm.requests()[0];
    assert_eq!(request["model"], "fake-model");
    assert_eq!(request["stream"], true);
    let system = request["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("[1] Shipping and delivery"), "{system}");
    assert_eq!(request["messages"][1]["content"], "Do you ship to Canada?");
    let tools: Vec<&str> = request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "escalate_to_human",
            "resolve_conversation",
            "search_knowledge_base"
        ]
    );

    // Tokens and the estimated cost were recorded for this conversation:
    // 120 in at $2/M + 30 out at $10/M = 540 millionths of a dollar.
    let conversation_id = final_message["conversation_id"].as_i64().unwrap();
    let usage = liaison::server::db::usage::per_conversation(&app.server.db.read, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.key == conversation_id.to_string())
        .expect("usage for the conversation");
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.cost_micro_usd
        ),
        (120, 30, 540)
    );

    // Replayed later, only the stored message comes back (no deltas).
    let stored = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(stored.messages.len(), 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_searches_then_answers_citing_what_it_found() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Tool {
        name: "search_knowledge_base",
        args: vec!["{\"query\": ", "\"refund policy\"}"],
    });
    llm.push(Reply::Text(vec![
        "Refunds are possible within 30 days [2].",
    ]));
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    send(
        &app,
        &token,
        "m-1",
        "Do you ship to Canada, and can I get a refund?",
    )
    .await;
    let view = wait_for(&app, &token, ai_replied).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.body, "Refunds are possible within 30 days.");
    let second = &llm.requests()[1];
    let messages = second["messages"].as_array().unwrap();
    let tool_result = messages.iter().find(|m| m["role"] == "tool").unwrap();
    assert_eq!(tool_result["tool_call_id"], "call_1");
    assert!(
        tool_result["content"]
            .as_str()
            .unwrap()
            .contains("Refund policy")
    );
    let cited: Vec<&str> = answer.citations.iter().map(|c| c.title.as_str()).collect();
    assert!(cited.contains(&"Billing and refunds"), "{cited:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_hands_over_and_the_gap_is_recorded() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Tool {
        name: "escalate_to_human",
        args: vec!["{\"reason\": \"out_of_scope\"}"],
    });
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    send(
        &app,
        &token,
        "m-1",
        "Can I change the delivery address after shipping?",
    )
    .await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let last = view.conversation.unwrap().messages.last().unwrap().clone();
    assert!(last.body.contains("couldn't find"), "{}", last.body);
    let gaps = liaison::server::db::gaps::open(&app.server.db.read, 5)
        .await
        .unwrap();
    assert_eq!(
        gaps[0].question,
        "Can I change the delivery address after shipping?"
    );
    app.stop().await;
}

/// The upstream fails in each of these ways (`replies` in a row); the visitor still gets the best
/// passage.
async fn falls_back(replies: &[Reply], extra: &[(&str, &str)]) {
    let llm = FakeLlm::start().await;
    for reply in replies {
        llm.push(reply.clone());
    }
    let app = app_with(&llm, extra).await;
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "How do I reset my password?").await;
    let view = wait_for(&app, &token, ai_replied).await;
    let c = view.conversation.unwrap();
    let answer = &c.messages[1];
    assert!(answer.body.contains("Forgot password"), "{}", answer.body);
    assert_eq!(answer.citations[0].title, "Account and password help");
    assert_eq!(c.status, ConversationStatus::Open);
    assert_eq!(llm.requests().len(), replies.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_error_falls_back_to_the_builtin_answer() {
    // async-openai retries server errors three times (100-400 ms apart) before giving up.
    let error = Reply::Status(500, "model overloaded");
    falls_back(&[error.clone(), error.clone(), error.clone(), error], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_error_is_not_retried() {
    falls_back(&[Reply::Status(400, "model not found")], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_falls_back_after_the_timeout() {
    falls_back(
        &[Reply::Stall(vec!["To reset"])],
        &[("LIAISON_LLM_TIMEOUT_SECS", "1")],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_tool_call_falls_back() {
    falls_back(
        &[Reply::Tool {
            name: "search_knowledge_base",
            args: vec!["{\"query\": "],
        }],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_chunk_falls_back() {
    falls_back(&[Reply::Garbage], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_falls_back() {
    // Nothing listens on port 9 (discard) on a test machine: connection refused.
    let app = spawn_with(&[
        ("LIAISON_LLM_BASE_URL", "http://127.0.0.1:9/v1"),
        ("LIAISON_LLM_MODEL", "m"),
    ])
    .await;
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "How do I reset my password?").await;
    let view = wait_for(&app, &token, ai_replied).await;
    assert!(
        view.conversation.unwrap().messages[1]
            .body
            .contains("Forgot password")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_decides_before_the_model_is_asked() {
    let llm = FakeLlm::start().await;
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    send(
        &app,
        &token,
        "m-1",
        "Ich möchte mit einem Menschen sprechen",
    )
    .await;
    wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    // While a human is requested, the AI stays silent: no model call for the next message.
    send(&app, &token, "m-2", "How do I reset my password?").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(llm.requests().is_empty(), "{:?}", llm.requests());
    let c = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(c.messages.len(), 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_in_spanish_finds_the_english_article_and_is_answered_in_spanish() {
    let llm = FakeLlm::start().await;
    // First the translation (one completion), then the answer (streamed).
    llm.push(Reply::Text(vec!["How long does delivery take?"]));
    llm.push(Reply::Text(vec!["La entrega tarda ", "de 3 a 5 días [1]."]));
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    let question = "¿Cuánto tarda la entrega de mi pedido?";
    send(&app, &token, "t-1", question).await;
    let view = wait_for(&app, &token, ai_replied).await;
    let c = view.conversation.unwrap();
    let answer = c.messages.last().unwrap();
    assert_eq!(answer.body, "La entrega tarda de 3 a 5 días.");
    assert_eq!(answer.citations[0].title, "Shipping and delivery");
    assert_ne!(c.status, ConversationStatus::NeedsAgent);

    let requests = llm.requests();
    let translate = &requests[0];
    assert_eq!(translate["stream"], false);
    let system = translate["messages"][0]["content"].as_str().unwrap();
    assert!(system.starts_with("Translate"), "{system}");
    assert_eq!(translate["messages"][1]["content"], question);
    // The model answers the visitor's own words, from the passage the translation found.
    let answering = &requests[1];
    assert!(
        answering["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("[1] Shipping and delivery")
    );
    assert_eq!(answering["messages"][1]["content"], question);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_with_a_figure_its_source_does_not_give_is_replaced_by_the_source() {
    let llm = FakeLlm::start().await;
    // The passage says 3 to 5 working days; the model says 7 to 10, citing it.
    llm.push(Reply::Text(vec![
        "Standard delivery takes ",
        "7 to 10 working days [1].",
    ]));
    let app = app_with(&llm, &[]).await;
    let token = visitor(&app).await;
    send(&app, &token, "g-1", "How long does standard delivery take?").await;
    let view = wait_for(&app, &token, ai_replied).await;
    let answer = view.conversation.unwrap().messages.last().unwrap().clone();
    assert!(!answer.body.contains("7 to 10"), "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Standard delivery takes 3 to 5 working days"),
        "{}",
        answer.body
    );
    assert_eq!(answer.citations[0].title, "Shipping and delivery");
    let replaced = liaison::server::db::usage::events(&app.server.db.read, "ungrounded")
        .await
        .unwrap();
    assert_eq!(replaced, 1);

    // A grounded answer is kept as written.
    llm.push(Reply::Text(vec![
        "Express delivery takes 1 to 2 working days [1].",
    ]));
    send(&app, &token, "g-2", "And express delivery?").await;
    let view = wait_for(&app, &token, |c: &ConversationResponse| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() >= 4)
    })
    .await;
    let answer = view.conversation.unwrap().messages.last().unwrap().clone();
    assert_eq!(answer.body, "Express delivery takes 1 to 2 working days.");
    assert_eq!(
        liaison::server::db::usage::events(&app.server.db.read, "ungrounded")
            .await
            .unwrap(),
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_ai_budget_the_ai_hands_over_without_calling_the_model() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Text(vec!["We ship to Canada [1]."]));
    let app = app_with(&llm, &[]).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    // A bad amount is refused with its reason, and nothing is saved.
    let refused = daily_tokens(&owner, &app, "lots").await;
    assert!(refused.status().is_client_error());
    assert!(refused.text().await.unwrap().contains("Daily tokens"));
    // One answer costs 150 tokens (the fake model's usage): a budget of 100 allows one call.
    let saved = daily_tokens(&owner, &app, "100").await;
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap()
    );

    let token = visitor(&app).await;
    send(&app, &token, "b-1", "Do you ship to Canada?").await;
    wait_for(&app, &token, ai_replied).await;
    assert_eq!(llm.requests().len(), 1);

    let other = visitor(&app).await;
    send(&app, &other, "b-2", "How long does express delivery take?").await;
    handed_over_for_the_budget(&app, &other).await;
    assert_eq!(llm.requests().len(), 1, "no call past the budget");
    app.stop().await;
}

/// The visitor was handed over because the budget was spent: one skipped call recorded, and
/// the day's rollup (what the budget read) holds the one call made, 150 tokens.
async fn handed_over_for_the_budget(app: &TestApp, token: &str) {
    let view = wait_for_status(app, token, ConversationStatus::NeedsAgent).await;
    let last = view.conversation.unwrap().messages.last().unwrap().clone();
    assert!(last.body.contains("a member of our team"), "{}", last.body);
    let db = &app.server.db.read;
    assert_eq!(
        liaison::server::db::usage::events(db, "over_budget")
            .await
            .unwrap(),
        1
    );
    let today = liaison::server::db::usage::day_of(liaison::server::now_ms());
    assert_eq!(
        liaison::server::db::usage::day_totals(db, &today)
            .await
            .unwrap()
            .0,
        150
    );
}

/// Settings → AI budget: at most `tokens` a day.
async fn daily_tokens(owner: &reqwest::Client, app: &TestApp, tokens: &str) -> reqwest::Response {
    use liaison::app::settings::ai_budget::SaveAiBudget;
    call::<SaveAiBudget>(
        owner,
        app,
        &[
            ("daily_tokens", tokens),
            ("daily_cost_usd", ""),
            ("conversation_tokens", ""),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_is_read_before_every_call_of_a_turn_the_search_rounds_too() {
    let llm = FakeLlm::start().await;
    // The model searches first (150 tokens), then would answer: the second call is past a
    // budget of 100 tokens, so it is never made.
    llm.push(Reply::Tool {
        name: "search_knowledge_base",
        args: vec!["{\"query\": \"refund policy\"}"],
    });
    llm.push(Reply::Text(vec![
        "Refunds are possible within 30 days [2].",
    ]));
    let app = app_with(&llm, &[]).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let saved = daily_tokens(&owner, &app, "100").await;
    assert!(saved.status().is_success());
    let token = visitor(&app).await;
    send(&app, &token, "s-1", "Can I get a refund for my order?").await;
    handed_over_for_the_budget(&app, &token).await;
    // The first call was recorded as it ended, before the second was weighed.
    assert_eq!(llm.requests().len(), 1, "a call was made past the budget");
    app.stop().await;
}
