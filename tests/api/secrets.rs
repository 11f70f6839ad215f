//! Secrets at rest: the LLM key, webhook secrets and WhatsApp tokens are stored sealed with the
//! server's key (not in the database), work as before, and a server started with another key
//! refuses to run rather than lose them.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::connectors::AddWebhook;
use liaison::app::settings::api::SaveAgentSettings;
use liaison::server::db::Backend;
use liaison::server::secrets::{self, Secrets};
use serde_json::Value;

/// A stored setting's JSON, as it is in the database.
async fn stored_setting(app: &TestApp, key: &str) -> String {
    let sql = "SELECT value FROM settings WHERE key = $1";
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).bind(key).fetch_one(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).bind(key).fetch_one(p).await,
    }
    .unwrap()
}

async fn stored_webhook_secrets(app: &TestApp) -> Vec<String> {
    let sql = "SELECT secret FROM webhooks ORDER BY id";
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
    }
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_stored_sealed_and_still_work() {
    let llm = FakeLlm::start().await;
    llm.push(Reply::Text(vec!["We ship to Canada [1]."]));
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let form = [
        ("form[base_url]", llm.url.as_str()),
        ("form[model]", "fake-model"),
        ("form[api_key]", "sk-very-secret"),
        ("form[temperature]", "0.2"),
        ("form[embeddings_model]", ""),
        ("form[price_in]", "0"),
        ("form[price_out]", "0"),
        ("form[timeout_secs]", "10"),
        ("form[instructions]", ""),
        ("form[allow_private]", "on"),
    ];
    let r = owner
        .post(app.url(SaveAgentSettings::PATH))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let stored = stored_setting(&app, "agent").await;
    assert!(!stored.contains("sk-very-secret"), "{stored}");
    assert!(stored.contains("sealed:v1:"), "{stored}");
    // The AI still calls the model with the key.
    let token = visitor(&app).await;
    send(&app, &token, "s-1", "Do you ship to Canada?").await;
    wait_for_messages(&app, &token, 2).await;
    assert_eq!(llm.authorizations(), [Some("Bearer sk-very-secret".into())]);

    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_key_is_refused_and_old_plain_values_are_sealed() {
    let app = spawn_with(&[("LIAISON_ALLOW_PRIVATE_URLS", "1")]).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let r = call::<AddWebhook>(
        &owner,
        &app,
        &[
            ("form[url]", "http://127.0.0.1:9/hook"),
            ("form[active]", "true"),
            ("form[events][0]", "conversation.created"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let added: Value = r.json().await.unwrap();
    let secret = added["secret"].as_str().unwrap().to_string();
    // Shown once to the Admin; stored sealed.
    let stored = stored_webhook_secrets(&app).await;
    assert!(!stored[0].contains(&secret));
    assert_eq!(app.server.db.secrets().open(&stored[0]).unwrap(), secret);

    // As a version from before sealing stored it: in plain text.
    let mut tx = app.server.db.write().await.unwrap();
    liaison::server::db::webhooks::set_secret(tx.conn(), 1, &secret)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stored_webhook_secrets(&app).await, vec![secret.clone()]);
    // The next start seals it.
    secrets::prepare(&app.server.db, "secret.key")
        .await
        .unwrap();
    let stored = stored_webhook_secrets(&app).await;
    assert!(Secrets::is_sealed(&stored[0]));
    assert_eq!(app.server.db.secrets().open(&stored[0]).unwrap(), secret);

    // A server with another key would not read them: it refuses to start, saying why.
    let other = app.server.db.clone().with_secrets(Secrets::ephemeral());
    let e = secrets::prepare(&other, "LIAISON_SECRET_KEY")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not the one this database's secrets were sealed with"),
        "{e}"
    );
    app.stop().await;
}
