//! The panel's other tools over HTTP: Capture Lead (validation, pre-fill, the Leads list and
//! its CSV), ratings (bounds, once, only when resolved; the row, the event and Reviews) and
//! quick replies (who manages them, what is valid).

use crate::common::*;
use liaison::app::conversations::api::ResolveConversation;
use liaison::app::leads::api::{CaptureLead, LeadPrefill, ListLeads};
use liaison::app::reviews::ListReviews;
use liaison::app::settings::quick_replies::{QuickReplies, SaveQuickReply};
use liaison::server::db;
use liaison_protocol::ConversationStatus;
use serde_json::{Value, json};
use std::time::Duration;

async fn waiting(app: &TestApp) -> (String, i64) {
    let token = visitor(app).await;
    send(app, &token, "p-1", "I need a human agent").await;
    let id = wait_for_status(app, &token, ConversationStatus::NeedsAgent)
        .await
        .conversation
        .unwrap()
        .id;
    (token, id)
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_are_checked_prefilled_listed_and_exported() {
    let app = spawn().await;
    let (_, id) = waiting(&app).await;
    let visitor_id = {
        let mut conn = app.server.db.read.acquire().await.unwrap();
        db::conversations::find(conn.conn(), id)
            .await
            .unwrap()
            .unwrap()
            .visitor_id
    };
    // What the pre-chat form stores on the visitor.
    let mut tx = app.server.db.write().await.unwrap();
    execute(
        tx.conn(),
        "UPDATE visitors SET name = 'Ana López', email = 'ana@example.com', phone = '+34 600 111 222' WHERE id = $1",
        visitor_id,
    )
    .await;
    tx.commit().await.unwrap();

    let agents = add_agents(&app, 1).await;
    let agent = operator(&app, &agents[0]).await;
    let cid = id.to_string();
    let (status, prefill) =
        json_of(call::<LeadPrefill>(&agent, &app, &[("conversation_id", &cid)]).await).await;
    assert_eq!(status, 200);
    assert_eq!(prefill["email"], "ana@example.com");
    assert_eq!(prefill["name"], "Ana López");
    assert_eq!(prefill["phone"], "+34 600 111 222");

    let capture = |email: &'static str, name: &'static str, company: &'static str| {
        let (agent, app, cid) = (&agent, &app, cid.clone());
        async move {
            json_of(
                call::<CaptureLead>(
                    agent,
                    app,
                    &[
                        ("conversation_id", cid.as_str()),
                        ("form[email]", email),
                        ("form[name]", name),
                        ("form[phone]", "+34 600 111 222"),
                        ("form[company]", company),
                        ("form[message]", "Wants a quote"),
                    ],
                )
                .await,
            )
            .await
        }
    };
    for bad in ["", "ana", "ana@example", "ana @example.com"] {
        let (status, body) = capture(bad, "Ana López", "Acme").await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = capture("ana@example.com", "Ana López", "=HYPERLINK(\"http://x\")").await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = capture("ben@other.org", "Ben", "Bens Bikes").await;
    assert_eq!(status, 200);

    // The list, newest first, and search by the start of an email, name or company.
    let list = |q: &'static str| {
        let (agent, app) = (&agent, &app);
        async move {
            json_of(call::<ListLeads>(agent, app, &[("q", q)]).await)
                .await
                .1
        }
    };
    let all = list("").await;
    let emails: Vec<&str> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ben@other.org", "ana@example.com"]);
    assert_eq!(all["rows"][1]["conversation_id"], id);
    assert_eq!(all["rows"][1]["captured_by"], "Agent 0");
    assert_eq!(list("ANA").await["rows"].as_array().unwrap().len(), 1);
    assert_eq!(list("bens").await["rows"][0]["email"], "ben@other.org");
    assert_eq!(
        list("example").await["rows"].as_array().unwrap().len(),
        0,
        "prefix only"
    );
    assert_eq!(
        list("%").await["rows"].as_array().unwrap().len(),
        0,
        "wildcards are literal"
    );

    // The CSV: a header, one line per lead, formulas defused.
    let r = agent
        .get(app.url("/api/leads/export.csv?q=ana"))
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
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("email,name,phone,company"));
    assert!(
        lines[1].starts_with("ana@example.com,Ana López,'+34 600 111 222,\"'=HYPERLINK("),
        "{}",
        lines[1]
    );
    assert_eq!(
        client()
            .get(app.url("/api/leads/export.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_are_bounded_once_and_shown() {
    let app = spawn().await;
    let (token, id) = waiting(&app).await;
    let rate = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move {
            json_of(
                client()
                    .post(app.url("/api/widget/v1/rating"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = rate(json!({"stars": 5})).await;
    assert_eq!(status, 400, "not resolved yet: {body}");
    assert!(body["error"].as_str().unwrap().contains("resolved"));

    let owner = operator(&app, OWNER_EMAIL).await;
    let r = call::<ResolveConversation>(&owner, &app, &[("id", &id.to_string())]).await;
    assert_eq!(r.status(), 200);
    let mut stream = dashboard_stream(&owner, &app, None).await;
    for bad in [
        json!({"stars": 0}),
        json!({"stars": 6}),
        json!({"stars": 4, "categories": ["Rude"]}),
    ] {
        let (status, body) = rate(bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) =
        rate(json!({"stars": 4, "categories": ["Helpful", "Fast"], "comment": " Quick and kind "}))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(rate(json!({"stars": 1})).await.0, 400, "once");
    let view = conversation(&app, &token).await.conversation.unwrap();
    assert!(view.rated, "the widget is told, so it does not ask again");

    // Operators get the rating live, and the row's Rating column with it.
    let mut rated = None;
    let mut row_rating = None;
    while rated.is_none() || row_rating.is_none() {
        let e = stream.next(Duration::from_secs(10)).await.expect("events");
        match e.data["type"].as_str() {
            Some("rated") => rated = Some(e.data["rating"].clone()),
            Some("conversation_updated") => {
                row_rating = Some(e.data["conversation"]["rating"].clone())
            }
            _ => {}
        }
    }
    assert_eq!(
        rated.unwrap(),
        json!({"stars": 4, "categories": ["Fast", "Helpful"], "comment": "Quick and kind"})
    );
    assert_eq!(row_rating.unwrap(), 4);

    // Reviews: Admin and Owner only, filterable by stars.
    let (status, page) = json_of(call::<ListReviews>(&owner, &app, &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(page["rows"][0]["conversation_id"], id);
    assert_eq!(page["rows"][0]["rating"]["comment"], "Quick and kind");
    let (_, fives) = json_of(call::<ListReviews>(&owner, &app, &[("stars", "5")]).await).await;
    assert!(fives["rows"].as_array().unwrap().is_empty());
    let agents = add_agents(&app, 1).await;
    let agent = operator(&app, &agents[0]).await;
    assert_eq!(call::<ListReviews>(&agent, &app, &[]).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_replies_are_managed_by_admins_and_read_by_everyone() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agents = add_agents(&app, 1).await;
    let agent = operator(&app, &agents[0]).await;
    let save = |c: &reqwest::Client, shortcut: &'static str| {
        let (c, app) = (c.clone(), &app);
        async move {
            json_of(
                call::<SaveQuickReply>(
                    &c,
                    app,
                    &[
                        ("title", "Refunds"),
                        ("shortcut", shortcut),
                        ("body", "Refunds take 5 days."),
                    ],
                )
                .await,
            )
            .await
        }
    };
    assert_eq!(save(&agent, "refund").await.0, 403);
    assert_eq!(save(&owner, "/Refund").await.0, 200);
    let (status, body) = save(&owner, "refund").await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("already used"), "{body}");
    assert_eq!(save(&owner, "two words").await.0, 400);
    let (status, list) = json_of(call::<QuickReplies>(&agent, &app, &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["shortcut"], "refund");
    assert_eq!(list[0]["body"], "Refunds take 5 days.");
}

/// The next live-only frame named `name` within a few seconds.
async fn live_frame(stream: &mut SseReader, name: &str) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Some(f) = stream
        .next_frame(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await
    {
        if f.event.as_deref() == Some(name) {
            return Some(f.data);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_viewing_are_live_only_and_go_where_they_should() {
    use liaison::app::conversations::api::{JoinConversation, SignalPresence};
    let app = spawn().await;
    let (token, id) = waiting(&app).await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let mut dashboard = dashboard_stream(&owner, &app, None).await;
    let mut widget = widget_stream(&app, &token).await;

    // The visitor types: operators see it; the visitor's own stream does not echo it.
    let r = client()
        .post(app.url("/api/widget/v1/typing"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let typing = live_frame(&mut dashboard, "typing")
        .await
        .expect("operators see it");
    assert_eq!(
        typing,
        json!({"type": "typing", "conversation_id": id, "sender": "customer"})
    );
    assert_eq!(live_frame(&mut widget, "typing").await, None);

    // An operator who does not hold the conversation typing means nothing; the holder's does.
    let cid = id.to_string();
    let signal = |typing: &'static str| {
        let (owner, app, cid) = (&owner, &app, cid.clone());
        async move {
            call::<SignalPresence>(owner, app, &[("id", cid.as_str()), ("typing", typing)])
                .await
                .status()
        }
    };
    assert_eq!(signal("true").await, 200);
    assert_eq!(live_frame(&mut widget, "typing").await, None);
    assert_eq!(
        call::<JoinConversation>(&owner, &app, &[("id", &cid)])
            .await
            .status(),
        200
    );
    assert_eq!(signal("true").await, 200);
    let typing = live_frame(&mut widget, "typing")
        .await
        .expect("the visitor sees it");
    assert_eq!(typing["sender"], "agent");

    // Viewing: operators see who looks; the visitor never does.
    assert_eq!(signal("false").await, 200);
    let viewing = live_frame(&mut dashboard, "viewing")
        .await
        .expect("operators see it");
    assert_eq!(viewing["name"], "Owner");
    assert_eq!(live_frame(&mut widget, "viewing").await, None);

    // Nothing of it was stored.
    let stored = db::events::after(
        &app.server.db.read,
        liaison::server::realtime::Scope::Dashboard,
        0,
        1000,
    )
    .await
    .unwrap();
    assert!(
        stored
            .iter()
            .all(|e| !matches!(e.event.kind(), "typing" | "viewing"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_learns_when_nobody_is_online() {
    use liaison::app::auth::SetAvailability;
    let app = spawn().await;
    let token = visitor(&app).await;
    let online = || {
        let (app, token) = (&app, token.clone());
        async move { conversation(app, &token).await.operators_online }
    };
    assert!(online().await, "the owner and the demo agent start online");
    // Everyone goes away.
    for email in [OWNER_EMAIL, "agent@liaison.local"] {
        let c = operator(&app, email).await;
        let r = call::<SetAvailability>(&c, &app, &[("online", "false")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    assert!(!online().await);
    let owner = operator(&app, OWNER_EMAIL).await;
    call::<SetAvailability>(&owner, &app, &[("online", "true")]).await;
    assert!(online().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_business_hours_the_widget_says_the_team_is_away_and_takes_a_message() {
    use liaison::app::settings::business_hours::SaveBusinessHours;
    let app = spawn().await;
    let token = visitor(&app).await;
    let online = || {
        let (app, token) = (&app, token.clone());
        async move { conversation(app, &token).await.operators_online }
    };
    assert!(online().await, "business hours start off");
    let owner = operator(&app, OWNER_EMAIL).await;
    let save = |enabled: bool, zone: &'static str, hours: &'static str| {
        let (owner, app) = (&owner, &app);
        async move {
            let days = [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ]
            .map(|day| format!("form[week][{day}]"));
            let mut fields = vec![("form[time_zone]", zone)];
            if enabled {
                fields.push(("form[enabled]", "on"));
            }
            fields.extend(days.iter().map(|d| (d.as_str(), hours)));
            call::<SaveBusinessHours>(owner, app, &fields).await
        }
    };
    // Open around the clock every day: operators' availability alone decides.
    let r = save(true, "Pacific/Auckland", "00:00-24:00").await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(online().await);
    // Closed every day: away, although operators are available.
    let r = save(true, "Pacific/Auckland", "").await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(!online().await);
    // A time zone the server does not know is refused, and nothing changes.
    let r = save(false, "Mars/Olympus", "").await;
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("not a time zone"));
    assert!(!online().await);
    // Off again: availability alone.
    save(false, "UTC", "").await;
    assert!(online().await);

    // Away: "Leave a message" needs an address to reply to. Without one it is refused and
    // nothing changes; a wrong one too; a good one is stored and the message is left.
    save(true, "Pacific/Auckland", "").await;
    let lang = json!({"metadata": {"language": "fr-FR"}});
    let french = session(&app, lang).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let leave = |token: String, body: Option<Value>| {
        let app = &app;
        async move {
            let r = client()
                .post(app.url("/api/widget/v1/escalate"))
                .bearer_auth(&token);
            let r = match body {
                Some(b) => r.json(&b),
                None => r,
            };
            json_of(r.send().await.unwrap()).await
        }
    };
    let (status, refused) = leave(french.clone(), None).await;
    assert_eq!(status, 400);
    assert!(
        refused["error"].as_str().unwrap().contains("email address"),
        "{refused}"
    );
    let (status, refused) = leave(french.clone(), Some(json!({"email": "ana@"}))).await;
    assert_eq!(status, 400, "{refused}");
    let view = conversation(&app, &french).await;
    assert!(view.conversation.is_none() && !view.email_on_file);
    let (status, left) = leave(french.clone(), Some(json!({"email": " ana@example.com "}))).await;
    assert_eq!(status, 200, "{left}");
    assert_eq!(left["status"], "needs_agent");
    let view = conversation(&app, &french).await;
    assert!(view.email_on_file);
    let messages = view.conversation.unwrap().messages;
    let said = &messages.last().unwrap().body;
    assert!(
        said.contains("e-mail"),
        "answered in the visitor's language: {said}"
    );
    // Stored on the visitor: Capture Lead is pre-filled with it.
    let cid = left["conversation_id"].to_string();
    let (_, prefill) =
        json_of(call::<LeadPrefill>(&owner, &app, &[("conversation_id", &cid)]).await).await;
    assert_eq!(prefill["email"], "ana@example.com");
    // A known address is not asked again; while someone can answer none is needed.
    save(false, "UTC", "").await;
    let (status, _) = leave(token.clone(), None).await;
    assert_eq!(status, 200);
}
