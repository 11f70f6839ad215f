//! Settings → Widget security: only the listed sites may use the widget API (CORS and a
//! refusal), and identity verification makes a signed user the same visitor on every device,
//! refuses a wrong signature, and (when required) an unsigned claim.

use crate::common::*;
use hmac::{Hmac, Mac};
use liaison::app::settings::widget_security::{
    NewIdentitySecret, SaveWidgetSecurity, WidgetSecurity,
};
use serde_json::{Value, json};
use sha2::Sha256;

async fn session_from(app: &TestApp, origin: Option<&str>, body: Value) -> reqwest::Response {
    let mut r = client().post(app.url("/api/widget/v1/session")).json(&body);
    if let Some(o) = origin {
        r = r.header("origin", o);
    }
    r.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_listed_sites_may_use_the_widget() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    // Nothing listed: any site (the page warns).
    let r = session_from(&app, Some("https://anyone.example"), json!({})).await;
    assert_eq!(r.status(), 200);
    let r = call::<SaveWidgetSecurity>(
        &owner,
        &app,
        &[(
            "form[allowed_origins]",
            "https://shop.example.com\nnot a site",
        )],
    )
    .await;
    assert_eq!(r.status(), 400, "a bad line is refused, nothing saved");
    let r = call::<SaveWidgetSecurity>(
        &owner,
        &app,
        &[(
            "form[allowed_origins]",
            "https://shop.example.com\nhttps://*.example.org",
        )],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let r = session_from(&app, Some("https://evil.example"), json!({})).await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("not allowed"));
    for allowed in ["https://shop.example.com", "https://help.example.org"] {
        let r = session_from(&app, Some(allowed), json!({})).await;
        assert_eq!(r.status(), 200, "{allowed}");
        assert_eq!(r.headers()["access-control-allow-origin"], allowed);
    }
    // The browser's preflight gets no permission for another site.
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, app.url("/api/widget/v1/messages"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let r = preflight("https://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = preflight("https://shop.example.com").await.unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );
    // A server (no Origin) is not a browser on another site: served, within the limits.
    assert_eq!(session_from(&app, None, json!({})).await.status(), 200);
    app.stop().await;
}

fn sign(secret: &str, user: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_user_is_one_visitor_on_every_device() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    // Requiring verification needs a secret first.
    let r = call::<SaveWidgetSecurity>(&owner, &app, &[("form[require_identity]", "on")]).await;
    assert_eq!(r.status(), 400);
    let secret: String = call::<NewIdentitySecret>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(secret.len(), 64);
    // Never shown again, never stored as it is.
    let shown = call::<WidgetSecurity>(&owner, &app, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(!shown.contains(&secret) && shown.contains("\"has_identity_secret\":true"));
    let stored: Value = liaison::server::db::settings::get(&app.server.db.read, "widget_security")
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.to_string().contains(&secret));

    let claim = |id: &str, hash: Option<String>| json!({"user": {"id": id, "hash": hash}});
    // The laptop.
    let laptop: Value = session_from(&app, None, claim("user-42", Some(sign(&secret, "user-42"))))
        .await
        .json()
        .await
        .unwrap();
    let laptop_token = laptop["token"].as_str().unwrap().to_string();
    assert_eq!(
        send(&app, &laptop_token, "l-1", "Hello from my laptop")
            .await
            .status(),
        200
    );
    // The phone, without the laptop's token: the same visitor, with the conversation.
    let phone: Value = session_from(&app, None, claim("user-42", Some(sign(&secret, "user-42"))))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(phone["visitor_id"], laptop["visitor_id"]);
    let phone_token = phone["token"].as_str().unwrap();
    assert_ne!(phone_token, laptop_token);
    let seen = conversation(&app, phone_token).await.conversation.unwrap();
    assert_eq!(seen.messages[0].body, "Hello from my laptop");

    // A wrong signature, or one for another user: refused, nothing made.
    let r = session_from(&app, None, claim("user-42", Some(sign("guess", "user-42")))).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("does not match"));
    let r = session_from(&app, None, claim("user-43", Some(sign(&secret, "user-42")))).await;
    assert_eq!(r.status(), 403);
    // An unsigned claim is not believed: a new anonymous visitor.
    let unsigned: Value = session_from(&app, None, claim("user-42", None))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(unsigned["visitor_id"], laptop["visitor_id"]);
    // The laptop's token without the user (signed out on the site): not resumed.
    let after: Value = session_from(&app, None, json!({"token": laptop_token}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(after["visitor_id"], laptop["visitor_id"]);
    // An anonymous visitor who signs in on the site becomes that (new) user, conversation
    // and all.
    let anon: Value = session_from(&app, None, json!({}))
        .await
        .json()
        .await
        .unwrap();
    let anon_token = anon["token"].as_str().unwrap().to_string();
    send(&app, &anon_token, "a-1", "Question before signing in").await;
    let signed_in: Value = session_from(
        &app,
        None,
        json!({"token": anon_token, "user": {"id": "user-7", "hash": sign(&secret, "user-7")}}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(signed_in["visitor_id"], anon["visitor_id"]);
    assert_eq!(signed_in["token"], anon["token"]);

    // Required: an unsigned claim is refused; an anonymous visit is still welcome.
    let r = call::<SaveWidgetSecurity>(&owner, &app, &[("form[require_identity]", "on")]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = session_from(&app, None, claim("user-42", None)).await;
    assert_eq!(r.status(), 403);
    assert_eq!(session_from(&app, None, json!({})).await.status(), 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_users_first_devices_at_once_are_one_visitor() {
    // PostgreSQL writes in parallel: two first sessions of one user both find no visitor, and
    // the second to insert meets the unique index. Both must still get that one visitor.
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let secret: String = call::<NewIdentitySecret>(&owner, &app, &[])
        .await
        .json()
        .await
        .unwrap();
    for round in 0..5 {
        let user = format!("user-at-once-{round}");
        let body = json!({"user": {"id": user, "hash": sign(&secret, &user)}});
        let answers =
            futures::future::join_all((0..6).map(|_| session_from(&app, None, body.clone()))).await;
        let mut visitors = std::collections::HashSet::new();
        for r in answers {
            assert_eq!(r.status(), 200, "a device of {user} was refused");
            let v: Value = r.json().await.unwrap();
            visitors.insert(v["visitor_id"].as_i64().unwrap());
        }
        assert_eq!(visitors.len(), 1, "{user} became {visitors:?}");
    }
    app.stop().await;
}
