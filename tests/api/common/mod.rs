//! Starts the real server on 127.0.0.1:0 with a fresh database, and speaks HTTP to it. The
//! database is a SQLite file, or, with `LIAISON_TEST_BACKEND=postgres` (`cargo xtask test` runs
//! the suite both ways), a new database on the test PostgreSQL cluster.

pub mod fake_llm;
pub mod load;
pub mod postgres;
pub mod process;

use futures::StreamExt;
use leptos::prelude::LeptosOptions;
use liaison::server::{Config, RunningServer, start};
pub use liaison_protocol::widget_api::ConversationResponse;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const OWNER_EMAIL: &str = "owner@test.local";
pub const PASSWORD: &str = "test-password-1";

pub struct TestApp {
    pub base: String,
    pub server: RunningServer,
    dir: PathBuf,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The key every test server seals secrets with (`LIAISON_SECRET_KEY`).
pub const TEST_SECRET_KEY: &str =
    "7e57000000000000000000000000000000000000000000000000000000000001";

/// The rate limits at their highest, for servers that tests drive faster than people would.
pub const UNLIMITED: [(&str, &str); 5] = [
    ("LIAISON_LIMIT_VISITOR_PER_MINUTE", "1000000"),
    ("LIAISON_LIMIT_ADDRESS_PER_MINUTE", "1000000"),
    ("LIAISON_LIMIT_SITE_PER_MINUTE", "1000000"),
    ("LIAISON_LIMIT_SESSIONS_PER_HOUR", "1000000"),
    ("LIAISON_LIMIT_SIGN_INS_PER_MINUTE", "1000000"),
];

pub async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

/// Starts the server with extra environment settings (e.g. `LIAISON_LLM_BASE_URL`).
pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = std::env::temp_dir().join(format!(
        "liaison-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let vars: HashMap<&str, String> = HashMap::from([
        ("LIAISON_ADDR", "127.0.0.1:0".to_string()),
        ("LIAISON_DATA_DIR", dir.display().to_string()),
        ("LIAISON_OWNER_EMAIL", OWNER_EMAIL.to_string()),
        ("LIAISON_OWNER_PASSWORD", PASSWORD.to_string()),
        ("LIAISON_DEMO", "1".to_string()),
        ("LIAISON_DEMO_AGENT_PASSWORD", PASSWORD.to_string()),
    ]);
    // Every test comes from 127.0.0.1, most of them faster than people: the limits are lifted
    // unless a test sets them (tests/api/limits.rs).
    let mut vars = vars;
    for (name, value) in UNLIMITED {
        vars.insert(name, value.to_string());
    }
    // Instances sharing a database share the key its secrets are sealed with, as they must in
    // production (each test server has its own data directory, so its own secret.key).
    vars.insert("LIAISON_SECRET_KEY", TEST_SECRET_KEY.to_string());
    // Documents are read by a worker process of the server's binary (this one is the tests').
    vars.insert(
        "LIAISON_DOCUMENT_WORKER",
        env!("CARGO_BIN_EXE_liaison").to_string(),
    );
    if on_postgres() {
        vars.insert("LIAISON_DATABASE_URL", postgres::fresh_database().await);
    }
    for (k, v) in extra {
        vars.insert(k, v.to_string());
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    let options = LeptosOptions::builder()
        .output_name("liaison")
        .site_root("target/site")
        .build();
    let server = start(config, options).await.expect("server starts");
    let vars = &vars;
    let asked = vars
        .get("LIAISON_DATABASE_URL")
        .is_some_and(|u| u.starts_with("postgres"));
    assert_eq!(
        server.db.read.is_postgres(),
        asked,
        "the server runs on the backend it was asked for"
    );
    TestApp {
        base: format!("http://{}", server.addr),
        server,
        dir,
    }
}

impl TestApp {
    /// The server's data directory (attachments, the SQLite file).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// Whether this run of the suite is the PostgreSQL one.
pub fn on_postgres() -> bool {
    std::env::var("LIAISON_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// Runs `sql` (written for both backends, `$1` bound to `id`) on `conn`: for tests that set up
/// data no feature writes yet.
pub async fn execute(conn: liaison::server::db::Conn<'_>, sql: &str, id: i64) {
    use liaison::server::db::Backend;
    match conn {
        Backend::Sqlite(c) => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()),
        Backend::Postgres(c) => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A count straight from the database (`sql` for both backends, `$1` bound to `param`), to
/// check what the features' own figures say, or that a refusal stored nothing.
pub async fn recount(app: &TestApp, sql: &str, param: i64) -> i64 {
    use liaison::server::db::Backend;
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).bind(param).fetch_one(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).bind(param).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Makes the operator with `email` an Admin, directly (roles are read on every request, so
/// their sessions are Admin at once).
pub async fn make_admin(app: &TestApp, email: &str) {
    let id = liaison::server::db::users::find_by_email(&app.server.db.read, email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = app.server.db.write().await.unwrap();
    execute(
        tx.conn(),
        "UPDATE users SET role = 'admin' WHERE id = $1",
        id,
    )
    .await;
    tx.commit().await.unwrap();
}

impl TestApp {
    pub async fn stop(self) {
        self.server.stop().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the helpers speak HTTP to: a server started in this process ([`TestApp`]) or a
/// separate `liaison` process.
pub trait Http {
    fn url(&self, path: &str) -> String;
}

impl<T: Http> Http for &T {
    fn url(&self, path: &str) -> String {
        (**self).url(path)
    }
}

impl Http for TestApp {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub fn client() -> reqwest::Client {
    liaison::server::install_tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A client as a browser on the dashboard is: its own cookie jar, and the Origin browsers send
/// with every POST (the server refuses state changes without one; `guard`).
pub fn browser(app: &impl Http) -> reqwest::Client {
    liaison::server::install_tls();
    let origin = app.url("");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, origin.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A client with its own cookie jar, signed in as `email`.
pub async fn operator(app: &impl Http, email: &str) -> reqwest::Client {
    use leptos::server_fn::ServerFn;
    let c = browser(app);
    let r = c
        .post(app.url(<liaison::app::auth::Login as ServerFn>::PATH))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "login: {}",
        r.status()
    );
    c
}

/// Adds `n` agents (`agent0@test.local`, …, password [`PASSWORD`]) and returns their emails.
pub async fn add_agents(app: &TestApp, n: usize) -> Vec<String> {
    add_agents_to(&app.server.db, n).await
}

/// [`add_agents`] through a database handle (for servers in other processes).
pub async fn add_agents_to(db: &liaison::server::db::Db, n: usize) -> Vec<String> {
    let hash = liaison::server::auth::hash_password(PASSWORD).await;
    let emails: Vec<String> = (0..n).map(|i| format!("agent{i}@test.local")).collect();
    let mut tx = db.write().await.unwrap();
    for (i, email) in emails.iter().enumerate() {
        liaison::server::db::users::insert(
            tx.conn(),
            email,
            &format!("Agent {i}"),
            &hash,
            liaison_protocol::Role::Agent,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    emails
}

/// The operator's dashboard stream on `app`, from the cursor `after` (None: from now).
pub async fn dashboard_stream(
    c: &reqwest::Client,
    app: &impl Http,
    after: Option<i64>,
) -> SseReader {
    let path = match after {
        Some(a) => format!("/api/dashboard/v1/stream?after={a}"),
        None => "/api/dashboard/v1/stream".into(),
    };
    let r = c.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    SseReader::new(r)
}

/// The visitor's widget stream on `app`, from now.
pub async fn widget_stream(app: &impl Http, token: &str) -> SseReader {
    let r = client()
        .get(app.url("/api/widget/v1/stream"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    SseReader::new(r)
}

/// Calls a server function with form-encoded arguments.
pub async fn call<S: leptos::server_fn::ServerFn>(
    c: &reqwest::Client,
    app: &impl Http,
    args: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(S::PATH)).form(args).send().await.unwrap()
}

/// `POST /session` with any JSON body; the answer as JSON.
pub async fn session(app: &impl Http, body: serde_json::Value) -> serde_json::Value {
    client()
        .post(app.url("/api/widget/v1/session"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A new visitor with metadata; its token.
pub async fn visitor(app: &impl Http) -> String {
    let r = session(
        app,
        json!({"metadata": {"browser": "Mozilla/5.0 Firefox/128.0", "timezone": "Europe/Paris",
            "referrer": "https://search.example/", "page": "https://shop.example/pricing"}}),
    )
    .await;
    r["token"].as_str().unwrap().to_string()
}

pub async fn send(
    app: &impl Http,
    token: &str,
    client_msg_id: &str,
    body: &str,
) -> reqwest::Response {
    client()
        .post(app.url("/api/widget/v1/messages"))
        .bearer_auth(token)
        .json(&json!({"client_msg_id": client_msg_id, "body": body}))
        .send()
        .await
        .unwrap()
}

pub async fn conversation(app: &impl Http, token: &str) -> ConversationResponse {
    client()
        .get(app.url("/api/widget/v1/conversation"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls the visitor's conversation until `done` holds (the AI answers in the background).
pub async fn wait_for(
    app: &impl Http,
    token: &str,
    done: impl Fn(&ConversationResponse) -> bool,
) -> ConversationResponse {
    for _ in 0..100 {
        let c = conversation(app, token).await;
        if done(&c) {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out; last view: {:?}", conversation(app, token).await);
}

/// Waits until the visitor's conversation holds at least `n` messages.
pub async fn wait_for_messages(app: &impl Http, token: &str, n: usize) -> ConversationResponse {
    wait_for(app, token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() >= n)
    })
    .await
}

/// Waits until the visitor's conversation has `status`.
pub async fn wait_for_status(
    app: &impl Http,
    token: &str,
    status: liaison_protocol::ConversationStatus,
) -> ConversationResponse {
    wait_for(app, token, |c| {
        c.conversation.as_ref().is_some_and(|c| c.status == status)
    })
    .await
}

/// Reads Server-Sent Events from a response.
pub struct SseReader {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub id: i64,
    pub data: serde_json::Value,
}

impl SseReader {
    pub fn new(response: reqwest::Response) -> SseReader {
        SseReader {
            stream: response.bytes_stream().boxed(),
            buf: String::new(),
        }
    }

    /// The next event with an id, or None if none comes within `wait`. Live-only events (no id)
    /// are skipped.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        self.next_until(tokio::time::Instant::now() + wait).await
    }

    /// The next event with an id, or None if none comes before `deadline`.
    pub async fn next_until(&mut self, deadline: tokio::time::Instant) -> Option<SseEvent> {
        loop {
            let frame = self.frame_until(deadline).await?;
            if let Some(id) = frame.id {
                return Some(SseEvent {
                    id,
                    data: frame.data,
                });
            }
        }
    }

    /// The next frame of any kind (stored or live-only), or None if none comes within `wait`.
    pub async fn next_frame(&mut self, wait: Duration) -> Option<SseFrame> {
        self.frame_until(tokio::time::Instant::now() + wait).await
    }

    async fn frame_until(&mut self, deadline: tokio::time::Instant) -> Option<SseFrame> {
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                let mut frame = SseFrame {
                    event: None,
                    id: None,
                    data: serde_json::Value::Null,
                };
                let mut data = String::new();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        frame.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        frame.event = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                frame.data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(frame);
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk.ok()?));
        }
    }
}

/// One SSE frame: stored events have an id; live-only ones a name.
#[derive(Debug, Clone, PartialEq)]
pub struct SseFrame {
    pub event: Option<String>,
    pub id: Option<i64>,
    pub data: serde_json::Value,
}

/// The value at fraction `p` of sorted samples (benches).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Prints one bench line: count, p50, `tail` (e.g. 0.95 or 0.99) and max, in ms.
pub fn report(name: &str, mut samples: Vec<f64>, tail: f64) {
    samples.sort_by(f64::total_cmp);
    println!(
        "  {name:<58} n={:<4} p50 {:>8.3} ms   p{:<2} {:>8.3} ms   max {:>8.3} ms",
        samples.len(),
        percentile(&samples, 0.5),
        (tail * 100.0).round(),
        percentile(&samples, tail),
        samples[samples.len() - 1]
    );
}
