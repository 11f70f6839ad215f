//! The WhatsApp webhook over HTTP: Meta's verification handshake, notifications refused
//! without side effects unless signed with the app secret over the very body, and each message
//! stored once however often Meta delivers it.

use crate::common::*;
use hmac::{Hmac, Mac};
use liaison::app::connectors::SaveWhatsapp;
use sha2::Sha256;

const APP_SECRET: &str = "0123456789abcdef";
const VERIFY_TOKEN: &str = "liaison-verify";
const PATH: &str = liaison_protocol::whatsapp::WEBHOOK_PATH;

/// A server with WhatsApp connected in Connectors.
async fn connected() -> TestApp {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let r = call::<SaveWhatsapp>(
        &owner,
        &app,
        &[
            ("form[phone_number_id]", "106540352242922"),
            ("form[access_token]", "EAAG-secret-token"),
            ("form[app_secret]", APP_SECRET),
            ("form[verify_token]", VERIFY_TOKEN),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
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
