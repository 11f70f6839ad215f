//! Nobody gets dashboard data without signing in, and signed-in browsers cannot be driven from
//! a foreign origin.

use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::auth::Login;
use liaison::app::conversations::api::ListConversations;
use liaison::server::guard::{ADMIN_PAGES, OWNER_PAGES};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_an_anonymous_request() {
    let app = spawn().await;
    let paths: Vec<(&str, _)> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(
        paths.len() >= 8,
        "server functions are registered: {paths:?}"
    );
    let anonymous = browser(&app);
    for (path, method) in paths {
        let r = anonymous
            .request(method.clone(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id=1&status=&email=owner%40test.local&password=wrong&body=hi&token=nope&form[name]=Eve&form[password]=long+enough+password&form[new]=long+enough+password&form[again]=long+enough+password")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        if path.starts_with("/api/invite/") || path.starts_with("/api/reset/") {
            // Public: the invitation link's token is the credential, and this one is wrong.
            assert_eq!(status, 400, "{method} {path} answered {status}: {body}");
            assert!(
                body.contains("not valid") || body.contains("password"),
                "{path}: {body}"
            );
        } else if path == Login::PATH {
            assert!(
                body.contains("Wrong email or password"),
                "{path}: {status} {body}"
            );
            assert_ne!(status, 200);
        } else {
            assert_eq!(status, 401, "{method} {path} answered {status}: {body}");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_route_sends_anonymous_visitors_to_login() {
    let app = spawn().await;
    let routes = leptos_axum::generate_route_list(liaison::app::App);
    let mut checked = 0;
    for route in routes {
        let path = route.path().to_string();
        if path == "/login" || path.starts_with("/invite/") || path.starts_with("/reset/") {
            continue;
        }
        let r = client().get(app.url(&path)).send().await.unwrap();
        assert!(r.status().is_redirection(), "{path}: {}", r.status());
        // Back to the page asked for once signed in; the Overview needs no `next`.
        let back = if path == "/" {
            "/login".to_string()
        } else {
            format!("/login?next={path}")
        };
        assert_eq!(r.headers()["location"], back.as_str(), "{path}");
        checked += 1;
    }
    // With its query, and only ever to a page of this site.
    let r = client()
        .get(app.url("/conversations?tab=open&c=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/login?next=/conversations%3Ftab%3Dopen%26c%3D5"
    );
    let r = browser(&app)
        .post(app.url(Login::PATH))
        .form(&[
            ("email", OWNER_EMAIL),
            ("password", PASSWORD),
            ("next", "/conversations?tab=open"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/conversations?tab=open");
    let r = browser(&app)
        .post(app.url(Login::PATH))
        .form(&[
            ("email", OWNER_EMAIL),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    assert!(checked >= 2);
    let r = client()
        .get(app.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The public pages stay public.
    for path in ["/login", "/healthz", "/demo"] {
        let status = client().get(app.url(path)).send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_operators_get_data_but_not_from_a_foreign_origin() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let r = op
        .post(app.url(ListConversations::PATH))
        .form(&[("status", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = op
        .post(app.url(ListConversations::PATH))
        .header("origin", "http://evil.example")
        .form(&[("status", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Without an Origin (browsers always send one with a POST), only with a Referer of ours.
    let bare = reqwest::Client::new();
    let r = bare
        .post(app.url(Login::PATH))
        .form(&[("email", OWNER_EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(Login::PATH))
        .header("referer", app.url("/login"))
        .form(&[("email", OWNER_EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    // Every answer carries the security headers; pages, their policy with a script nonce.
    let r = op.get(app.url("/conversations")).send().await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["referrer-policy"]
            .to_str()
            .unwrap()
            .contains("origin")
    );
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_string();
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script has it"
    );
    let r = op.get(app.url("/conversations")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        !r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce),
        "a new nonce each page"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("Conversations"));
    // Rendered on the server, with the operator the access check found.
    assert!(page.contains("</span>Owner<!> · <!>Owner"), "{page}");

    // Bad input to a server function: a clear message, not a crash.
    let r = op
        .post(app.url(ListConversations::PATH))
        .form(&[("tab", "bogus")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Unknown tab"));

    // A wrong password does not sign in.
    let stranger = browser(&app);
    stranger
        .post(app.url(Login::PATH))
        .form(&[("email", OWNER_EMAIL), ("password", "nope-nope")])
        .send()
        .await
        .unwrap();
    let r = stranger
        .post(app.url(ListConversations::PATH))
        .form(&[("status", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_cannot_reach_admin_or_owner_functions_and_pages() {
    let app = spawn().await;
    let agent = operator(&app, "agent@liaison.local").await;
    let admin_only: Vec<(&str, _)> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(p, _)| p.starts_with("/api/admin/") || p.starts_with("/api/owner/"))
        .collect();
    assert!(admin_only.len() >= 10, "{admin_only:?}");
    for (path, method) in admin_only {
        let r = agent
            .request(method.clone(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path}");
    }
    let owner = operator(&app, OWNER_EMAIL).await;
    let pages = [ADMIN_PAGES, OWNER_PAGES].concat();
    assert_eq!(
        pages.len(),
        10,
        "analytics, connectors, documents, help center, knowledge gaps, settings, reviews, team; usage, billing"
    );
    // Admin routes that are not server functions: the Analytics CSV downloads.
    let r = agent
        .get(app.url("/api/admin/analytics/operators.csv?range=7"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "an agent downloading Analytics");
    for path in &pages {
        let r = agent.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "an agent on {path}");
        // The owner reaches them.
        let r = owner.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "the owner on {path}");
    }
    // The same operator made an Admin (roles are read on every request): the Admin pages open,
    // the Owner's pages and functions stay shut.
    make_admin(&app, "agent@liaison.local").await;
    let admin = agent;
    for path in ADMIN_PAGES {
        let r = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "an admin on {path}");
    }
    for path in OWNER_PAGES {
        let r = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "an admin on {path}");
    }
    let owner_only: Vec<(&str, _)> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(p, _)| p.starts_with("/api/owner/"))
        .collect();
    assert!(owner_only.len() >= 4, "{owner_only:?}");
    for (path, method) in owner_only {
        let r = admin
            .request(method.clone(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "an admin: {method} {path}");
    }
    app.stop().await;
}
