//! Tickets over HTTP, on both backends: made by hand and from a conversation, checked (nothing
//! saved on a refusal), listed by status, priority, "Mine" and search, counted per status by
//! trigger, sent to every dashboard as events, and the customer told when theirs is solved.

use crate::common::*;
use liaison::app::tickets::api::{ConversationTickets, CreateTicket, ListTickets, UpdateTicket};
use liaison::server::db::Backend;
use serde_json::Value;
use std::time::Duration;

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(String, &'a str)> {
    fields
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), *v))
        .collect()
}

async fn create(c: &reqwest::Client, app: &TestApp, fields: &[(&str, &str)]) -> (u16, Value) {
    let f = form(fields);
    let args: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    json_of(call::<CreateTicket>(c, app, &args).await).await
}

async fn update(
    c: &reqwest::Client,
    app: &TestApp,
    id: i64,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let id = id.to_string();
    let f = form(fields);
    let mut args: Vec<(&str, &str)> = vec![("id", id.as_str())];
    args.extend(f.iter().map(|(k, v)| (k.as_str(), *v)));
    json_of(call::<UpdateTicket>(c, app, &args).await).await
}

async fn list(c: &reqwest::Client, app: &TestApp, args: &[(&str, &str)]) -> Value {
    let (status, page) = json_of(call::<ListTickets>(c, app, args).await).await;
    assert_eq!(status, 200, "{page}");
    page
}

fn ids(page: &Value) -> Vec<i64> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

async fn recount(app: &TestApp, status: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM tickets WHERE status = $1";
    match app.server.db.read.on() {
        Backend::Sqlite(p) => sqlx::query_scalar(sql).bind(status).fetch_one(p).await,
        Backend::Postgres(p) => sqlx::query_scalar(sql).bind(status).fetch_one(p).await,
    }
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_checked_listed_counted_and_sent_live() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let agent_id = list(&agent, &app, &[]).await["me"].as_i64().unwrap();
    let mut stream = dashboard_stream(&owner, &app, None).await;

    for (bad, why) in [
        (vec![("subject", "  ")], "subject"),
        (vec![("subject", "A"), ("priority", "asap")], "asap"),
        (
            vec![("subject", "A"), ("conversation", "999999")],
            "no conversation",
        ),
        (
            vec![("subject", "A"), ("assignee", "999999")],
            "no active operator",
        ),
    ] {
        let (status, body) = create(&agent, &app, &bad).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains(why), "{why}: {body}");
    }
    assert!(
        ids(&list(&owner, &app, &[]).await).is_empty(),
        "nothing saved"
    );

    let me = agent_id.to_string();
    let (status, kettle) = create(
        &agent,
        &app,
        &[
            ("subject", "Kettle arrived broken"),
            ("description", "Customer wants a replacement, order 4417"),
            ("priority", "high"),
            ("assignee", &me),
        ],
    )
    .await;
    assert_eq!(status, 200, "{kettle}");
    let (_, invoice) = create(&owner, &app, &[("subject", "Invoice address wrong")]).await;
    let (kettle_id, invoice_id) = (
        kettle["id"].as_i64().unwrap(),
        invoice["id"].as_i64().unwrap(),
    );
    assert_eq!(kettle["created_by"], "Sam (demo agent)");
    assert_eq!(kettle["assignee_id"], agent_id);

    // Every dashboard hears of it, with the counts after the change.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let e = stream
            .next(Duration::from_secs(5))
            .await
            .expect("ticket events");
        if e.data["type"] == "ticket_changed" {
            seen.push(e.data["ticket"]["id"].as_i64().unwrap());
            assert!(e.data["counts"]["open"].as_i64().unwrap() >= 1);
        }
    }
    assert_eq!(seen, [kettle_id, invoice_id]);

    let all = list(&owner, &app, &[]).await;
    assert_eq!(ids(&all), [invoice_id, kettle_id], "newest first");
    assert_eq!(all["counts"]["open"], 2);
    assert_eq!(
        ids(&list(&agent, &app, &[("mine", "true")]).await),
        [kettle_id]
    );
    assert!(ids(&list(&owner, &app, &[("mine", "true")]).await).is_empty());
    assert_eq!(
        ids(&list(&owner, &app, &[("priority", "high")]).await),
        [kettle_id]
    );
    assert_eq!(
        ids(&list(&owner, &app, &[("q", "replacem")]).await),
        [kettle_id],
        "prefix of the description"
    );
    assert_eq!(
        ids(&list(&owner, &app, &[("q", "invoice")]).await),
        [invoice_id]
    );
    let (status, _) =
        json_of(call::<ListTickets>(&owner, &app, &[("status", "closed")]).await).await;
    assert_eq!(status, 400);

    let (status, changed) = update(
        &owner,
        &app,
        kettle_id,
        &[
            ("subject", "Kettle arrived broken"),
            ("status", "pending"),
            ("priority", "urgent"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["assignee_id"],
        Value::Null,
        "the form says nobody now"
    );
    let pending = list(&owner, &app, &[("status", "pending")]).await;
    assert_eq!(ids(&pending), [kettle_id]);
    assert_eq!(
        (
            pending["counts"]["open"].as_i64(),
            pending["counts"]["pending"].as_i64()
        ),
        (Some(1), Some(1))
    );
    for status in ["open", "pending", "solved"] {
        assert_eq!(
            pending["counts"][status].as_i64().unwrap(),
            recount(&app, status).await,
            "{status}"
        );
    }
    let (status, _) = update(&owner, &app, 999_999, &[("subject", "x")]).await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_is_told_once_when_a_ticket_from_their_conversation_is_solved() {
    let app = spawn().await;
    let agent = operator(&app, "agent@liaison.local").await;
    let token = visitor(&app).await;
    send(&app, &token, "t-1", "My kettle arrived broken").await;
    let view = wait_for_messages(&app, &token, 1).await;
    let conversation = view.conversation.unwrap().id.to_string();
    let (status, ticket) = create(
        &agent,
        &app,
        &[
            ("subject", "Broken kettle"),
            ("conversation", &conversation),
        ],
    )
    .await;
    assert_eq!(status, 200, "{ticket}");
    let id = ticket["id"].as_i64().unwrap();
    // The panel lists it, with who can be assigned.
    let r = call::<ConversationTickets>(&agent, &app, &[("conversation_id", &conversation)]).await;
    let (status, panel) = json_of(r).await;
    assert_eq!(status, 200, "{panel}");
    assert_eq!(panel["tickets"][0]["id"].as_i64(), Some(id));
    let names: Vec<&str> = panel["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o[1].as_str())
        .collect();
    assert!(names.contains(&"Sam (demo agent)"), "{names:?}");
    let fields = [
        ("subject", "Broken kettle"),
        ("conversation", conversation.as_str()),
        ("status", "solved"),
    ];
    assert_eq!(update(&agent, &app, id, &fields).await.0, 200);
    // Saved again while solved: no second notice.
    assert_eq!(update(&agent, &app, id, &fields).await.0, 200);
    let notice = liaison_protocol::ticket::solved_notice(id, "Broken kettle");
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.iter().any(|m| m.body == notice))
    })
    .await;
    let told = view
        .conversation
        .unwrap()
        .messages
        .iter()
        .filter(|m| m.body == notice)
        .count();
    assert_eq!(told, 1);
    app.stop().await;
}
