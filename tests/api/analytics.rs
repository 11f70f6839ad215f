//! The Analytics page over HTTP: its figures move with what happens (a visitor asking for a
//! human, an out-of-scope question, an operator's escalation, a join, replies, a resolution, a
//! rating), equal a recount over the base tables, refuse bad ranges with a clear message, and
//! download as CSV. On both backends.

use crate::common::*;
use liaison::app::analytics::AnalyticsFigures;
use liaison::app::conversations::api::{
    EscalateConversation, JoinConversation, ResolveConversation, SendReply,
};
use liaison_protocol::ConversationStatus;
use liaison_protocol::analytics::BUCKETS;
use serde_json::{Value, json};

async fn figures(c: &reqwest::Client, app: &TestApp, args: &[(&str, &str)]) -> Value {
    let r = call::<AnalyticsFigures>(c, app, args).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn n(v: &Value, path: &[&str]) -> i64 {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    at.as_i64().unwrap_or_else(|| panic!("{path:?} in {v}"))
}

fn handovers(v: &Value, reason: &str) -> i64 {
    v["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == reason)
        .map(|pair| pair[1].as_i64().unwrap())
        .unwrap_or_else(|| panic!("{reason} in {v}"))
}

fn operator_row(v: &Value, name: &str) -> Value {
    v["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .cloned()
        .unwrap_or(
            json!({"conversations": 0, "resolved": 0, "ratings": 0, "rating_sum": 0,
            "first_response": {"n": 0}}),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_follow_what_happens_and_equal_a_recount() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let week = [("range", "7")];
    let before = figures(&owner, &app, &week).await;
    let agent_name: String = {
        let me: Value = call::<liaison::app::auth::CurrentOperator>(&agent, &app, &[])
            .await
            .json()
            .await
            .unwrap();
        me["name"].as_str().unwrap().to_string()
    };
    let agent_before = operator_row(&before, &agent_name);

    // A visitor asks for a human; the agent joins, answers and resolves; the visitor rates it.
    let asks = visitor(&app).await;
    send(&app, &asks, "a-1", "I need a human agent").await;
    let id = wait_for_status(&app, &asks, ConversationStatus::NeedsAgent)
        .await
        .conversation
        .unwrap()
        .id
        .to_string();
    let ok = |r: reqwest::Response| assert_eq!(r.status(), 200);
    ok(call::<JoinConversation>(&agent, &app, &[("id", &id)]).await);
    ok(call::<SendReply>(&agent, &app, &[("id", &id), ("body", "Hello, I can help.")]).await);
    ok(call::<ResolveConversation>(&agent, &app, &[("id", &id)]).await);
    ok(client()
        .post(app.url("/api/widget/v1/rating"))
        .bearer_auth(&asks)
        .json(&json!({"stars": 4}))
        .send()
        .await
        .unwrap());

    // A question the knowledge base does not answer: the AI hands over, a gap is recorded.
    let curious = visitor(&app).await;
    let question = "Do you sell gift cards for weddings?";
    send(&app, &curious, "c-1", question).await;
    wait_for_status(&app, &curious, ConversationStatus::NeedsAgent).await;

    // An operator flags a conversation nobody asked a human for.
    let _quiet = visitor(&app).await;
    let visitor_id = recount(&app, "SELECT MAX(id) FROM visitors WHERE $1 >= 0", 0).await;
    let quiet_id = liaison::server::conversations::open_conversation(&app.server.db, visitor_id)
        .await
        .unwrap();
    let r = call::<EscalateConversation>(&owner, &app, &[("id", &quiet_id.to_string())]).await;
    assert_eq!(r.status(), 200);

    let after = figures(&owner, &app, &week).await;
    assert_eq!(n(&after, &["sessions"]), n(&before, &["sessions"]) + 3);
    assert_eq!(n(&after, &["resolved"]), n(&before, &["resolved"]) + 1);
    assert_eq!(n(&after, &["ai_resolved"]), n(&before, &["ai_resolved"]));
    for (reason, more) in [("AskedForHuman", 1), ("OutOfScope", 1), ("Manual", 1)] {
        assert_eq!(
            handovers(&after, reason),
            handovers(&before, reason) + more,
            "{reason}"
        );
    }
    assert_eq!(
        n(&after, &["human_response", "n"]),
        n(&before, &["human_response", "n"]) + 1
    );
    assert!(n(&after, &["first_response", "n"]) >= n(&before, &["first_response", "n"]) + 2);
    assert_eq!(
        n(&after, &["resolution", "n"]),
        n(&before, &["resolution", "n"]) + 1
    );
    assert!(after["resolution"]["median_ms"].as_i64().is_some());
    let mine = operator_row(&after, &agent_name);
    for key in ["conversations", "resolved", "ratings"] {
        assert_eq!(
            n(&mine, &[key]),
            n(&agent_before, &[key]) + 1,
            "{key}: {mine}"
        );
    }
    assert_eq!(
        n(&mine, &["rating_sum"]),
        n(&agent_before, &["rating_sum"]) + 4
    );
    assert!(
        mine["first_response"]["median_ms"].as_i64().is_some(),
        "{mine}"
    );
    assert!(
        after["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["question"] == question),
        "{after}"
    );
    let heat: i64 = after["heatmap"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|c| c.as_i64().unwrap()))
        .sum();
    assert_eq!(
        heat,
        n(&after, &["sessions"]),
        "the heatmap holds every conversation"
    );
    assert_eq!(after["days"].as_array().unwrap().len(), 7);

    // The maintained figures are the base tables' own.
    let from_ms = n(&after, &["from"]) * 86_400_000;
    let counted = [
        (
            vec!["sessions"],
            "SELECT COUNT(*) FROM conversations WHERE created_at >= $1",
        ),
        (
            vec!["resolved"],
            "SELECT COUNT(*) FROM conversations WHERE status = 'resolved' AND resolved_at >= $1",
        ),
        (
            vec!["ai_resolved"],
            "SELECT COUNT(*) FROM conversations WHERE status = 'resolved' AND resolved_at >= $1
             AND resolved_by IS NULL AND NOT EXISTS (SELECT 1 FROM messages m
                WHERE m.conversation_id = conversations.id AND m.sender = 'agent')",
        ),
        (
            vec!["human_response", "n"],
            "SELECT COUNT(*) FROM conversations c WHERE EXISTS (SELECT 1 FROM messages m
                WHERE m.conversation_id = c.id AND m.sender = 'agent' AND NOT m.internal
                AND m.created_at >= $1)",
        ),
    ];
    for (path, sql) in counted {
        assert_eq!(
            n(&after, &path),
            recount(&app, sql, from_ms).await,
            "{path:?}"
        );
    }
    let requested = recount(
        &app,
        "SELECT COUNT(*) FROM conversations WHERE agent_requested AND created_at >= $1",
        from_ms,
    )
    .await;
    let handed: i64 = after["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_i64().unwrap())
        .sum();
    assert_eq!(handed, requested, "every hand-over has a reason");

    // One channel: all of these came through the widget; WhatsApp has none.
    let widget = figures(&owner, &app, &[("range", "7"), ("channel", "widget")]).await;
    assert_eq!(n(&widget, &["sessions"]), n(&after, &["sessions"]));
    let whatsapp = figures(&owner, &app, &[("range", "7"), ("channel", "whatsapp")]).await;
    assert_eq!(n(&whatsapp, &["sessions"]), 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ranges_are_refused_with_a_reason_and_tables_download_as_csv() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    for (args, says) in [
        (vec![("range", "8")], "Unknown range"),
        (
            vec![
                ("range", "custom"),
                ("from", "2026-11-10"),
                ("to", "2026-11-01"),
            ],
            "ends before it starts",
        ),
        (
            vec![
                ("range", "custom"),
                ("from", "2024-01-01"),
                ("to", "2026-01-01"),
            ],
            "at most 366 days",
        ),
        (
            vec![
                ("range", "custom"),
                ("from", "2026-02-30"),
                ("to", "2026-03-01"),
            ],
            "must be a date",
        ),
        (vec![("channel", "fax")], "Unknown channel"),
    ] {
        let r = call::<AnalyticsFigures>(&owner, &app, &args).await;
        assert_eq!(r.status(), 400, "{args:?}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{args:?}: {text}");
    }
    let custom = figures(
        &owner,
        &app,
        &[
            ("range", "custom"),
            ("from", "2026-11-01"),
            ("to", "2026-11-28"),
        ],
    )
    .await;
    assert_eq!(custom["days"].as_array().unwrap().len(), 28);

    // A resolved conversation, so the operators table has a row.
    let token = visitor(&app).await;
    send(&app, &token, "x-1", "I need a human agent").await;
    let id = wait_for_status(&app, &token, ConversationStatus::NeedsAgent)
        .await
        .conversation
        .unwrap()
        .id
        .to_string();
    assert_eq!(
        call::<JoinConversation>(&owner, &app, &[("id", &id)])
            .await
            .status(),
        200
    );
    call::<SendReply>(&owner, &app, &[("id", &id), ("body", "=1+1 is 2")]).await;
    call::<ResolveConversation>(&owner, &app, &[("id", &id)]).await;

    let r = owner
        .get(app.url("/api/admin/analytics/operators.csv?range=7"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("analytics-operators-")
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("operator,conversations,median_first_response_ms,resolved,average_rating,ratings")
    );
    assert_eq!(lines.count(), 1, "{csv}");
    let days = owner
        .get(app.url("/api/admin/analytics/days.csv?range=14"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(days.lines().count(), 15, "a header and 14 days: {days}");
    for (url, status) in [
        ("/api/admin/analytics/secrets.csv?range=7", 404),
        ("/api/admin/analytics/gaps.csv?range=5", 400),
    ] {
        let r = owner.get(app.url(url)).send().await.unwrap();
        assert_eq!(r.status(), status, "{url}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_buckets_are_the_ones_the_percentiles_read() {
    let app = spawn().await;
    let stored = liaison::server::db::analytics::stored_buckets(&app.server.db.read)
        .await
        .unwrap();
    assert_eq!(stored, BUCKETS.to_vec());
    app.stop().await;
}
