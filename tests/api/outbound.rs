//! Requests the server makes to addresses an Admin typed reach public addresses only: URL
//! documents (and their redirects), webhooks, the LLM endpoint, unless the server's operator or
//! the Owner allowed a private one. A key entered for one LLM host is never sent to another.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use crate::kb::{documents, settled};
use leptos::server_fn::ServerFn;
use liaison::app::kb::api::AddUrlDocument;
use liaison::app::settings::api::SaveAgentSettings;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What every refusal says: no hint of which internal address or port exists.
const NOT_FETCHABLE: &str = "That address could not be fetched.";

/// A local web server that counts the requests it gets; its address.
async fn counting_site(hits: Arc<AtomicUsize>, routes: axum::Router) -> std::net::SocketAddr {
    let site = routes.fallback(move || {
        let hits = hits.clone();
        async move {
            hits.fetch_add(1, Ordering::SeqCst);
            "internal secret: the database password is hunter2"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, site).await.unwrap() });
    addr
}

fn count(list: &serde_json::Value) -> usize {
    list["documents"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_documents_to_private_addresses_are_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let internal = counting_site(hits.clone(), axum::Router::new()).await;
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let before = count(&documents(&app, &op).await);
    let port = internal.port();
    for url in [
        format!("http://127.0.0.1:{port}/admin"),
        format!("http://localhost:{port}/admin"),
        format!("http://[::1]:{port}/admin"),
        format!("http://2130706433:{port}/admin"),
        "http://10.0.0.1/".to_string(),
        "http://192.168.1.1/router".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[fd00::1]/".to_string(),
    ] {
        let r = call::<AddUrlDocument>(&op, &app, &[("url", &url), ("title", "")]).await;
        assert_eq!(r.status(), 400, "{url}");
        let text = r.text().await.unwrap();
        assert!(text.contains(NOT_FETCHABLE), "{url}: {text}");
    }
    assert_eq!(count(&documents(&app, &op).await), before, "nothing stored");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the internal server was never asked"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_to_private_addresses_are_refused_at_every_hop() {
    // An internal service, and a "public" site the operator allows by address and port (the
    // one way to have an allowed first hop on a test machine), which redirects inward.
    let hits = Arc::new(AtomicUsize::new(0));
    let internal = counting_site(hits.clone(), axum::Router::new()).await;
    let to = |target: String| {
        axum::routing::get(move || {
            let target = target.clone();
            async move { axum::response::Redirect::temporary(&target) }
        })
    };
    let ip = internal.port();
    let public = axum::Router::new()
        .route(
            "/faq",
            axum::routing::get(|| async {
                axum::response::Html("<h1>FAQ</h1><p>Parking is free for two hours.</p>")
            }),
        )
        .route("/to-internal", to(format!("http://127.0.0.1:{ip}/secret")))
        .route("/to-name", to(format!("http://localhost:{ip}/secret")))
        .route("/to-v6", to(format!("http://[::1]:{ip}/secret")))
        .route("/to-metadata", to("http://169.254.169.254/latest/".into()));
    let site = counting_site(Arc::new(AtomicUsize::new(0)), public).await;
    let allowed = format!("127.0.0.1:{}", site.port());
    let app = spawn_with(&[("LIAISON_ALLOW_PRIVATE_URLS", &allowed)]).await;
    let op = operator(&app, OWNER_EMAIL).await;

    let add = |path: &str| {
        let url = format!("http://{site}{path}");
        let (op, app) = (&op, &app);
        async move {
            let r = call::<AddUrlDocument>(op, app, &[("url", &url), ("title", "")]).await;
            assert_eq!(r.status(), 200, "{url}");
            let id: i64 = r.json().await.unwrap();
            settled(app, op, id).await
        }
    };
    assert_eq!(add("/faq").await["status"], "ready");
    for path in ["/to-internal", "/to-name", "/to-v6", "/to-metadata"] {
        let doc = add(path).await;
        assert_eq!(doc["status"], "failed", "{path}: {doc}");
        let error = doc["error"].as_str().unwrap();
        assert!(error.contains(NOT_FETCHABLE), "{path}: {error}");
        assert!(!error.contains("127.0.0.1") && !error.contains("169.254"));
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no redirect reached the internal server"
    );

    // Webhooks: the same rule when saved.
    use liaison::app::connectors::AddWebhook;
    let r = call::<AddWebhook>(
        &op,
        &app,
        &[
            ("form[url]", &format!("http://127.0.0.1:{ip}/hook")),
            ("form[active]", "true"),
            ("form[events][0]", "conversation.created"),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("public web addresses only")
    );
    app.stop().await;
}

fn agent_form(base: &str, key: &str, allow_private: bool) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("form[base_url]", base.to_string()),
        ("form[model]", "fake-model".to_string()),
        ("form[api_key]", key.to_string()),
        ("form[temperature]", "0.2".to_string()),
        ("form[embeddings_model]", String::new()),
        ("form[price_in]", "0".to_string()),
        ("form[price_out]", "0".to_string()),
        ("form[timeout_secs]", "10".to_string()),
        ("form[max_tokens]", "300".to_string()),
        ("form[instructions]", String::new()),
    ];
    if allow_private {
        form.push(("form[allow_private]", "on".to_string()));
    }
    form
}

async fn save_agent(
    c: &reqwest::Client,
    app: &TestApp,
    form: Vec<(&'static str, String)>,
) -> reqwest::Response {
    c.post(app.url(SaveAgentSettings::PATH))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_llm_key_goes_only_to_the_host_it_was_entered_for() {
    let first = FakeLlm::start().await;
    let second = FakeLlm::start().await;
    first.push(Reply::Text(vec!["We ship to Canada [1]."]));
    second.push(Reply::Text(vec!["We ship to Canada [1]."]));
    let app = spawn().await;
    add_agents(&app, 1).await;
    make_admin(&app, "agent0@test.local").await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let admin = operator(&app, "agent0@test.local").await;

    // A private address needs the Owner's explicit permission.
    let r = save_agent(&owner, &app, agent_form(&first.url, "sk-first", false)).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Allow a private address"));
    let r = save_agent(&admin, &app, agent_form(&first.url, "sk-first", true)).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Only the Owner"));
    let r = save_agent(&owner, &app, agent_form(&first.url, "sk-first", true)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let token = visitor(&app).await;
    send(&app, &token, "k-1", "Do you ship to Canada?").await;
    wait_for_messages(&app, &token, 2).await;
    assert_eq!(
        first.authorizations(),
        [Some("Bearer sk-first".to_string())]
    );
    assert_eq!(first.requests()[0]["max_completion_tokens"], 300);

    // An Admin keeps the key when only other fields change…
    let r = save_agent(&admin, &app, agent_form(&first.url, "", true)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // …but cannot point the (allowed) private endpoint elsewhere on their own,
    let r = save_agent(&admin, &app, agent_form(&second.url, "", true)).await;
    assert_eq!(r.status(), 400);
    // and a new base URL, even saved by the Owner, does not take the old key along.
    let r = save_agent(&owner, &app, agent_form(&second.url, "", true)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let other = visitor(&app).await;
    send(&app, &other, "k-2", "Do you ship to Canada?").await;
    wait_for_messages(&app, &other, 2).await;
    let sent = second.authorizations();
    assert_eq!(sent.len(), 1);
    assert!(
        !sent[0].as_deref().unwrap_or("").contains("sk-first"),
        "the first host's key went to the second: {sent:?}"
    );
    assert_eq!(first.authorizations().len(), 1);
    app.stop().await;
}
