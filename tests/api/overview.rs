//! The Overview page over HTTP: Owners and Admins get the team's figures, Agents their own
//! queue; the maintained figures move with what happens (a conversation asked for a human,
//! joined, answered, resolved, rated, booked) and equal a recount over the base tables. The
//! inbox's "Mine" and "Unassigned" lists that the Agent's quick actions open.

use crate::common::*;
use liaison::app::conversations::api::{
    JoinConversation, ListConversations, ResolveConversation, SendReply,
};
use liaison::app::overview::CurrentOverview;
use liaison::server::db::Backend;
use serde_json::{Value, json};

async fn figures(c: &reqwest::Client, app: &TestApp) -> Value {
    let r = call::<CurrentOverview>(c, app, &[]).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// One number over the base tables (SQL valid on both backends).
async fn recount(app: &TestApp, sql: &str) -> i64 {
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn n(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_follow_what_happens_and_equal_a_recount() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let team_before = figures(&owner, &app).await["Team"].clone();
    let mine_before = figures(&agent, &app).await["Agent"].clone();
    assert!(team_before.is_object(), "the Owner sees the team's figures");
    assert!(mine_before.is_object(), "an Agent sees their own queue");

    let token = visitor(&app).await;
    send(&app, &token, "o-1", "I need a human agent").await;
    let view = wait_for_status(
        &app,
        &token,
        liaison_protocol::ConversationStatus::NeedsAgent,
    )
    .await;
    let id = view.conversation.unwrap().id.to_string();
    let mine = figures(&agent, &app).await["Agent"].clone();
    assert_eq!(n(&mine, "needs_agent"), n(&mine_before, "needs_agent") + 1);

    assert_eq!(
        call::<JoinConversation>(&agent, &app, &[("id", &id)])
            .await
            .status(),
        200
    );
    let mine = figures(&agent, &app).await["Agent"].clone();
    assert_eq!(n(&mine, "my_open"), n(&mine_before, "my_open") + 1);
    assert_eq!(n(&mine, "needs_agent"), n(&mine_before, "needs_agent"));

    // The "Mine" list holds it, "Unassigned" does not; an unknown holder is refused.
    let list = |who: &'static str| {
        let (agent, app) = (&agent, &app);
        async move { call::<ListConversations>(agent, app, &[("who", who)]).await }
    };
    let held: Value = list("mine").await.json().await.unwrap();
    let ids: Vec<i64> = held["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id.parse::<i64>().unwrap()], "{held}");
    let free: Value = list("unassigned").await.json().await.unwrap();
    assert!(
        free["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["assignee_id"].is_null()),
        "{free}"
    );
    assert!(!free.to_string().contains(&format!("\"id\":{id},")));
    let refused = list("someone").await;
    assert_eq!(refused.status(), 400);

    for (i, body) in ["Hello, I can help.", "Done: your order ships today."]
        .iter()
        .enumerate()
    {
        let r = call::<SendReply>(&agent, &app, &[("id", &id), ("body", body)]).await;
        assert_eq!(r.status(), 200, "reply {i}");
    }
    let r = call::<ResolveConversation>(&agent, &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200);
    let r = client()
        .post(app.url("/api/widget/v1/rating"))
        .bearer_auth(&token)
        .json(&json!({"stars": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut conn = app.server.db.write().await.unwrap();
    execute(
        conn.conn(),
        "INSERT INTO bookings (conversation_id, visitor_id, starts_at, ends_at, created_at)
         SELECT id, visitor_id, 4102444800000, 4102446600000, last_activity_at
         FROM conversations WHERE id = $1",
        id.parse().unwrap(),
    )
    .await;
    conn.commit().await.unwrap();

    let team = figures(&owner, &app).await["Team"].clone();
    for (key, more) in [
        ("total_sessions", 1),
        ("resolved", 1),
        ("agent_requests", 1),
        ("ratings", 1),
        ("rating_sum", 4),
        ("bookings_made", 1),
    ] {
        assert_eq!(n(&team, key), n(&team_before, key) + more, "{key}: {team}");
    }
    assert!(n(&team, "messages_sent") >= n(&team_before, "messages_sent") + 2);
    let mine = figures(&agent, &app).await["Agent"].clone();
    assert_eq!(n(&mine, "my_open"), n(&mine_before, "my_open"));
    assert_eq!(
        n(&mine, "resolved_by_me"),
        n(&mine_before, "resolved_by_me") + 1
    );

    // The maintained figures are the base tables' own, whatever the demo data held.
    let counted = [
        ("total_sessions", "SELECT COUNT(*) FROM conversations"),
        (
            "resolved",
            "SELECT COUNT(*) FROM conversations WHERE status = 'resolved'",
        ),
        (
            "messages_sent",
            "SELECT COUNT(*) FROM messages WHERE sender IN ('ai', 'agent') AND NOT internal",
        ),
        ("bookings_made", "SELECT COUNT(*) FROM bookings"),
        (
            "agent_requests",
            "SELECT COUNT(*) FROM conversations WHERE agent_requested",
        ),
        (
            "ratings",
            "SELECT COUNT(*) FROM conversations WHERE rating IS NOT NULL",
        ),
        (
            "rating_sum",
            "SELECT CAST(COALESCE(SUM(rating), 0) AS BIGINT) FROM conversations",
        ),
        (
            "documents_ready",
            "SELECT COUNT(*) FROM kb_documents WHERE status = 'ready'",
        ),
    ];
    for (key, sql) in counted {
        assert_eq!(n(&team, key), recount(&app, sql).await, "{key}");
    }
    assert_eq!(
        n(&mine, "open_queue"),
        recount(
            &app,
            "SELECT COUNT(*) FROM conversations WHERE status = 'open' AND assignee_id IS NULL"
        )
        .await
    );
    let days = team["days"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    let today = days.last().unwrap();
    let now = liaison::server::now_ms();
    let today_sql = format!(
        "SELECT COUNT(*) FROM conversations WHERE created_at >= {}",
        now - now.rem_euclid(86_400_000)
    );
    assert_eq!(n(today, "sessions"), recount(&app, &today_sql).await);
    assert!(
        n(today, "resolved") >= 1 && n(today, "bookings") >= 1,
        "{today}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_the_team_and_strangers_nothing() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    make_admin(&app, "agent@liaison.local").await;
    let admin = operator(&app, "agent@liaison.local").await;
    assert!(figures(&admin, &app).await["Team"].is_object());
    assert!(figures(&owner, &app).await["Team"].is_object());
    assert_eq!(
        call::<CurrentOverview>(&browser(&app), &app, &[])
            .await
            .status(),
        401
    );
}
