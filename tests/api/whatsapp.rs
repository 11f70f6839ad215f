//! The WhatsApp webhook over HTTP: Meta's verification handshake, notifications refused
//! without side effects unless signed with the app secret over the very body, and each message
//! stored once however often Meta delivers it.

use crate::common::*;
use hmac::{Hmac, Mac};
use liaison::app::connectors::SaveWhatsapp;
use sha2::Sha256;
use std::sync::{Arc, Mutex};

const APP_SECRET: &str = "0123456789abcdef";
const VERIFY_TOKEN: &str = "liaison-verify";
const PATH: &str = liaison_protocol::whatsapp::WEBHOOK_PATH;

/// A server with WhatsApp connected in Connectors.
async fn connected() -> TestApp {
    let app = spawn().await;
    connect(&app, &[]).await;
    app
}

/// Saves the WhatsApp connection (`also`: more fields of the form) as the Owner, signed in.
async fn connect(app: &TestApp, also: &[(&str, &str)]) -> reqwest::Client {
    let owner = operator(app, OWNER_EMAIL).await;
    let mut form = vec![
        ("form[phone_number_id]", "106540352242922"),
        ("form[access_token]", "EAAG-secret-token"),
        ("form[app_secret]", APP_SECRET),
        ("form[verify_token]", VERIFY_TOKEN),
    ];
    form.extend_from_slice(also);
    let r = call::<SaveWhatsapp>(&owner, app, &form).await;
    assert_eq!(r.status(), 200);
    let view: liaison_protocol::whatsapp::WhatsappView = r.json().await.unwrap();
    assert_eq!(
        view.webhook_url,
        app.url(PATH),
        "the callback URL to give Meta"
    );
    owner
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A notification from Meta with one text message.
fn notification(wamid: &str, text: &str) -> String {
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
            "messages": [{"from": "16505551234", "id": wamid, "timestamp": "1749416383",
                          "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
}

/// POSTs `body` as Meta does (no Origin, no cookie), with `signature` if given.
async fn deliver(app: &TestApp, body: &str, signature: Option<&str>) -> u16 {
    let mut r = client()
        .post(app.url(PATH))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = signature {
        r = r.header("x-hub-signature-256", s);
    }
    r.send().await.unwrap().status().as_u16()
}

async fn stored(app: &TestApp) -> i64 {
    recount(
        app,
        "SELECT COUNT(*) FROM whatsapp_inbound WHERE id > $1",
        0,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_echoes_the_challenge_for_the_saved_token_only() {
    let app = spawn().await;
    let ask = |token: &str| {
        let url = app.url(&format!(
            "{PATH}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        ));
        async move { client().get(url).send().await.unwrap() }
    };
    // Not connected yet: nothing to verify against.
    assert_eq!(ask(VERIFY_TOKEN).await.status(), 403);
    app.stop().await;
    let app = connected().await;
    let ask = |query: String| {
        let url = app.url(&format!("{PATH}?{query}"));
        async move { client().get(url).send().await.unwrap() }
    };
    let r = ask(format!(
        "hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    ))
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1158201444");
    for refused in [
        "hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1".to_string(),
        format!("hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"),
        "hub.mode=subscribe&hub.challenge=1".to_string(),
    ] {
        assert_eq!(ask(refused.clone()).await.status(), 403, "{refused}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_notification_signed_over_its_very_body_is_stored_and_only_once() {
    let app = connected().await;
    let body = notification(
        "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU",
        "Is my order shipped?",
    );
    // Missing, wrong, or over another body: 401, nothing stored.
    assert_eq!(deliver(&app, &body, None).await, 401);
    assert_eq!(
        deliver(&app, &body, Some(&sign("another-secret", &body))).await,
        401
    );
    let modified = body.replace("shipped", "lost");
    assert_eq!(
        deliver(&app, &modified, Some(&sign(APP_SECRET, &body))).await,
        401
    );
    assert_eq!(stored(&app).await, 0);
    // Signed but not a notification: 400, nothing stored.
    let junk = "{\"hello\": ";
    assert_eq!(
        deliver(&app, junk, Some(&sign(APP_SECRET, junk))).await,
        400
    );
    let other = "{\"object\": \"page\", \"entry\": []}";
    assert_eq!(
        deliver(&app, other, Some(&sign(APP_SECRET, other))).await,
        400
    );
    assert_eq!(stored(&app).await, 0);

    // Signed: stored. Delivered again (Meta retries): still one.
    assert_eq!(
        deliver(&app, &body, Some(&sign(APP_SECRET, &body))).await,
        200
    );
    assert_eq!(
        deliver(&app, &body, Some(&sign(APP_SECRET, &body))).await,
        200
    );
    assert_eq!(stored(&app).await, 1);
    let second = notification("wamid.second", "And when does it arrive?");
    assert_eq!(
        deliver(&app, &second, Some(&sign(APP_SECRET, &second))).await,
        200
    );
    assert_eq!(stored(&app).await, 2);
    // What is kept: the sender in E.164, and the message as read.
    let phones = recount(
        &app,
        "SELECT COUNT(*) FROM whatsapp_inbound WHERE phone = '+16505551234' AND id > $1",
        0,
    )
    .await;
    assert_eq!(phones, 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_accepted_while_whatsapp_is_not_connected() {
    let app = spawn().await;
    let body = notification("wamid.x", "Hello");
    assert_eq!(
        deliver(&app, &body, Some(&sign(APP_SECRET, &body))).await,
        404
    );
    assert_eq!(stored(&app).await, 0);
    app.stop().await;
}

/// What the fake Graph API received: (method and path, authorization header, body).
type Calls = Arc<Mutex<Vec<(String, String, String)>>>;

/// A fake of Meta's Graph API on 127.0.0.1 (the connection's base URL points at it): the
/// messages endpoint answers with the statuses in `script` first (e.g. 429 then 200), then
/// with a new `wamid.out.N`; the media endpoint gives a download address on itself, whose file
/// is a PNG; uploads get a media id.
struct FakeGraph {
    base: String,
    calls: Calls,
}

async fn fake_graph(script: Vec<u16>) -> FakeGraph {
    use axum::extract::{Path, State};
    use axum::routing::{get, post};
    let calls: Calls = Arc::default();
    let script = Arc::new(Mutex::new(std::collections::VecDeque::from(script)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v21.0", listener.local_addr().unwrap());
    type S = (Calls, Arc<Mutex<std::collections::VecDeque<u16>>>, String);
    fn auth(h: &axum::http::HeaderMap) -> String {
        h.get("authorization")
            .map_or(String::new(), |v| v.to_str().unwrap().to_string())
    }
    let app = axum::Router::new()
        .route(
            "/v21.0/{phone}/messages",
            post(
                |State((calls, script, _)): State<S>, h: axum::http::HeaderMap, body: String| async move {
                    let n = {
                        let mut c = calls.lock().unwrap();
                        c.push(("POST messages".into(), auth(&h), body));
                        c.len()
                    };
                    let status = script.lock().unwrap().pop_front().unwrap_or(200);
                    let answer = if status == 200 {
                        serde_json::json!({"messaging_product": "whatsapp",
                            "messages": [{"id": format!("wamid.out.{n}")}]})
                    } else {
                        serde_json::json!({"error": {"message": "(#131030) Recipient phone number not in allowed list",
                            "code": 131030, "error_data": {"details": "Recipient phone number not in allowed list"}}})
                    };
                    (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(answer))
                },
            ),
        )
        .route(
            "/v21.0/{phone}/media",
            post(|State((calls, _, _)): State<S>, h: axum::http::HeaderMap, body: axum::body::Bytes| async move {
                let sent = String::from_utf8_lossy(&body).contains("PNG");
                calls.lock().unwrap().push(("POST media".into(), auth(&h), sent.to_string()));
                axum::Json(serde_json::json!({"id": "uploaded-1"}))
            }),
        )
        .route(
            "/v21.0/{media}",
            get(|State((calls, _, base)): State<S>, h: axum::http::HeaderMap, Path(media): Path<String>| async move {
                calls.lock().unwrap().push((format!("GET {media}"), auth(&h), String::new()));
                axum::Json(serde_json::json!({"url": format!("{base}/files/{media}"), "mime_type": "image/png"}))
            }),
        )
        .route(
            "/v21.0/files/{media}",
            get(|State((calls, _, _)): State<S>, h: axum::http::HeaderMap, Path(media): Path<String>| async move {
                calls.lock().unwrap().push((format!("GET file {media}"), auth(&h), String::new()));
                // By the id's start: a voice note (Ogg), a PDF, else an image.
                if media.starts_with("voice") {
                    let mut ogg = b"OggS\x00\x02".to_vec();
                    ogg.resize(64, 0);
                    ogg
                } else if media.starts_with("doc") {
                    b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec()
                } else {
                    crate::attachments::png(40, 30)
                }
            }),
        )
        .with_state((calls.clone(), script, base.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    FakeGraph { base, calls }
}

impl FakeGraph {
    /// The messages sent so far, as JSON.
    fn sent(&self) -> Vec<serde_json::Value> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(what, _, _)| what == "POST messages")
            .map(|(_, _, body)| serde_json::from_str(body).unwrap())
            .collect()
    }

    /// Waits until `n` sends arrived.
    async fn wait_sent(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..200 {
            let sent = self.sent();
            if sent.len() >= n {
                return sent;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the fake Graph API got {:?}", self.calls.lock().unwrap());
    }
}

/// A server with WhatsApp connected to `graph` (retries fast, 127.0.0.1 reachable).
async fn connected_to(graph: &FakeGraph) -> (TestApp, reqwest::Client) {
    let app = spawn_with(&[
        ("LIAISON_ALLOW_PRIVATE_URLS", "1"),
        ("LIAISON_WHATSAPP_RETRY_MS", "50"),
    ])
    .await;
    let owner = connect(
        &app,
        &[
            ("form[graph_url]", &graph.base),
            ("form[template_name]", "follow_up"),
            ("form[template_language]", "en_US"),
        ],
    )
    .await;
    (app, owner)
}

/// Delivers a signed notification whose `messages` (or `statuses`) are `value`'s.
async fn notify(app: &TestApp, value: serde_json::Value) {
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]
    })
    .to_string();
    assert_eq!(
        deliver(app, &body, Some(&sign(APP_SECRET, &body))).await,
        200
    );
}

fn from_sheena(messages: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "messaging_product": "whatsapp",
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": messages
    })
}

/// Sheena writes `text` on WhatsApp (Meta's message id `wamid`).
async fn sheena_says(app: &TestApp, wamid: &str, text: &str) {
    notify(
        app,
        from_sheena(
            serde_json::json!([{"from": "16505551234", "id": wamid, "timestamp": "1",
            "type": "text", "text": {"body": text}}]),
        ),
    )
    .await;
}

/// Strings straight from the database (`sql` for both backends, `$1` bound to `param`).
async fn texts(app: &TestApp, sql: &str, param: i64) -> Vec<String> {
    use liaison::server::db::Backend;
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).bind(param).fetch_all(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).bind(param).fetch_all(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Waits until `sql` (a count) reaches `n`.
async fn until_count(app: &TestApp, sql: &str, param: i64, n: i64) {
    for _ in 0..200 {
        if recount(app, sql, param).await >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{sql}: {} of {n}", recount(app, sql, param).await);
}

const WA_CONVERSATIONS: &str =
    "SELECT COUNT(*) FROM conversations WHERE channel = 'whatsapp' AND id > $1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_whatsapp_gets_a_conversation_and_the_ais_answer_goes_back_to_whatsapp() {
    let graph = fake_graph(vec![]).await;
    let (app, _owner) = connected_to(&graph).await;
    notify(
        &app,
        from_sheena(serde_json::json!([{"from": "16505551234", "id": "wamid.in.1",
            "timestamp": "1749416383", "type": "text", "text": {"body": "How do I reset my password?"}}])),
    )
    .await;
    until_count(&app, WA_CONVERSATIONS, 0, 1).await;
    let visitor = texts(
        &app,
        "SELECT name || ' ' || whatsapp || ' ' || phone FROM visitors WHERE whatsapp IS NOT NULL AND id > $1",
        0,
    )
    .await;
    assert_eq!(visitor, ["Sheena Nelson +16505551234 +16505551234"]);
    // The AI answers (from the knowledge base or by handing over); its words go to WhatsApp,
    // to the customer's number, with the access token.
    let sent = graph.wait_sent(1).await;
    assert_eq!(sent[0]["to"], "16505551234");
    assert_eq!(sent[0]["type"], "text");
    assert!(!sent[0]["text"]["body"].as_str().unwrap().is_empty());
    assert!(
        graph
            .calls
            .lock()
            .unwrap()
            .iter()
            .all(|(_, auth, _)| auth == "Bearer EAAG-secret-token"),
        "every call carries the access token"
    );
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE delivery = 'sent' AND id > $1",
        0,
        1,
    )
    .await;

    // Meta delivers the same message again, and a second one: one conversation, and the
    // redelivery is not a second message.
    notify(
        &app,
        from_sheena(serde_json::json!([
            {"from": "16505551234", "id": "wamid.in.1", "timestamp": "1749416383", "type": "text",
             "text": {"body": "How do I reset my password?"}},
            {"from": "16505551234", "id": "wamid.in.2", "timestamp": "1749416390", "type": "location",
             "location": {"latitude": 48.8584, "longitude": 2.2945, "name": "Eiffel Tower"}}
        ])),
    )
    .await;
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE sender = 'customer' AND id > $1",
        0,
        2,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let customer = texts(
        &app,
        "SELECT body FROM messages WHERE sender = 'customer' AND id > $1 ORDER BY id",
        0,
    )
    .await;
    assert_eq!(customer.len(), 2, "{customer:?}");
    assert!(customer[1].starts_with("📍 Eiffel Tower\n"), "{customer:?}");
    assert_eq!(recount(&app, WA_CONVERSATIONS, 0).await, 1);
    // The inbox: the WhatsApp row with the name and the number, found by the channel and by
    // searching the customer's words or number.
    let owner = operator(&app, OWNER_EMAIL).await;
    for args in [
        vec![("channel", "whatsapp")],
        vec![("q", "reset my password")],
        vec![("q", "Eiffel")],
    ] {
        let r =
            call::<liaison::app::conversations::api::ListConversations>(&owner, &app, &args).await;
        assert_eq!(r.status(), 200);
        let list: liaison::app::conversations::api::List = r.json().await.unwrap();
        assert_eq!(list.rows.len(), 1, "{args:?}");
        assert_eq!(list.rows[0].channel, liaison_protocol::Channel::Whatsapp);
        assert_eq!(list.rows[0].visitor, "Sheena Nelson · +16505551234");
    }
    let r = call::<liaison::app::conversations::api::ListConversations>(
        &owner,
        &app,
        &[("channel", "widget")],
    )
    .await;
    let widget: liaison::app::conversations::api::List = r.json().await.unwrap();
    assert!(
        widget
            .rows
            .iter()
            .all(|r| r.channel == liaison_protocol::Channel::Widget)
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_fetched_through_the_media_endpoint_and_a_closed_conversation_starts_a_new_one()
{
    let graph = fake_graph(vec![]).await;
    let (app, owner) = connected_to(&graph).await;
    notify(
        &app,
        from_sheena(serde_json::json!([{"from": "16505551234", "id": "wamid.img.1", "timestamp": "1",
            "type": "image", "image": {"id": "1479537139650973", "mime_type": "image/png", "caption": "the error"}}])),
    )
    .await;
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE kind = 'image' AND sender = 'customer' AND id > $1",
        0,
        1,
    )
    .await;
    let calls: Vec<String> = graph
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.0.clone())
        .collect();
    assert!(
        calls.contains(&"GET 1479537139650973".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"GET file 1479537139650973".to_string()),
        "{calls:?}"
    );
    let body = texts(
        &app,
        "SELECT body FROM messages WHERE kind = 'image' AND id > $1",
        0,
    )
    .await;
    assert_eq!(body, ["the error"]);
    assert_eq!(
        recount(
            &app,
            "SELECT COUNT(*) FROM attachments WHERE mime = 'image/png' AND id > $1",
            0
        )
        .await,
        1
    );
    // Resolved: closed. The next message starts a new WhatsApp conversation.
    let id = recount(&app, "SELECT MAX(id) FROM conversations WHERE id > $1", 0).await;
    let r = call::<liaison::app::conversations::api::ResolveConversation>(
        &owner,
        &app,
        &[("id", &id.to_string())],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    sheena_says(&app, "wamid.txt.2", "One more thing").await;
    until_count(&app, WA_CONVERSATIONS, 0, 2).await;
    assert_eq!(
        recount(
            &app,
            "SELECT COUNT(*) FROM visitors WHERE whatsapp IS NOT NULL AND id > $1",
            0
        )
        .await,
        1,
        "one visitor per number"
    );
    app.stop().await;
}

/// A customer who asked for a human on WhatsApp (the AI's handover already sent), and the
/// conversation's id, joined by the Owner.
async fn held_by_the_owner(graph: &FakeGraph) -> (TestApp, reqwest::Client, String) {
    let (app, owner) = connected_to(graph).await;
    sheena_says(&app, "wamid.h.1", "I want to talk to a human").await;
    graph.wait_sent(1).await;
    let id = joined(&app, &owner).await;
    (app, owner, id)
}

/// The WhatsApp conversation's id, joined by `owner`.
async fn joined(app: &TestApp, owner: &reqwest::Client) -> String {
    let id = recount(
        app,
        "SELECT MAX(id) FROM conversations WHERE channel = 'whatsapp' AND id > $1",
        0,
    )
    .await
    .to_string();
    let r = call::<liaison::app::conversations::api::JoinConversation>(owner, app, &[("id", &id)])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_are_retried_on_rate_limits_refusals_say_why_and_statuses_move_the_ticks() {
    use liaison::app::conversations::api::SendReply;
    // The AI's answer and the "joined" line go through first; then the operator's reply meets
    // a 429 and a 503 before it is taken, and the reply written right after it waits its
    // turn; the next reply is refused for good.
    let graph = fake_graph(vec![200, 200, 429, 503, 200, 200, 400]).await;
    let (app, owner, id) = held_by_the_owner(&graph).await;
    let r = call::<SendReply>(
        &owner,
        &app,
        &[("id", &id), ("body", "Hi Sheena, Ana here.")],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let reply: liaison_protocol::Message = r.json().await.unwrap();
    assert_eq!(reply.delivery, Some(liaison_protocol::Delivery::Queued));
    let r = call::<SendReply>(&owner, &app, &[("id", &id), ("body", "Right after.")]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let sent = graph.wait_sent(6).await;
    assert_eq!(
        sent[5]["text"]["body"], "Right after.",
        "in the order written"
    );
    assert_eq!(
        sent[1]["text"]["body"],
        "A support agent joined the conversation."
    );
    for tried in &sent[2..5] {
        assert_eq!(
            tried["text"]["body"], "Hi Sheena, Ana here.",
            "tried until it was taken"
        );
    }
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE delivery = 'sent' AND id = $1",
        reply.id,
        1,
    )
    .await;
    // A refusal: failed, with Meta's reason, in the thread.
    let r = call::<SendReply>(&owner, &app, &[("id", &id), ("body", "Are you there?")]).await;
    let refused: liaison_protocol::Message = r.json().await.unwrap();
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE delivery = 'failed' AND id = $1",
        refused.id,
        1,
    )
    .await;
    let why = texts(
        &app,
        "SELECT delivery_error FROM messages WHERE id = $1",
        refused.id,
    )
    .await;
    assert_eq!(why, ["Recipient phone number not in allowed list (131030)"]);

    // Meta's statuses for the reply it took (wamid.out.5): read before delivered, and the
    // late "delivered" does not undo "read".
    let status = |s: &str| {
        serde_json::json!({"statuses": [{"id": "wamid.out.5", "status": s, "timestamp": "9",
            "recipient_id": "16505551234"}]})
    };
    notify(&app, status("read")).await;
    notify(&app, status("delivered")).await;
    assert_eq!(
        texts(
            &app,
            "SELECT delivery FROM messages WHERE id = $1",
            reply.id
        )
        .await,
        ["read"]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_out_uploaded_and_after_24_hours_free_text_is_refused_and_the_template_goes_out() {
    use liaison::app::conversations::api::{SendReply, SendWhatsappTemplate};
    let graph = fake_graph(vec![]).await;
    let (app, owner, id) = held_by_the_owner(&graph).await;
    let r = call::<SendReply>(&owner, &app, &[("id", &id), ("body", "Within the window")]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // A file: uploaded to the media endpoint, then sent by its media id with its caption.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(crate::attachments::png(8, 8)).file_name("shot.png"),
        )
        .text("caption", "the screenshot");
    let r = owner
        .post(app.url(&format!("/api/dashboard/v1/conversations/{id}/attachments")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let sent = graph.wait_sent(4).await;
    assert_eq!(sent[3]["type"], "image");
    assert_eq!(sent[3]["image"]["id"], "uploaded-1");
    assert_eq!(sent[3]["image"]["caption"], "the screenshot");
    assert!(
        graph
            .calls
            .lock()
            .unwrap()
            .iter()
            .any(|(what, _, png)| what == "POST media" && png == "true"),
        "the file's bytes were uploaded"
    );
    // The customer wrote 25 hours ago (their message moved into the past): the window has closed.
    let mut w = app.server.db.write().await.unwrap();
    execute(
        w.conn(),
        "UPDATE messages SET created_at = created_at - 90000000 WHERE sender = 'customer' AND conversation_id = $1",
        id.parse().unwrap(),
    )
    .await;
    w.commit().await.unwrap();
    let before = recount(
        &app,
        "SELECT COUNT(*) FROM messages WHERE conversation_id = $1",
        id.parse().unwrap(),
    )
    .await;
    let r = call::<SendReply>(&owner, &app, &[("id", &id), ("body", "Still there?")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("24 hours"));
    assert_eq!(
        recount(
            &app,
            "SELECT COUNT(*) FROM messages WHERE conversation_id = $1",
            id.parse().unwrap()
        )
        .await,
        before,
        "a refused reply stores nothing"
    );
    let r = call::<SendWhatsappTemplate>(&owner, &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The AI's answer, the "joined" line, the reply and the file within the window, the
    // template.
    let sent = graph.wait_sent(5).await;
    assert_eq!(sent[4]["type"], "template");
    assert_eq!(sent[4]["template"]["name"], "follow_up");
    assert_eq!(sent[4]["template"]["language"]["code"], "en_US");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voice_notes_documents_and_button_replies_become_messages_of_their_kind() {
    let graph = fake_graph(vec![]).await;
    let (app, _owner) = connected_to(&graph).await;
    notify(
        &app,
        from_sheena(serde_json::json!([
            {"from": "16505551234", "id": "wamid.k.1", "timestamp": "1", "type": "audio",
             "audio": {"id": "voice1", "mime_type": "audio/ogg; codecs=opus", "voice": true}},
            {"from": "16505551234", "id": "wamid.k.2", "timestamp": "2", "type": "document",
             "document": {"id": "doc1", "mime_type": "application/pdf", "filename": "invoice.pdf", "caption": "my invoice"}},
            {"from": "16505551234", "id": "wamid.k.3", "timestamp": "3", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes, solved"}}},
            {"from": "16505551234", "id": "wamid.k.4", "timestamp": "4", "type": "sticker",
             "sticker": {"id": "st1", "mime_type": "image/webp"}}
        ])),
    )
    .await;
    until_count(
        &app,
        "SELECT COUNT(*) FROM messages WHERE sender = 'customer' AND id > $1",
        0,
        4,
    )
    .await;
    let got = texts(
        &app,
        "SELECT kind || ':' || body FROM messages WHERE sender = 'customer' AND id > $1 ORDER BY id",
        0,
    )
    .await;
    assert_eq!(got[0], "voice:");
    assert_eq!(got[1], "file:my invoice");
    assert_eq!(got[2], "text:Yes, solved");
    assert!(
        got[3].starts_with("text:(A WhatsApp message of a kind Liaison cannot show: sticker"),
        "{got:?}"
    );
    let names = texts(
        &app,
        "SELECT name FROM attachments WHERE id > $1 ORDER BY id",
        0,
    )
    .await;
    assert_eq!(names, ["voice message", "invoice.pdf"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_messages_are_forgotten_a_week_after_they_were_put_in_conversations() {
    use liaison::server::{db::whatsapp, retention};
    let app = spawn().await;
    let db = &app.server.db;
    let now = liaison::server::now_ms();
    let mut tx = db.write().await.unwrap();
    for (wamid, processed) in [
        ("wamid.old", Some(now - retention::WHATSAPP_RECEIPTS_MS - 1)),
        ("wamid.recent", Some(now - 1_000)),
        ("wamid.waiting", None),
    ] {
        whatsapp::store_inbound(tx.conn(), wamid, "+16505551234", "{}", now - 9 * 86_400_000)
            .await
            .unwrap();
        if let Some(at) = processed {
            let id = recount_in(&mut tx, wamid).await;
            whatsapp::processed(tx.conn(), id, at).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    // The server's own round runs as it starts, under the same exclusive lock: while it holds
    // the lock, this call leaves the work to it (and it may have read the table before these
    // rows were in). So call again until the old row is gone, or a few seconds have passed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let left = loop {
        retention::forget_whatsapp_receipts(db, now).await.unwrap();
        let left = texts(
            &app,
            "SELECT wamid FROM whatsapp_inbound WHERE id > $1 ORDER BY id",
            0,
        )
        .await;
        if left.len() < 3 || std::time::Instant::now() > deadline {
            break left;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        left,
        ["wamid.recent", "wamid.waiting"],
        "never one still waiting"
    );
    app.stop().await;
}

/// The id of the received message `wamid`, inside `tx`.
async fn recount_in(tx: &mut liaison::server::db::WriteTx, wamid: &str) -> i64 {
    use liaison::server::db::Backend;
    let sql = "SELECT id FROM whatsapp_inbound WHERE wamid = $1";
    match tx.conn() {
        Backend::Sqlite(c) => sqlx::query_scalar(sql).bind(wamid).fetch_one(c).await,
        Backend::Postgres(c) => sqlx::query_scalar(sql).bind(wamid).fetch_one(c).await,
    }
    .unwrap()
}

/// Behind a load balancer: Meta's delivery and its redelivery reach two instances sharing one
/// PostgreSQL. The message is stored once, put in one conversation once, and the AI's answer
/// goes out once (one worker holds the job; the client id derived from Meta's id guards the
/// rest).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_put_a_message_once_and_answer_it_once() {
    let graph = fake_graph(vec![]).await;
    let url = postgres::fresh_database().await;
    let env = [
        ("LIAISON_DATABASE_URL", url.as_str()),
        ("LIAISON_ALLOW_PRIVATE_URLS", "1"),
        ("LIAISON_WHATSAPP_RETRY_MS", "50"),
    ];
    let a = spawn_with(&env).await;
    let b = spawn_with(&env).await;
    connect(&a, &[("form[graph_url]", &graph.base)]).await;
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": from_sheena(serde_json::json!([
            {"from": "16505551234", "id": "wamid.lb.1", "timestamp": "1", "type": "text",
             "text": {"body": "How do I reset my password?"}}]))}]}]
    })
    .to_string();
    let signature = sign(APP_SECRET, &body);
    let (to_a, to_b) = tokio::join!(
        deliver(&a, &body, Some(&signature)),
        deliver(&b, &body, Some(&signature))
    );
    assert_eq!((to_a, to_b), (200, 200));
    graph.wait_sent(1).await;
    // Both workers have had several rounds since.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(graph.sent().len(), 1, "one answer: {:?}", graph.sent());
    for (sql, n) in [
        ("SELECT COUNT(*) FROM whatsapp_inbound WHERE id > $1", 1),
        (WA_CONVERSATIONS, 1),
        (
            "SELECT COUNT(*) FROM messages WHERE sender = 'customer' AND id > $1",
            1,
        ),
    ] {
        assert_eq!(recount(&a, sql, 0).await, n, "{sql}");
    }
    a.stop().await;
    b.stop().await;
}

/// Sheena taps the rating list's row for `stars`.
async fn tap_rating(app: &TestApp, wamid: &str, stars: usize) {
    let (id, title) = liaison_protocol::whatsapp_webhook::RATING_ROWS[5 - stars];
    notify(
        app,
        from_sheena(
            serde_json::json!([{"from": "16505551234", "id": wamid, "timestamp": "2",
            "type": "interactive", "interactive": {"type": "list_reply",
            "list_reply": {"id": id, "title": title}}}]),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_conversation_asks_for_stars_and_the_tap_rates_it() {
    use liaison::app::conversations::api::ResolveConversation;
    let graph = fake_graph(vec![]).await;
    let (app, owner, id) = held_by_the_owner(&graph).await;
    // Asked for in Connectors → WhatsApp.
    connect(
        &app,
        &[("form[graph_url]", &graph.base), ("form[ask_rating]", "on")],
    )
    .await;
    let r = call::<ResolveConversation>(&owner, &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The AI's handover, the "joined" line, then the rating list.
    let sent = graph.wait_sent(3).await;
    let ask = &sent[2];
    assert_eq!(ask["type"], "interactive");
    assert_eq!(ask["interactive"]["type"], "list");
    let rows = ask["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1]["id"], "rate:4");
    // The customer taps four stars: the conversation is rated and thanked; no new
    // conversation starts.
    tap_rating(&app, "wamid.rate.1", 4).await;
    let conversation: i64 = id.parse().unwrap();
    until_count(
        &app,
        "SELECT COUNT(*) FROM conversations WHERE rating = 4 AND id = $1",
        conversation,
        1,
    )
    .await;
    let sent = graph.wait_sent(4).await;
    assert_eq!(sent[3]["text"]["body"], "Thank you for your feedback!");
    assert_eq!(recount(&app, WA_CONVERSATIONS, 0).await, 1);
    // A second tap rates nothing again: it is an ordinary message, in a new conversation.
    tap_rating(&app, "wamid.rate.2", 1).await;
    until_count(&app, WA_CONVERSATIONS, 0, 2).await;
    assert_eq!(
        recount(
            &app,
            "SELECT COUNT(*) FROM conversations WHERE rating = 4 AND id = $1",
            conversation
        )
        .await,
        1
    );
    app.stop().await;
}
