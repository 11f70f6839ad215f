//! Join is atomic: of many operators joining at once, exactly one holds the conversation.

use crate::common::*;
use liaison::app::conversations::api::{
    EscalateConversation, JoinConversation, LeaveConversation, ResolveConversation, SendReply,
};
use liaison::server::db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_joins_give_exactly_one_holder() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "j-1", "I need a human agent").await;
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.status == liaison_protocol::ConversationStatus::NeedsAgent)
    })
    .await;
    let conversation_id = view.conversation.unwrap().id;

    let mut operators = Vec::new();
    for email in add_agents(&app, 20).await {
        operators.push(operator(&app, &email).await);
    }

    let id = conversation_id.to_string();
    let joins = operators.iter().map(|c| {
        let id = id.clone();
        let app = &app;
        async move { call::<JoinConversation>(c, app, &[("id", &id)]).await }
    });
    let responses = futures::future::join_all(joins).await;
    let mut winners = Vec::new();
    for (i, r) in responses.into_iter().enumerate() {
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        match status {
            200 => winners.push(i),
            409 => assert!(body.contains("Locked by another agent"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one holder");
    let winner = winners[0];

    let mut conn = app.server.db.read.acquire().await.unwrap();
    let row = db::conversations::find(conn.conn(), conversation_id)
        .await
        .unwrap()
        .unwrap();
    let holder = db::users::find(&app.server.db.read, row.assignee_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder.email, format!("agent{winner}@test.local"));

    // Only the holder sends.
    let loser = &operators[(winner + 1) % 20];
    let r = call::<SendReply>(loser, &app, &[("id", &id), ("body", "hi")]).await;
    assert_eq!(r.status(), 409);
    let r = call::<SendReply>(
        &operators[winner],
        &app,
        &[("id", &id), ("body", "Hello, I'm here.")],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let messages = conversation(&app, &token)
        .await
        .conversation
        .unwrap()
        .messages;
    let reply = messages.last().unwrap();
    assert_eq!(reply.sender, liaison_protocol::Sender::Agent);
    assert_eq!(reply.body, "Hello, I'm here.");

    // Resolving releases the lock and closes the conversation.
    let r = call::<ResolveConversation>(&operators[winner], &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200);
    let row = db::conversations::find(conn.conn(), conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, liaison_protocol::ConversationStatus::Resolved);
    assert_eq!(row.assignee_id, None);
    let r = call::<SendReply>(&operators[winner], &app, &[("id", &id), ("body", "late")]).await;
    assert_eq!(r.status(), 409);
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_hands_back_and_operators_can_escalate_manually() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "l-1", "What are your opening hours?").await;
    let view = wait_for(&app, &token, |c| {
        c.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() == 2)
    })
    .await;
    let id = view.conversation.unwrap().id.to_string();
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;

    // Manual escalation from the dashboard.
    let r = call::<EscalateConversation>(&owner, &app, &[("id", &id)]).await;
    assert_eq!(r.status(), 200);
    let c = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(c.status, liaison_protocol::ConversationStatus::NeedsAgent);

    // Join, then leave: the lock is free again for someone else.
    assert_eq!(
        call::<JoinConversation>(&owner, &app, &[("id", &id)])
            .await
            .status(),
        200
    );
    assert_eq!(
        call::<JoinConversation>(&agent, &app, &[("id", &id)])
            .await
            .status(),
        409
    );
    // Only the holder can leave.
    assert_eq!(
        call::<LeaveConversation>(&agent, &app, &[("id", &id)])
            .await
            .status(),
        409
    );
    assert_eq!(
        call::<LeaveConversation>(&owner, &app, &[("id", &id)])
            .await
            .status(),
        200
    );
    assert_eq!(
        call::<JoinConversation>(&agent, &app, &[("id", &id)])
            .await
            .status(),
        200
    );

    // Joining told the visitor, and the AI now stays silent.
    send(&app, &token, "l-2", "What are your opening hours?").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let c = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(c.status, liaison_protocol::ConversationStatus::Open);
    assert!(
        c.messages
            .iter()
            .any(|m| m.sender == liaison_protocol::Sender::System)
    );
    assert_eq!(
        c.messages.last().unwrap().sender,
        liaison_protocol::Sender::Customer
    );

    // Unknown conversations are a clear 404.
    let r = call::<JoinConversation>(&agent, &app, &[("id", "999999")]).await;
    assert_eq!(r.status(), 404);
    app.stop().await;
}
