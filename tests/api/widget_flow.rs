//! A visitor's conversation through the widget API, against the real server.

use crate::common::*;
use liaison_protocol::{ConversationStatus, Sender};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_gets_an_answer_with_its_source_then_asks_for_a_human() {
    let app = spawn().await;
    let token = visitor(&app).await;

    let empty = conversation(&app, &token).await;
    assert!(empty.conversation.is_none());

    let r = send(&app, &token, "m-1", "How do I reset my password?").await;
    assert_eq!(r.status(), 200);
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() >= 2)
    })
    .await;
    let conversation_view = view.conversation.unwrap();
    assert_eq!(conversation_view.status, ConversationStatus::Open);
    let answer = &conversation_view.messages[1];
    assert_eq!(answer.sender, Sender::Ai);
    assert!(answer.body.contains("Forgot password"), "{}", answer.body);
    assert_eq!(answer.citations[0].title, "Account and password help");

    // A retried send returns the original message and stores nothing new.
    let first: serde_json::Value = send(&app, &token, "m-1", "How do I reset my password?")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        first["message"]["id"],
        serde_json::json!(conversation_view.messages[0].id)
    );
    let again = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(again.messages.len(), 2);

    // Asking for a human escalates, and the AI says a human will join.
    send(&app, &token, "m-2", "Can I talk to a human please?").await;
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.status == ConversationStatus::NeedsAgent)
    })
    .await;
    let messages = view.conversation.unwrap().messages;
    let last = messages.last().unwrap();
    assert_eq!(last.sender, Sender::Ai);
    assert!(last.body.contains("human"), "{}", last.body);

    // The AI stays silent while a human is requested.
    send(&app, &token, "m-3", "How do I reset my password?").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let after = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(after.messages.len(), messages.len() + 1);
    assert_eq!(after.messages.last().unwrap().sender, Sender::Customer);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_outside_the_knowledge_base_escalates() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(
        &app,
        &token,
        "q-1",
        "Can your robots paint my garage purple?",
    )
    .await;
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.status == ConversationStatus::NeedsAgent)
    })
    .await;
    let last = view.conversation.unwrap().messages.pop().unwrap();
    assert!(last.body.contains("couldn't find"), "{}", last.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn().await;
    let token = visitor(&app).await;

    let r = send(&app, &token, "x-1", "   ").await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "The message is empty.");

    let r = send(&app, &token, "not ok!", "hello").await;
    assert_eq!(r.status(), 400);

    let r = client()
        .post(app.url("/api/widget/v1/messages"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = send(&app, "no-such-token", "x-2", "hello").await;
    assert_eq!(r.status(), 401);

    assert!(conversation(&app, &token).await.conversation.is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visitor_keeps_its_identity_and_metadata_is_recorded() {
    let app = spawn().await;
    let token = visitor(&app).await;
    let again = session(
        &app,
        serde_json::json!({"token": token, "metadata": {"page": "https://shop.example/checkout"}}),
    )
    .await;
    assert_eq!(again["token"], serde_json::json!(token));
    let id = again["visitor_id"].as_i64().unwrap();
    let v = liaison::server::db::visitors::find(&app.server.db.read, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.page.as_deref(), Some("https://shop.example/checkout"));
    assert_eq!(v.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(v.referrer.as_deref(), Some("https://search.example/"));
    assert_eq!(v.browser.as_deref(), Some("Firefox 128"));

    // An unknown token gets a new visitor, not an error.
    let fresh = session(&app, serde_json::json!({"token": "forgotten"})).await;
    assert_ne!(fresh["visitor_id"].as_i64().unwrap(), id);

    // CORS: customers' sites call this API from their own origins.
    let r = client()
        .request(reqwest::Method::OPTIONS, app.url("/api/widget/v1/messages"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    // Any site while Settings → Widget security lists none; the answer names the asking site.
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_config_brings_the_look_and_the_visitors_language() {
    use liaison::app::settings::widget_look::SaveWidgetLook;
    use liaison_protocol::widget_texts::{COUNT, Text};
    let app = spawn().await;
    let get = |query: &'static str| {
        let url = app.url(&format!("/api/widget/v1/config{query}"));
        async move {
            let r = client().get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(
                r.headers()["cache-control"].to_str().unwrap(),
                "public, max-age=60"
            );
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let fr = get("?lang=fr").await;
    assert_eq!(fr["lang"], "fr");
    let texts = fr["texts"].as_array().unwrap();
    assert_eq!(texts.len(), COUNT);
    assert_eq!(texts[Text::Send as usize], "Envoyer");
    assert_eq!(fr["look"]["colour"], "#4f46e5");
    assert_eq!(fr["look"]["position"], "right");
    // A regional tag names its language; English and languages the widget does not speak get
    // the look alone (the widget keeps its built-in English).
    assert_eq!(get("?lang=pt-BR").await["lang"], "pt");
    for query in ["?lang=en", "?lang=nl", ""] {
        let c = get(query).await;
        assert_eq!(c["lang"], "en", "{query}");
        assert!(c.get("texts").is_none(), "{query}");
    }

    // The look saved in Settings is what the widget gets.
    let owner = operator(&app, OWNER_EMAIL).await;
    let saved = call::<SaveWidgetLook>(
        &owner,
        &app,
        &[
            ("colour", "#0F766E"),
            ("title", "Acme help"),
            ("greeting", "Hello from Acme!"),
            ("position", "left"),
        ],
    )
    .await;
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap()
    );
    let c = get("").await;
    assert_eq!(c["look"]["colour"], "#0f766e");
    assert_eq!(c["look"]["title"], "Acme help");
    assert_eq!(c["look"]["greeting"], "Hello from Acme!");
    assert_eq!(c["look"]["position"], "left");
    // A bad colour is refused with the reason, and nothing changes.
    let refused = call::<SaveWidgetLook>(
        &owner,
        &app,
        &[
            ("colour", "teal"),
            ("title", ""),
            ("greeting", ""),
            ("position", "right"),
        ],
    )
    .await;
    assert!(refused.status().is_client_error());
    assert!(refused.text().await.unwrap().contains("#rrggbb"));
    assert_eq!(get("").await["look"]["colour"], "#0f766e");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_lists_past_conversations_and_reopens_one() {
    use liaison_protocol::widget_api::{ConversationView, PastConversations};
    let app = spawn().await;
    let token = visitor(&app).await;
    let mut ids = Vec::new();
    for (i, (question, thanks)) in [
        ("Do you ship to Canada?", "Thanks, that helps!"),
        ("How do I reset my password?", "thank you!"),
    ]
    .into_iter()
    .enumerate()
    {
        send(&app, &token, &format!("q-{i}"), question).await;
        wait_for_messages(&app, &token, 2).await;
        send(&app, &token, &format!("t-{i}"), thanks).await;
        let view = wait_for_status(&app, &token, ConversationStatus::Resolved).await;
        ids.push(view.conversation.unwrap().id);
    }
    // A message after a resolution starts a third conversation, still open.
    send(&app, &token, "q-2", "What are your opening hours?").await;
    let third = wait_for_messages(&app, &token, 2)
        .await
        .conversation
        .unwrap();
    assert!(!ids.contains(&third.id));
    ids.push(third.id);
    // An operator's internal note is never the visitor's preview.
    let mut tx = app.server.db.write().await.unwrap();
    execute(
        tx.conn(),
        "INSERT INTO messages (conversation_id, sender, body, internal, created_at)
         VALUES ($1, 'system', 'internal: refund approved by finance', TRUE, 1)",
        third.id,
    )
    .await;
    tx.commit().await.unwrap();

    let list = |query: &'static str, token: String| {
        let url = app.url(&format!("/api/widget/v1/conversations{query}"));
        async move {
            let r = client().get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<PastConversations>().await.unwrap()
        }
    };
    let page = list("", token.clone()).await;
    let listed: Vec<i64> = page.conversations.iter().map(|c| c.id).collect();
    assert_eq!(listed, [ids[2], ids[1], ids[0]], "newest first");
    assert_eq!(page.next_before, None);
    assert_eq!(page.conversations[0].status, ConversationStatus::Open);
    assert_eq!(page.conversations[1].status, ConversationStatus::Resolved);
    assert!(
        !page.conversations[0].last_message.contains("internal"),
        "{:?}",
        page.conversations[0]
    );
    assert!(
        page.conversations[2]
            .last_message
            .starts_with("Glad I could help")
    );
    let older = client()
        .get(app.url(&format!("/api/widget/v1/conversations?before={}", ids[1])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<PastConversations>()
        .await
        .unwrap();
    assert_eq!(older.conversations.len(), 1);
    assert_eq!(older.conversations[0].id, ids[0]);

    // Reopening the first: its whole thread, resolved (the widget shows it read-only).
    let first: ConversationView = client()
        .get(app.url(&format!("/api/widget/v1/conversations/{}", ids[0])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first.status, ConversationStatus::Resolved);
    assert_eq!(first.messages.len(), 4);
    assert_eq!(first.messages[0].body, "Do you ship to Canada?");

    // Another visitor sees none of it.
    let stranger = visitor(&app).await;
    assert!(list("", stranger.clone()).await.conversations.is_empty());
    let r = client()
        .get(app.url(&format!("/api/widget/v1/conversations/{}", ids[0])))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}
