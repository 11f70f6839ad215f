//! Transfer and Delegate between operators: the lock moves (or not) as the dashboard guide says,
//! the rules hold over HTTP, every step is an event on the dashboard stream, and the lines in
//! the thread with the reasons never reach the visitor.

use crate::common::*;
use liaison::app::conversations::api::{AnswerDelegation, HandOff, JoinConversation, SendReply};
use liaison::server::db;
use liaison_protocol::{ConversationStatus, Sender};
use std::time::Duration;

struct Scene {
    app: TestApp,
    token: String,
    id: String,
    /// agent0 (holds the conversation), agent1, agent2.
    agents: Vec<reqwest::Client>,
    ids: Vec<i64>,
}

async fn scene() -> Scene {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "h-1", "I need a human agent").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let id = view.conversation.unwrap().id.to_string();
    let mut agents = Vec::new();
    let mut ids = Vec::new();
    for email in add_agents(&app, 3).await {
        agents.push(operator(&app, &email).await);
        let user = db::users::find_by_email(&app.server.db.read, &email)
            .await
            .unwrap()
            .unwrap();
        ids.push(user.id);
    }
    let r = call::<JoinConversation>(&agents[0], &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200);
    Scene {
        app,
        token,
        id,
        agents,
        ids,
    }
}

