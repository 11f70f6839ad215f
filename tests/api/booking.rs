//! Booking a meeting from the widget: Settings → Bookings (checked, Admins only), the card of
//! free slots, booking one (the Booked tab, the card in the operators' thread), and a slot never
//! booked twice, however the requests race.

use crate::common::*;
use liaison::app::conversations::api::{GetConversation, ListConversations};
use liaison::app::settings::bookings::SaveBookingSettings;
use liaison_protocol::{Message, MessageKind};
use serde_json::json;

const EVERY_DAY: &str = "00:00-24:00";

/// Turns bookings on (every day, all day, 30-minute slots) as the owner.
async fn enable(app: &TestApp, zone: &str) -> reqwest::Response {
    let owner = operator(app, OWNER_EMAIL).await;
    call::<SaveBookingSettings>(
        &owner,
        app,
        &[
            ("form[enabled]", "on"),
            ("form[time_zone]", zone),
            ("form[slot_minutes]", "30"),
            ("form[days_ahead]", "3"),
            ("form[week][monday]", EVERY_DAY),
            ("form[week][tuesday]", EVERY_DAY),
            ("form[week][wednesday]", EVERY_DAY),
            ("form[week][thursday]", EVERY_DAY),
            ("form[week][friday]", EVERY_DAY),
            ("form[week][saturday]", EVERY_DAY),
            ("form[week][sunday]", EVERY_DAY),
            ("form[blackout]", ""),
        ],
    )
    .await
}

async fn offer(app: &TestApp, token: &str) -> (u16, serde_json::Value) {
    let r = client()
        .post(app.url("/api/widget/v1/booking/offer"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn book(app: &TestApp, token: &str, start: &serde_json::Value) -> (u16, serde_json::Value) {
    let r = client()
        .post(app.url("/api/widget/v1/booking"))
        .bearer_auth(token)
        .json(&json!({ "start": start }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_checked_and_for_admins() {
    let app = spawn().await;
    let token = visitor(&app).await;
    assert!(!conversation(&app, &token).await.booking, "off by default");
    let (status, body) = offer(&app, &token).await;
    assert_eq!(status, 400, "{body}");

    let agents = add_agents(&app, 1).await;
    let agent = operator(&app, &agents[0]).await;
    let r = call::<SaveBookingSettings>(&agent, &app, &[("form[time_zone]", "UTC")]).await;
    assert_eq!(r.status(), 403, "Agents cannot change bookings");

    let r = enable(&app, "Mars/Olympus").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Mars/Olympus"));
    assert!(!conversation(&app, &token).await.booking, "nothing saved");

    assert_eq!(enable(&app, "Europe/Paris").await.status(), 200);
    assert!(conversation(&app, &token).await.booking);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booked_slot_is_booked_once_and_shown_to_operators() {
    let app = spawn().await;
    assert_eq!(enable(&app, "America/New_York").await.status(), 200);
    let ana = visitor(&app).await;
    let ben = visitor(&app).await;

    let (status, card) = offer(&app, &ana).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["kind"], "booking");
    let slots = card["booking"]["slots"].as_array().unwrap().clone();
    assert_eq!(slots.len(), liaison_protocol::booking::MAX_OFFERED);
    assert!(
        slots
            .windows(2)
            .all(|w| w[0]["start"].as_i64() < w[1]["start"].as_i64())
    );
    let chosen = slots[3]["start"].clone();

    // A time that is not a slot, and a slot of another minute, are refused.
    let (status, _) = book(&app, &ana, &json!(chosen.as_i64().unwrap() + 60_000)).await;
    assert_eq!(status, 400);

    // Ben opens the card too, then both choose the same slot at once: one wins.
    let (status, _) = offer(&app, &ben).await;
    assert_eq!(status, 200);
    let (a, b) = tokio::join!(book(&app, &ana, &chosen), book(&app, &ben, &chosen));
    let mut outcomes = [a.0, b.0];
    outcomes.sort();
    assert_eq!(outcomes, [200, 409], "one booking per slot: {a:?} {b:?}");
    let (winner, loser) = if a.0 == 200 {
        (&ana, &ben)
    } else {
        (&ben, &ana)
    };
    let loser_reply = if a.0 == 200 { &b.1 } else { &a.1 };
    assert!(
        loser_reply["error"]
            .as_str()
            .unwrap()
            .contains("choose another")
    );

    // The winner's thread: the confirmation, with the booked slot.
    let view = conversation(&app, winner).await.conversation.unwrap();
    let confirmation: &Message = view.messages.last().unwrap();
    assert_eq!(confirmation.kind, MessageKind::Booking);
    let booked = confirmation.booking.as_ref().unwrap().booked.unwrap();
    assert_eq!(Some(booked.start), chosen.as_i64());
    assert_eq!(booked.end - booked.start, 30 * 60_000);
    assert!(confirmation.body.starts_with("Meeting booked: "));
    assert!(confirmation.body.contains("(America/New_York)"));

    // The slot is not offered again, to anyone.
    let (_, again) = offer(&app, loser).await;
    assert!(
        again["booking"]["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["start"] != chosen)
    );

    // Operators: the Booked tab and count, and the card in the thread.
    let owner = operator(&app, OWNER_EMAIL).await;
    let list: liaison::app::conversations::api::List =
        call::<ListConversations>(&owner, &app, &[("tab", "booked")])
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(list.rows.len(), 1);
    assert!(list.rows[0].booked);
    assert_eq!(list.counts.widget.booked, 1);
    let id = list.rows[0].id.to_string();
    let detail: serde_json::Value = call::<GetConversation>(&owner, &app, &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let messages = detail["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["booking"]["booked"]["start"] == chosen)
    );
    assert!(messages.iter().any(|m| {
        m["booking"]["slots"]
            .as_array()
            .is_some_and(|s| s.len() > 1)
    }));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_the_ai_for_a_meeting_offers_the_slots() {
    let app = spawn().await;
    // Bookings off: the request is a question like any other (no card).
    let before = visitor(&app).await;
    send(&app, &before, "m-1", "Can I book a demo for my team?").await;
    let view = wait_for(&app, &before, |v| {
        v.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() >= 2)
    })
    .await;
    let messages = view.conversation.unwrap().messages;
    assert!(messages.iter().all(|m| m.kind != MessageKind::Booking));

    assert_eq!(enable(&app, "Europe/Madrid").await.status(), 200);
    let token = visitor(&app).await;
    send(
        &app,
        &token,
        "m-1",
        "¿Puedo agendar una llamada con ventas?",
    )
    .await;
    let view = wait_for(&app, &token, |v| {
        v.conversation
            .as_ref()
            .is_some_and(|c| c.messages.len() >= 2)
    })
    .await;
    let card = view.conversation.unwrap().messages.pop().unwrap();
    assert_eq!(card.kind, MessageKind::Booking);
    assert_eq!(card.sender, liaison_protocol::Sender::Ai);
    assert!(
        card.body.starts_with("Con gusto"),
        "in the visitor's language: {}",
        card.body
    );
    assert!(!card.booking.unwrap().slots.is_empty());
    app.stop().await;
}
