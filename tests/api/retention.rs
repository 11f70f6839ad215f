//! Data retention over HTTP and in the job: Admins set how long visitor metadata is kept
//! (checked; Agents refused); the job clears it for visitors last seen before the limit and
//! keeps everything else.

use crate::common::*;
use liaison::app::settings::retention::{DataRetention, SaveDataRetention};
use liaison::server::db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_visitors_lose_their_metadata_and_keep_their_conversations() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let save = |c: &reqwest::Client, days: &'static str| {
        let (c, app) = (c.clone(), &app);
        async move { call::<SaveDataRetention>(&c, app, &[("days", days)]).await }
    };
    assert_eq!(save(&agent, "30").await.status(), 403);
    let r = save(&owner, "0").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("1 to 3650 days"));
    let now = liaison::server::now_ms();
    assert_eq!(
        liaison::server::retention::forget_visitor_metadata(&app.server.db, now)
            .await
            .unwrap(),
        0,
        "no limit: nothing cleared"
    );

    let old = visitor(&app).await;
    send(&app, &old, "r-1", "Hello from long ago").await;
    let recent = visitor(&app).await;
    send(&app, &recent, "r-2", "Hello from today").await;
    let old_view = wait_for_messages(&app, &old, 1).await;
    wait_for_messages(&app, &recent, 1).await;
    let old_id = {
        let mut conn = app.server.db.read.acquire().await.unwrap();
        db::conversations::find(conn.conn(), old_view.conversation.unwrap().id)
            .await
            .unwrap()
            .unwrap()
            .visitor_id
    };
    let mut tx = app.server.db.write().await.unwrap();
    execute(
        tx.conn(),
        "UPDATE visitors SET last_seen_at = 1, email = 'kept@example.com' WHERE id = $1",
        old_id,
    )
    .await;
    tx.commit().await.unwrap();

    assert_eq!(save(&owner, "30").await.status(), 200);
    let r = call::<DataRetention>(&owner, &app, &[]).await;
    assert!(r.text().await.unwrap().starts_with("[\"30\""));
    let cleared = liaison::server::retention::forget_visitor_metadata(&app.server.db, now)
        .await
        .unwrap();
    assert_eq!(cleared, 1, "only the visitor last seen before the limit");
    let gone = db::visitors::find(&app.server.db.read, old_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            gone.browser.as_deref(),
            gone.referrer.as_deref(),
            gone.page.as_deref()
        ),
        (None, None, None)
    );
    assert_eq!(gone.email.as_deref(), Some("kept@example.com"));
    let kept = conversation(&app, &old).await.conversation.unwrap();
    assert!(!kept.messages.is_empty(), "the conversation stays");
    assert_eq!(
        liaison::server::retention::forget_visitor_metadata(&app.server.db, now)
            .await
            .unwrap(),
        0,
        "done once"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_retention_follows_settings_over_the_environment() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let default = std::time::Duration::from_secs(168 * 3600);
    let now = liaison::server::now_ms();
    let cutoff = || liaison::server::retention::event_cutoff(&app.server.db, default, now);
    assert_eq!(
        cutoff().await.unwrap(),
        now - 168 * 3_600_000,
        "the environment's default"
    );
    let save = |hours: &'static str| {
        let (c, app) = (owner.clone(), &app);
        async move { call::<SaveDataRetention>(&c, app, &[("days", ""), ("event_hours", hours)]).await }
    };
    let r = save("0").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("1 to 8760 hours"));
    assert_eq!(
        cutoff().await.unwrap(),
        now - 168 * 3_600_000,
        "a refused value changes nothing"
    );
    assert_eq!(save("2").await.status(), 200);
    assert_eq!(cutoff().await.unwrap(), now - 2 * 3_600_000);
    let shown: serde_json::Value = call::<DataRetention>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown[2], "2", "{shown}");
    // The job deletes what is older than that.
    let token = visitor(&app).await;
    send(&app, &token, "e-1", "Hello").await;
    wait_for_messages(&app, &token, 1).await;
    let deleted = liaison::server::retention::expire_events(&app.server.db, now + 60_000)
        .await
        .unwrap();
    assert!(deleted > 0);
    app.stop().await;
}
