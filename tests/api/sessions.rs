//! Signed-in sessions over HTTP: an operator sees where they are signed in and ends any session
//! (its next request is refused and its live stream closes at once); Admins and the Owner do
//! the same for the operators below them, and nobody for anyone else.

use crate::common::*;
use liaison::app::auth::{CurrentOperator, Login, Logout};
use liaison::app::sessions::{
    EndMyOtherSessions, EndMySession, EndOperatorSessions, MySessions, OperatorSessions,
};
use serde_json::Value;
use std::time::Duration;

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36";

/// A browser with its own cookie jar and user agent, signed in as `email`.
async fn device(app: &TestApp, email: &str, user_agent: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, app.url("").parse().unwrap());
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let r = call::<Login>(&c, app, &[("email", email), ("password", PASSWORD)]).await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "sign in: {}",
        r.status()
    );
    c
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn my_sessions(c: &reqwest::Client, app: &TestApp) -> Vec<Value> {
    let (status, list) = json_of(call::<MySessions>(c, app, &[]).await).await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

async fn signed_in(c: &reqwest::Client, app: &TestApp) -> bool {
    let status = call::<CurrentOperator>(c, app, &[]).await.status().as_u16();
    assert!(status == 200 || status == 401, "{status}");
    status == 200
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    liaison::server::db::users::find_by_email(&app.server.db.read, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Waits until `stream` closes; false if it is still open after five seconds.
async fn closes(stream: &mut SseReader) -> bool {
    tokio::time::timeout(Duration::from_secs(5), async {
        while stream.next_frame(Duration::from_secs(10)).await.is_some() {}
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_sees_where_they_are_signed_in_and_signs_one_out() {
    let app = spawn().await;
    let laptop = device(&app, "agent@liaison.local", FIREFOX_LINUX).await;
    let phone = device(&app, "agent@liaison.local", CHROME_ANDROID).await;
    let owner = operator(&app, OWNER_EMAIL).await;

    let list = my_sessions(&laptop, &app).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let here = list.iter().find(|s| s["current"] == true).unwrap();
    let there = list.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(here["device"], "Firefox on Linux");
    assert_eq!(there["device"], "Chrome on Android");
    assert_eq!(there["user_agent"], CHROME_ANDROID);
    assert_eq!(there["address"], "127.0.0.1");
    assert!(there["last_seen_at"].as_i64().unwrap() > 0);
    let phone_session = there["id"].as_i64().unwrap();
    // The owner's sessions are not in the agent's list, and the phone sees itself as current.
    let from_phone = my_sessions(&phone, &app).await;
    assert_eq!(from_phone.len(), 2);
    assert!(
        from_phone
            .iter()
            .any(|s| s["id"] == phone_session && s["current"] == true)
    );

    // Nobody ends a session that is not theirs: not found, and it goes on.
    let r = call::<EndMySession>(&owner, &app, &[("id", &phone_session.to_string())]).await;
    assert_eq!(r.status(), 404);
    assert!(signed_in(&phone, &app).await);

    let mut phone_stream = dashboard_stream(&phone, &app, None).await;
    let mut laptop_stream = dashboard_stream(&laptop, &app, None).await;
    let r = call::<EndMySession>(&laptop, &app, &[("id", &phone_session.to_string())]).await;
    assert_eq!(r.status(), 200);
    assert!(
        closes(&mut phone_stream).await,
        "the ended session's stream is still open"
    );
    assert!(
        !signed_in(&phone, &app).await,
        "the ended session still works"
    );
    let r = phone
        .get(app.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The laptop goes on, its stream too.
    assert!(signed_in(&laptop, &app).await);
    assert!(
        !closes_within(&mut laptop_stream, Duration::from_millis(500)).await,
        "the session that ended another lost its own stream"
    );
    let list = my_sessions(&laptop, &app).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["current"], true);

    // Signing out takes a session off the list.
    let tablet = device(&app, "agent@liaison.local", CHROME_ANDROID).await;
    assert_eq!(my_sessions(&laptop, &app).await.len(), 2);
    let r = call::<Logout>(&tablet, &app, &[]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    assert_eq!(my_sessions(&laptop, &app).await.len(), 1);
    app.stop().await;
}

/// Whether `stream` closes within `wait` (it should not).
async fn closes_within(stream: &mut SseReader, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        // None before the deadline: the stream ended; at the deadline: it is still open.
        if stream.next_frame(left).await.is_none() {
            return tokio::time::Instant::now() < deadline;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_of_all_other_sessions_keeps_this_one() {
    let app = spawn().await;
    let here = device(&app, "agent@liaison.local", FIREFOX_LINUX).await;
    let others = [
        device(&app, "agent@liaison.local", CHROME_ANDROID).await,
        device(&app, "agent@liaison.local", FIREFOX_LINUX).await,
    ];
    let colleague = device(&app, OWNER_EMAIL, FIREFOX_LINUX).await;
    assert_eq!(my_sessions(&here, &app).await.len(), 3);
    let r = call::<EndMyOtherSessions>(&here, &app, &[]).await;
    assert_eq!(r.status(), 200);
    for other in &others {
        assert!(!signed_in(other, &app).await);
    }
    assert!(signed_in(&here, &app).await);
    assert!(
        signed_in(&colleague, &app).await,
        "another operator's session ended"
    );
    assert_eq!(my_sessions(&here, &app).await.len(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_and_end_the_sessions_of_those_below_them_only() {
    let app = spawn().await;
    add_agents(&app, 1).await;
    make_admin(&app, "agent0@test.local").await;
    let owner = device(&app, OWNER_EMAIL, FIREFOX_LINUX).await;
    let admin = device(&app, "agent0@test.local", FIREFOX_LINUX).await;
    let agent = device(&app, "agent@liaison.local", CHROME_ANDROID).await;
    let agent_elsewhere = device(&app, "agent@liaison.local", FIREFOX_LINUX).await;
    let (owner_id, admin_id, agent_id) = (
        user_id(&app, OWNER_EMAIL).await,
        user_id(&app, "agent0@test.local").await,
        user_id(&app, "agent@liaison.local").await,
    );
    let sessions_of = |c: &reqwest::Client, id: i64| {
        let (c, app) = (c.clone(), &app);
        async move {
            json_of(call::<OperatorSessions>(&c, app, &[("operator", &id.to_string())]).await).await
        }
    };

    // Agents see nobody's; Admins not the Owner's nor another Admin's; nobody their own here.
    assert_eq!(sessions_of(&agent, admin_id).await.0, 403);
    assert_eq!(sessions_of(&admin, owner_id).await.0, 400);
    assert_eq!(sessions_of(&admin, admin_id).await.0, 400);
    let r = call::<EndOperatorSessions>(&admin, &app, &[("operator", &owner_id.to_string())]).await;
    assert_eq!(r.status(), 400);
    assert!(signed_in(&owner, &app).await);

    let (status, list) = sessions_of(&admin, agent_id).await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|s| s["current"] == false));

    // One of the agent's sessions, then all of them ("Sign out everywhere").
    let android = list
        .iter()
        .find(|s| s["device"] == "Chrome on Android")
        .unwrap()["id"]
        .to_string();
    let mut stream = dashboard_stream(&agent, &app, None).await;
    let r = call::<EndOperatorSessions>(
        &admin,
        &app,
        &[("operator", &agent_id.to_string()), ("id", &android)],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(closes(&mut stream).await);
    assert!(!signed_in(&agent, &app).await);
    assert!(signed_in(&agent_elsewhere, &app).await);
    // A session id of someone else's is not the agent's: not found, nothing ends.
    let owner_session = my_sessions(&owner, &app).await[0]["id"].to_string();
    let r = call::<EndOperatorSessions>(
        &admin,
        &app,
        &[("operator", &agent_id.to_string()), ("id", &owner_session)],
    )
    .await;
    assert_eq!(r.status(), 404);
    assert!(signed_in(&owner, &app).await);

    let r = call::<EndOperatorSessions>(&admin, &app, &[("operator", &agent_id.to_string())]).await;
    assert_eq!(r.status(), 200);
    assert!(!signed_in(&agent_elsewhere, &app).await);
    // The Owner ends an Admin's.
    let r = call::<EndOperatorSessions>(&owner, &app, &[("operator", &admin_id.to_string())]).await;
    assert_eq!(r.status(), 200);
    assert!(!signed_in(&admin, &app).await);
    assert!(signed_in(&owner, &app).await);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_signed_in_before_the_sessions_list_must_sign_in_again() {
    // A session that holds an operator but no row of the list (as after an upgrade, or once
    // its row was deleted) is not signed in.
    let app = spawn().await;
    let agent = device(&app, "agent@liaison.local", FIREFOX_LINUX).await;
    assert!(signed_in(&agent, &app).await);
    let mut tx = app.server.db.write().await.unwrap();
    execute(
        tx.conn(),
        "DELETE FROM operator_sessions WHERE user_id = $1",
        user_id(&app, "agent@liaison.local").await,
    )
    .await;
    tx.commit().await.unwrap();
    assert!(!signed_in(&agent, &app).await);
    app.stop().await;
}
