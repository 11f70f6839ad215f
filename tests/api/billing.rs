//! Billing over HTTP: the Owner's alone; this month's figures from the rollups; limits checked
//! and saved.

use crate::common::*;
use liaison::app::billing::{CurrentBilling, SaveLimits};
use serde_json::Value;

async fn billing(c: &reqwest::Client, app: &TestApp) -> (u16, Value) {
    let r = call::<CurrentBilling>(c, app, &[]).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sees_this_months_usage_against_limits_they_set() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    assert_eq!(billing(&agent, &app).await.0, 403);
    let (status, before) = billing(&owner, &app).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["seats"], 2, "the Owner and the demo agent");
    assert_eq!(before["limits"]["seats"], Value::Null);
    let month = liaison::server::db::usage::day_of(liaison::server::now_ms());
    assert_eq!(before["month"], month[..7]);

    let token = visitor(&app).await;
    send(&app, &token, "b-1", "Hello").await;
    wait_for_messages(&app, &token, 1).await;
    let (_, after) = billing(&owner, &app).await;
    assert_eq!(
        after["conversations"].as_i64().unwrap(),
        before["conversations"].as_i64().unwrap() + 1
    );

    let save = |fields: [(&'static str, &'static str); 4]| {
        let (owner, app) = (&owner, &app);
        async move { call::<SaveLimits>(owner, app, &fields).await }
    };
    let r = save([
        ("form[conversations]", "1000"),
        ("form[tokens]", ""),
        ("form[cost_usd]", "ten dollars"),
        ("form[seats]", "2"),
    ])
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("AI cost a month"));
    assert_eq!(
        billing(&owner, &app).await.1["limits"]["seats"],
        Value::Null,
        "nothing saved"
    );
    let r = save([
        ("form[conversations]", "1000"),
        ("form[tokens]", ""),
        ("form[cost_usd]", "12.50"),
        ("form[seats]", "2"),
    ])
    .await;
    assert_eq!(r.status(), 200);
    let (_, saved) = billing(&owner, &app).await;
    assert_eq!(saved["limits"]["conversations"], 1000);
    assert_eq!(saved["limits"]["tokens"], Value::Null);
    assert_eq!(saved["limits"]["cost_micro_usd"], 12_500_000);
    assert_eq!(saved["limits"]["seats"], 2);
    let r = call::<SaveLimits>(&agent, &app, &[("form[seats]", "99")]).await;
    assert_eq!(r.status(), 403);
    app.stop().await;
}
