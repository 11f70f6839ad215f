//! The pre-chat form: Settings (Admins only) decide what the widget asks; answers are checked,
//! stored on the visitor, shown on the operators' row and pre-fill Capture Lead.

use crate::common::*;
use liaison::app::leads::api::LeadPrefill;
use liaison::app::settings::prechat::SavePrechatSettings;
use liaison_protocol::prechat::Field;
use serde_json::json;

async fn answer(app: &TestApp, token: &str, body: serde_json::Value) -> (u16, String) {
    let r = client()
        .post(app.url("/api/widget/v1/prechat"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_is_asked_checked_stored_and_prefills_leads() {
    let app = spawn().await;
    let token = visitor(&app).await;
    assert!(
        conversation(&app, &token).await.prechat.is_empty(),
        "off by default"
    );

    let agents = add_agents(&app, 1).await;
    let agent = operator(&app, &agents[0]).await;
    let fields = [
        ("name", "optional"),
        ("email", "required"),
        ("phone", "off"),
    ];
    let r = call::<SavePrechatSettings>(&agent, &app, &fields).await;
    assert_eq!(r.status(), 403, "Agents cannot change the form");
    let owner = operator(&app, OWNER_EMAIL).await;
    let r = call::<SavePrechatSettings>(
        &owner,
        &app,
        &[("name", "sometimes"), ("email", "off"), ("phone", "off")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = call::<SavePrechatSettings>(&owner, &app, &fields).await;
    assert_eq!(r.status(), 200);

    let asked = conversation(&app, &token).await.prechat;
    let asked: Vec<(Field, bool)> = asked.iter().map(|a| (a.field, a.required)).collect();
    assert_eq!(asked, [(Field::Name, false), (Field::Email, true)]);

    // Missing or malformed required answers are refused and change nothing.
    let (status, body) = answer(&app, &token, json!({"name": "Ana"})).await;
    assert_eq!(status, 400);
    assert!(body.contains("email"), "{body}");
    let (status, _) = answer(&app, &token, json!({"name": "Ana", "email": "ana@"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        conversation(&app, &token).await.prechat.len(),
        2,
        "still asked"
    );

    let (status, _) = answer(
        &app,
        &token,
        json!({"name": " Ana López ", "email": "ana@example.com", "phone": "+34 600 111 222"}),
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        conversation(&app, &token).await.prechat.is_empty(),
        "answered"
    );

    // The operator sees the name on the row and Capture Lead starts from the answers.
    send(&app, &token, "p-1", "I need a human agent").await;
    let view = wait_for_status(
        &app,
        &token,
        liaison_protocol::ConversationStatus::NeedsAgent,
    )
    .await;
    let id = view.conversation.unwrap().id;
    let row = {
        let mut conn = app.server.db.read.acquire().await.unwrap();
        liaison::server::db::conversations::find(conn.conn(), id)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(row.summary().visitor, "Ana López");
    let prefill: serde_json::Value =
        call::<LeadPrefill>(&owner, &app, &[("conversation_id", &id.to_string())])
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(prefill["email"], "ana@example.com");
    assert_eq!(prefill["name"], "Ana López");
    assert_eq!(prefill["phone"], "", "the phone was not asked");
    app.stop().await;
}
