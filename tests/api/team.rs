//! The Team page over HTTP: who may invite whom (per role), the one-time invitation link (its
//! checks, expiry, single use), and an invitee joining and signing in.

use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::auth::CurrentOperator;
use liaison::app::team::api::{AcceptInvite, CurrentTeam, FindInvitation, InviteOperator};
use serde_json::Value;

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn invite(c: &reqwest::Client, app: &TestApp, email: &str, role: &str) -> (u16, Value) {
    json_of(call::<InviteOperator>(c, app, &[("form[email]", email), ("form[role]", role)]).await)
        .await
}

fn token(link: &Value) -> String {
    link["path"]
        .as_str()
        .unwrap()
        .strip_prefix("/invite/")
        .unwrap()
        .to_string()
}

/// A browser with no session, as an invitee arrives.
fn stranger(app: &TestApp) -> reqwest::Client {
    browser(app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_invite_agents_and_only_the_owner_invites_admins() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;

    let (status, _) = invite(&agent, &app, "new@example.com", "agent").await;
    assert_eq!(status, 403, "agents invite nobody");
    let (status, refused) = invite(&owner, &app, "not an address", "agent").await;
    assert_eq!(status, 400);
    assert!(
        refused.to_string().contains("not a valid email"),
        "{refused}"
    );
    let (status, refused) = invite(&owner, &app, "x@example.com", "owner").await;
    assert_eq!(status, 400, "{refused}");
    let (status, refused) = invite(&owner, &app, "agent@liaison.local", "agent").await;
    assert_eq!(status, 400);
    assert!(
        refused.to_string().contains("already on the team"),
        "{refused}"
    );

    // The Owner invites an Admin; the Admin, once in, invites Agents but not Admins.
    let (status, link) = invite(&owner, &app, "ada@example.com", "admin").await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["role"], "admin");
    let ada = stranger(&app);
    let r = call::<AcceptInvite>(
        &ada,
        &app,
        &[
            ("token", &token(&link)),
            ("form[name]", "Ada"),
            ("form[password]", "correct horse"),
        ],
    )
    .await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    let (status, _) = invite(&ada, &app, "bob@example.com", "admin").await;
    assert_eq!(status, 400, "only the Owner invites Admins");
    let (status, link) = invite(&ada, &app, "bob@example.com", "agent").await;
    assert_eq!(status, 200, "{link}");

    // The team lists everyone, and what each may invite.
    let (status, team) = json_of(call::<CurrentTeam>(&ada, &app, &[]).await).await;
    assert_eq!(status, 200, "{team}");
    assert!(
        team["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == "ada@example.com" && m["role"] == "admin")
    );
    assert_eq!(team["may_invite"], serde_json::json!(["agent"]));
    let pending: Vec<&str> = team["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        pending,
        ["bob@example.com"],
        "accepted invitations are not pending"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_link_works_once_until_it_expires() {
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let (_, link) = invite(&owner, &app, "cleo@example.com", "agent").await;
    let t = token(&link);
    let cleo = stranger(&app);
    let (status, found) =
        json_of(call::<FindInvitation>(&cleo, &app, &[("token", &t)]).await).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["email"], "cleo@example.com");
    let (status, _) =
        json_of(call::<FindInvitation>(&cleo, &app, &[("token", "guess")]).await).await;
    assert_eq!(status, 400);

    // A refused acceptance spends nothing.
    let accept = |password: &'static str| {
        let (cleo, app, t) = (&cleo, &app, t.clone());
        async move {
            call::<AcceptInvite>(
                cleo,
                app,
                &[
                    ("token", &t),
                    ("form[name]", "Cleo"),
                    ("form[password]", password),
                ],
            )
            .await
        }
    };
    let r = accept("short").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("10 characters"));
    let r = accept("a long password").await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    // Signed in as the new Agent.
    let (status, me) = json_of(call::<CurrentOperator>(&cleo, &app, &[]).await).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("Cleo"), Some("agent"))
    );
    // Once only.
    let r = accept("another long one").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not valid"));
    // And the password works for signing in.
    let again = stranger(&app);
    let r = again
        .post(app.url(liaison::app::auth::Login::PATH))
        .form(&[
            ("email", "cleo@example.com"),
            ("password", "a long password"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection() || r.status().is_success());
    let (status, me) = json_of(call::<CurrentOperator>(&again, &app, &[]).await).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("cleo@example.com"))
    );

    // An expired link is refused.
    let (_, link) = invite(&owner, &app, "dan@example.com", "agent").await;
    let mut tx = app.server.db.write().await.unwrap();
    execute(tx.conn(), "UPDATE invites SET expires_at = $1", 0).await;
    tx.commit().await.unwrap();
    let (status, _) =
        json_of(call::<FindInvitation>(&stranger(&app), &app, &[("token", &token(&link))]).await)
            .await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_changes_roles() {
    use liaison::app::team::api::ChangeRole;
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let agent_id = db_id(&app, "agent@liaison.local").await;
    let id = agent_id.to_string();
    let change = |c: &reqwest::Client, role: &'static str| {
        let (c, app, id) = (c.clone(), &app, id.clone());
        async move { call::<ChangeRole>(&c, app, &[("id", &id), ("role", role)]).await }
    };
    assert_eq!(
        agent
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(change(&owner, "admin").await.status(), 200);
    // At once, on the session they already have.
    assert_eq!(
        agent
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Now an Admin: still not allowed to change roles, theirs or anyone's.
    let r = change(&agent, "agent").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Only the Owner"));
    let r = change(&owner, "owner").await;
    assert_eq!(r.status(), 400, "ownership is not a role to give");
    assert_eq!(change(&owner, "agent").await.status(), 200);
    assert_eq!(
        agent
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}

/// Whether the demo agent signs in with `password`: the status of a call made signed in.
async fn signs_in(app: &TestApp, password: &str) -> u16 {
    let c = stranger(app);
    c.post(app.url(liaison::app::auth::Login::PATH))
        .form(&[("email", "agent@liaison.local"), ("password", password)])
        .send()
        .await
        .unwrap();
    json_of(call::<CurrentOperator>(&c, app, &[]).await).await.0
}

async fn db_id(app: &TestApp, email: &str) -> i64 {
    liaison::server::db::users::find_by_email(&app.server.db.read, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_operator_is_signed_out_everywhere_and_their_conversations_released() {
    use liaison::app::conversations::api::JoinConversation;
    use liaison::app::team::api::DeactivateOperator;
    use liaison_protocol::ConversationStatus;
    use std::time::Duration;
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let agent_id = db_id(&app, "agent@liaison.local").await;
    let token = visitor(&app).await;
    send(&app, &token, "d-1", "I need a human agent").await;
    let view = wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    let conversation = view.conversation.unwrap().id;
    let r = call::<JoinConversation>(&agent, &app, &[("id", &conversation.to_string())]).await;
    assert_eq!(r.status(), 200);
    let mut agent_stream = dashboard_stream(&agent, &app, None).await;
    let mut owner_stream = dashboard_stream(&owner, &app, None).await;

    // Nobody deactivates themselves or the Owner; Agents deactivate nobody.
    let off = |c: &reqwest::Client, id: i64| {
        let (c, app) = (c.clone(), &app);
        async move { call::<DeactivateOperator>(&c, app, &[("id", &id.to_string())]).await }
    };
    let owner_id = db_id(&app, OWNER_EMAIL).await;
    assert_eq!(off(&owner, owner_id).await.status(), 400);
    assert_eq!(off(&agent, owner_id).await.status(), 403);

    assert_eq!(off(&owner, agent_id).await.status(), 200);
    // Their stream ends at once, and their session is refused.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while agent_stream
            .next_frame(Duration::from_secs(10))
            .await
            .is_some()
        {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the deactivated operator's stream is still open"
    );
    let r = agent
        .get(app.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The lock is released, and every dashboard hears it.
    let released = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let e = owner_stream
                .next(Duration::from_secs(5))
                .await
                .expect("an event");
            if e.data["type"] == "assignee_changed" && e.data["assignee_id"].is_null() {
                return e;
            }
        }
    })
    .await;
    assert!(released.is_ok(), "no event released the conversation");
    let mut conn = app.server.db.read.acquire().await.unwrap();
    let row = liaison::server::db::conversations::find(conn.conn(), conversation)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(row.assignee_id, None);
    // They cannot sign in again, and are listed as deactivated.
    let again = stranger(&app);
    again
        .post(app.url(liaison::app::auth::Login::PATH))
        .form(&[("email", "agent@liaison.local"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, _) = json_of(call::<CurrentOperator>(&again, &app, &[]).await).await;
    assert_eq!(status, 401);
    let (_, team) = json_of(call::<CurrentTeam>(&owner, &app, &[]).await).await;
    let listed = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == agent_id)
        .cloned()
        .unwrap();
    assert_eq!(listed["deactivated"], true);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operator_changes_their_own_name_colour_and_password() {
    use liaison::app::profile::{ChangePassword, SaveProfile};
    let app = spawn().await;
    let agent = operator(&app, "agent@liaison.local").await;
    let save = |name: &'static str, colour: &'static str| {
        let (agent, app) = (&agent, &app);
        async move {
            call::<SaveProfile>(
                agent,
                app,
                &[("form[name]", name), ("form[colour]", colour)],
            )
            .await
        }
    };
    let r = save("Sam", "#123456").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("avatar colours"));
    assert_eq!(save("  ", "#059669").await.status(), 400);
    assert_eq!(save(" Sam Support ", "#059669").await.status(), 200);
    let (_, me) = json_of(call::<CurrentOperator>(&agent, &app, &[]).await).await;
    assert_eq!(
        (me["name"].as_str(), me["colour"].as_str()),
        (Some("Sam Support"), Some("#059669"))
    );

    // The agent signed in on a second device too.
    let elsewhere = operator(&app, "agent@liaison.local").await;
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        let (agent, app) = (&agent, &app);
        async move {
            call::<ChangePassword>(
                agent,
                app,
                &[
                    ("form[current]", current),
                    ("form[new]", new),
                    ("form[again]", again),
                ],
            )
            .await
        }
    };
    let r = change(
        "wrong password",
        "a new long password",
        "a new long password",
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("current password"));
    assert_eq!(
        change(PASSWORD, "a new long password", "a different one!")
            .await
            .status(),
        400
    );
    assert_eq!(
        change(PASSWORD, "a new long password", "a new long password")
            .await
            .status(),
        200
    );
    // This session goes on, the other device's ends; the new password signs in, the old one
    // no longer does.
    assert_eq!(
        json_of(call::<CurrentOperator>(&agent, &app, &[]).await)
            .await
            .0,
        200
    );
    assert_eq!(
        json_of(call::<CurrentOperator>(&elsewhere, &app, &[]).await)
            .await
            .0,
        401
    );
    assert_eq!(signs_in(&app, PASSWORD).await, 401);
    assert_eq!(signs_in(&app, "a new long password").await, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_hands_ownership_to_an_admin_and_there_is_always_one_owner() {
    use liaison::app::team::api::{ChangeRole, TransferOwnership};
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let id = db_id(&app, "agent@liaison.local").await.to_string();
    let transfer = |c: &reqwest::Client| {
        let (c, app, id) = (c.clone(), &app, id.clone());
        async move { call::<TransferOwnership>(&c, app, &[("id", &id)]).await }
    };
    let r = transfer(&owner).await;
    assert_eq!(r.status(), 400, "an Agent is made an Admin first");
    assert!(r.text().await.unwrap().contains("Admin first"));
    let r = call::<ChangeRole>(&owner, &app, &[("id", &id), ("role", "admin")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        transfer(&agent).await.status(),
        403,
        "only the Owner transfers"
    );
    assert_eq!(transfer(&owner).await.status(), 200);
    // The new Owner reaches the Owner's pages; the old one, now an Admin, does not.
    assert_eq!(
        agent.get(app.url("/usage")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        owner.get(app.url("/usage")).send().await.unwrap().status(),
        403
    );
    assert_eq!(
        owner.get(app.url("/team")).send().await.unwrap().status(),
        200
    );
    let (_, team) = json_of(call::<CurrentTeam>(&agent, &app, &[]).await).await;
    let owners = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "owner")
        .count();
    assert_eq!(owners, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_goes_down_the_roles_works_once_and_ends_old_sessions() {
    use liaison::app::team::api::{FindReset, ResetPassword, ResetPasswordLink};
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let agent = operator(&app, "agent@liaison.local").await;
    let (owner_id, agent_id) = (
        db_id(&app, OWNER_EMAIL).await,
        db_id(&app, "agent@liaison.local").await,
    );
    let link = |c: &reqwest::Client, id: i64| {
        let (c, app) = (c.clone(), &app);
        async move {
            json_of(call::<ResetPasswordLink>(&c, app, &[("id", &id.to_string())]).await).await
        }
    };
    assert_eq!(link(&agent, owner_id).await.0, 403, "Agents reset nobody's");
    let (status, refused) = link(&owner, owner_id).await;
    assert_eq!(status, 400, "not one's own: {refused}");
    let (status, first) = link(&owner, agent_id).await;
    assert_eq!(status, 200, "{first}");
    let (_, second) = link(&owner, agent_id).await;
    let token = |l: &Value| {
        l["path"]
            .as_str()
            .unwrap()
            .strip_prefix("/reset/")
            .unwrap()
            .to_string()
    };
    let find = |t: String| {
        let app = &app;
        async move { json_of(call::<FindReset>(&stranger(app), app, &[("token", &t)]).await).await }
    };
    assert_eq!(find(token(&first)).await.0, 400, "a newer link replaces it");
    let (status, who) = find(token(&second)).await;
    assert_eq!(
        (status, who["email"].as_str()),
        (200, Some("agent@liaison.local"))
    );
    // Nothing changes until the link is used.
    assert_eq!(
        json_of(call::<CurrentOperator>(&agent, &app, &[]).await)
            .await
            .0,
        200
    );

    let device = stranger(&app);
    let reset = |new: &'static str, again: &'static str| {
        let (device, app, t) = (&device, &app, token(&second));
        async move {
            call::<ResetPassword>(
                device,
                app,
                &[
                    ("token", t.as_str()),
                    ("form[new]", new),
                    ("form[again]", again),
                ],
            )
            .await
        }
    };
    assert_eq!(
        reset("a fresh password", "a fresh passwors").await.status(),
        400
    );
    assert_eq!(reset("short", "short").await.status(), 400);
    assert_eq!(
        json_of(call::<CurrentOperator>(&agent, &app, &[]).await)
            .await
            .0,
        200
    );
    let r = reset("a fresh password", "a fresh password").await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let (status, me) = json_of(call::<CurrentOperator>(&device, &app, &[]).await).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("agent@liaison.local"))
    );
    assert_eq!(
        json_of(call::<CurrentOperator>(&agent, &app, &[]).await)
            .await
            .0,
        401,
        "the session with the old password has ended"
    );
    assert_eq!(
        reset("another password!", "another password!")
            .await
            .status(),
        400,
        "once"
    );
    assert_eq!(signs_in(&app, PASSWORD).await, 401);
    assert_eq!(signs_in(&app, "a fresh password").await, 200);
    app.stop().await;
}