async fn row(s: &Scene) -> db::conversations::ConversationRow {
    let mut conn = s.app.server.db.read.acquire().await.unwrap();
    db::conversations::find(conn.conn(), s.id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn hand_off(s: &Scene, by: usize, to: i64, delegate: bool, reason: &str) -> (u16, String) {
    let r = call::<HandOff>(
        &s.agents[by],
        &s.app,
        &[
            ("id", &s.id),
            ("to", &to.to_string()),
            ("delegate", &delegate.to_string()),
            ("reason", reason),
        ],
    )
    .await;
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn answer(s: &Scene, by: usize, accept: bool) -> (u16, String) {
    let r = call::<AnswerDelegation>(
        &s.agents[by],
        &s.app,
        &[("id", &s.id), ("accept", &accept.to_string())],
    )
    .await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The next `handoff` event on the stream.
async fn next_handoff(stream: &mut SseReader) -> serde_json::Value {
    loop {
        let e = stream
            .next(Duration::from_secs(10))
            .await
            .expect("a handoff event");
        if e.data["type"] == "handoff" {
            return e.data;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_moves_the_lock_at_once() {
    let s = scene().await;
    let mut stream = dashboard_stream(&s.agents[1], &s.app, None).await;
    let mut widget_events = widget_stream(&s.app, &s.token).await;
    let (status, body) = hand_off(&s, 0, s.ids[1], false, "  Knows billing  ").await;
    assert_eq!(status, 200, "{body}");
    let row = row(&s).await;
    assert_eq!(row.assignee_id, Some(s.ids[1]));
    assert_eq!(row.status, ConversationStatus::Open);
    let event = next_handoff(&mut stream).await;
    assert_eq!(event["step"], "transferred");
    assert_eq!(event["to_id"], s.ids[1]);
    assert_eq!(event["reason"], "Knows billing");

    // The lock moved: the old holder cannot reply, the new one can.
    let id = s.id.as_str();
    let r = call::<SendReply>(&s.agents[0], &s.app, &[("id", id), ("body", "x")]).await;
    assert_eq!(r.status(), 409);
    let r = call::<SendReply>(
        &s.agents[1],
        &s.app,
        &[("id", id), ("body", "Hi, Ben here")],
    )
    .await;
    assert_eq!(r.status(), 200);
    // The widget's stream goes straight from before the transfer to the reply.
    let first = widget_events
        .next(Duration::from_secs(10))
        .await
        .expect("the reply");
    assert_eq!(first.data["type"], "message_created", "{:?}", first.data);
    assert_eq!(first.data["message"]["body"], "Hi, Ben here");

    // Operators read the line with the reason; the visitor never does.
    let operators_thread = db::messages::for_conversation(
        &s.app.server.db.read,
        row.id,
        db::messages::Audience::Operators,
    )
    .await
    .unwrap();
    let line = operators_thread
        .iter()
        .find(|m| m.internal)
        .expect("a handoff line");
    assert_eq!(line.sender, Sender::System);
    assert!(
        line.body
            .contains("Agent 0 transferred the conversation to Agent 1"),
        "{}",
        line.body
    );
    assert!(line.body.contains("Knows billing"));
    let widget = conversation(&s.app, &s.token).await.conversation.unwrap();
    assert!(
        widget
            .messages
            .iter()
            .all(|m| !m.body.contains("Knows billing"))
    );
    assert!(widget.messages.iter().any(|m| m.body == "Hi, Ben here"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegate_then_accept_or_reject() {
    let s = scene().await;
    let mut target_stream = dashboard_stream(&s.agents[1], &s.app, None).await;
    let (status, body) = hand_off(&s, 0, s.ids[1], true, "Spanish speaker").await;
    assert_eq!(status, 200, "{body}");
    let pending = row(&s).await;
    assert_eq!(pending.status, ConversationStatus::Delegated);
    assert_eq!(
        pending.assignee_id,
        Some(s.ids[0]),
        "the sender keeps it meanwhile"
    );
    let d = pending.delegation.clone().expect("a pending delegation");
    assert_eq!((d.to_id, d.to_name.as_str()), (s.ids[1], "Agent 1"));
    assert_eq!(d.reason.as_deref(), Some("Spanish speaker"));
    let event = next_handoff(&mut target_stream).await;
    assert_eq!(event["step"], "requested");

    // One request at a time; only the target answers; the sender still replies meanwhile.
    assert_eq!(hand_off(&s, 0, s.ids[2], true, "").await.0, 409);
    assert_eq!(answer(&s, 2, true).await.0, 409);
    assert_eq!(answer(&s, 0, true).await.0, 409);
    let r = call::<SendReply>(
        &s.agents[0],
        &s.app,
        &[("id", &s.id), ("body", "One moment")],
    )
    .await;
    assert_eq!(r.status(), 200);

    // Rejected: open again, the sender keeps it, the request is gone, the sender hears why.
    let mut sender_stream = dashboard_stream(&s.agents[0], &s.app, None).await;
    assert_eq!(answer(&s, 1, false).await.0, 200);
    let after = row(&s).await;
    assert_eq!(after.status, ConversationStatus::Open);
    assert_eq!(after.assignee_id, Some(s.ids[0]));
    assert_eq!(after.delegation, None);
    assert_eq!(next_handoff(&mut sender_stream).await["step"], "rejected");
    assert_eq!(answer(&s, 1, true).await.0, 409, "nothing pending any more");

    // Asked again and accepted: the lock moves to the target.
    assert_eq!(hand_off(&s, 0, s.ids[1], true, "").await.0, 200);
    assert_eq!(answer(&s, 1, true).await.0, 200);
    let after = row(&s).await;
    assert_eq!(after.status, ConversationStatus::Open);
    assert_eq!(after.assignee_id, Some(s.ids[1]));
    assert_eq!(after.delegation, None);
    let steps: Vec<String> = db::messages::for_conversation(
        &s.app.server.db.read,
        after.id,
        db::messages::Audience::Operators,
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|m| m.internal)
    .map(|m| m.body)
    .collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(
        steps[1].starts_with("Agent 1 declined Agent 0's request"),
        "{steps:?}"
    );
    assert!(
        steps[3].starts_with("Agent 1 accepted Agent 0's request"),
        "{steps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_rules_over_http() {
    let s = scene().await;
    // Over 200 characters: a clear error, and nothing changes.
    let (status, body) = hand_off(&s, 0, s.ids[1], false, &"x".repeat(201)).await;
    assert_eq!(status, 400);
    assert!(body.contains("at most 200"), "{body}");
    assert_eq!(row(&s).await.assignee_id, Some(s.ids[0]));
    // 200 characters (not bytes) are fine.
    let (status, body) = hand_off(&s, 0, s.ids[1], true, &"é".repeat(200)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(answer(&s, 1, false).await.0, 200);
    // Not the holder: refused.
    let (status, body) = hand_off(&s, 2, s.ids[1], false, "").await;
    assert_eq!(status, 409, "{body}");
    // To oneself, or to nobody: refused.
    assert_eq!(hand_off(&s, 0, s.ids[0], false, "").await.0, 400);
    assert_eq!(hand_off(&s, 0, 999_999, false, "").await.0, 400);
    // An Admin (the Owner here) may transfer a conversation they do not hold.
    let owner = operator(&s.app, OWNER_EMAIL).await;
    let r = call::<HandOff>(
        &owner,
        &s.app,
        &[
            ("id", &s.id),
            ("to", &s.ids[2].to_string()),
            ("delegate", "false"),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(row(&s).await.assignee_id, Some(s.ids[2]));
    // The visitor's stream never carried a handoff or an internal line: read back what the
    // widget sees.
    let widget = conversation(&s.app, &s.token).await.conversation.unwrap();
    assert!(widget.messages.iter().all(|m| !m.internal));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_either_side_of_a_pending_delegation_ends_it() {
    use liaison::app::team::api::DeactivateOperator;
    let s = scene().await;
    let owner = operator(&s.app, OWNER_EMAIL).await;
    let deactivate = |id: i64| {
        let (owner, app) = (&owner, &s.app);
        async move {
            call::<DeactivateOperator>(owner, app, &[("id", &id.to_string())])
                .await
                .status()
        }
    };
    // Offered to agent1, who leaves: as if they said no; agent0 keeps it.
    assert_eq!(hand_off(&s, 0, s.ids[1], true, "").await.0, 200);
    assert_eq!(row(&s).await.status, ConversationStatus::Delegated);
    assert_eq!(deactivate(s.ids[1]).await, 200);
    let r = row(&s).await;
    assert_eq!(
        (r.status, r.assignee_id),
        (ConversationStatus::Open, Some(s.ids[0]))
    );
    assert!(r.delegation.is_none());
    // Offered by agent0, who leaves: withdrawn, and the conversation is nobody's.
    assert_eq!(hand_off(&s, 0, s.ids[2], true, "").await.0, 200);
    assert_eq!(deactivate(s.ids[0]).await, 200);
    let r = row(&s).await;
    assert_eq!((r.status, r.assignee_id), (ConversationStatus::Open, None));
    assert!(r.delegation.is_none());
    s.app.stop().await;
}
