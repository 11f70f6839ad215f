//! Attachments: the type comes from the bytes, the size is bounded, names are never paths, and
//! a file is readable by operators and by its own visitor only.

use crate::common::*;
use liaison::app::conversations::api::JoinConversation;
use liaison_protocol::{ConversationStatus, MessageKind, Sender};
use reqwest::multipart::{Form, Part};

/// A real PNG of `w`×`h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn form(name: &str, bytes: Vec<u8>, client_msg_id: &str) -> Form {
    Form::new()
        .part("file", Part::bytes(bytes).file_name(name.to_string()))
        .text("client_msg_id", client_msg_id.to_string())
        .text("caption", "see this")
}

async fn visitor_upload(app: &TestApp, token: &str, f: Form) -> (u16, serde_json::Value) {
    let r = client()
        .post(app.url("/api/widget/v1/attachments"))
        .bearer_auth(token)
        .multipart(f)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

async fn get(c: &reqwest::Client, url: String, token: Option<&str>) -> reqwest::Response {
    let mut r = c.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bytes_decide_and_names_are_never_paths() {
    let app = spawn().await;
    let token = visitor(&app).await;

    // A PNG named .pdf (with a path in its name) is stored as the image it is.
    let (status, body) = visitor_upload(
        &app,
        &token,
        form("../../etc/shot.pdf", png(640, 480), "a-1"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let message = &body["message"];
    assert_eq!(message["kind"], "image");
    assert_eq!(message["body"], "see this");
    let attachment = &message["attachment"];
    assert_eq!(attachment["mime"], "image/png");
    assert_eq!(attachment["name"], "shot.pdf");
    assert_eq!(attachment["thumbnail"], true);
    let id = attachment["id"].as_i64().unwrap();
    // Nothing was written outside the store.
    assert!(!app.data_dir().join("etc").exists());
    assert!(
        !app.data_dir()
            .parent()
            .unwrap()
            .join("etc/shot.pdf")
            .exists()
    );

    // The visitor reads it back, as an image that is never sniffed into anything else.
    let url = app.url(&format!("/api/widget/v1/attachments/{id}"));
    let r = get(&client(), url.clone(), Some(&token)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png(640, 480));
    // Its thumbnail is small.
    let r = get(&client(), format!("{url}?thumb"), Some(&token)).await;
    assert_eq!(r.status(), 200);
    let thumb = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert!(
        thumb.width() <= 320 && thumb.height() <= 320,
        "{}x{}",
        thumb.width(),
        thumb.height()
    );

    // A retry with the same client id is stored once.
    let (status, again) =
        visitor_upload(&app, &token, form("shot.pdf", png(640, 480), "a-1")).await;
    assert_eq!(status, 200);
    assert_eq!(again["message"]["id"], message["id"]);

    // HTML named .png, a script, a zip: refused with a clear error, nothing stored.
    for (name, bytes) in [
        (
            "cat.png",
            b"<!doctype html><html><script>alert(1)</script></html>".to_vec(),
        ),
        ("run.pdf", b"#!/bin/sh\necho hi\n".to_vec()),
        ("a.docx", b"PK\x03\x04\x14\0\0\0\0\0notes.txt".to_vec()),
    ] {
        let (status, body) = visitor_upload(&app, &token, form(name, bytes, "a-2")).await;
        assert_eq!(status, 400, "{name}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains("Only images, audio, PDF and office documents"),
            "{error}"
        );
    }
    let thread = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(thread.messages.len(), 1, "only the image was stored");

    // A PDF is a file (a download link in the thread).
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let (status, body) = visitor_upload(&app, &token, form("invoice.pdf", pdf, "a-3")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"]["kind"], "file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_over_the_limit_are_refused() {
    let app = spawn_with(&[("LIAISON_ATTACHMENT_MAX_MB", "1")]).await;
    let token = visitor(&app).await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(1_500_000, b' ');
    let (status, body) = visitor_upload(&app, &token, form("big.pdf", big, "b-1")).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "The file is larger than 1 MB.");
    assert!(conversation(&app, &token).await.conversation.is_none());
    // Just under the limit is fine.
    let mut fits = b"%PDF-1.4\n".to_vec();
    fits.resize(1_000_000, b' ');
    assert_eq!(
        visitor_upload(&app, &token, form("ok.pdf", fits, "b-2"))
            .await
            .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_operators_and_the_owning_visitor_read_a_file() {
    let app = spawn().await;
    let alice = visitor(&app).await;
    let mallory = visitor(&app).await;
    let (_, body) = visitor_upload(&app, &alice, form("me.png", png(8, 8), "c-1")).await;
    let id = body["message"]["attachment"]["id"].as_i64().unwrap();
    let url = app.url(&format!("/api/widget/v1/attachments/{id}"));
    assert_eq!(
        get(&client(), url.clone(), Some(&mallory)).await.status(),
        404
    );
    assert_eq!(get(&client(), url.clone(), None).await.status(), 401);
    assert_eq!(get(&client(), url, Some(&alice)).await.status(), 200);
    let dashboard = app.url(&format!("/api/dashboard/v1/attachments/{id}"));
    assert_eq!(get(&client(), dashboard.clone(), None).await.status(), 401);
    let owner = operator(&app, OWNER_EMAIL).await;
    let r = get(&owner, dashboard, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_send_files_the_visitor_reads() {
    let app = spawn().await;
    let token = visitor(&app).await;
    send(&app, &token, "d-1", "I need a human agent").await;
    let id = wait_for_status(&app, &token, ConversationStatus::NeedsAgent)
        .await
        .conversation
        .unwrap()
        .id;
    let owner = operator(&app, OWNER_EMAIL).await;
    let upload = |bytes: Vec<u8>, name: &str, recording: bool| {
        let mut f = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        if recording {
            f = f.text("recording", "1");
        }
        owner
            .post(app.url(&format!("/api/dashboard/v1/conversations/{id}/attachments")))
            .multipart(f)
            .send()
    };
    // Not holding the conversation: refused.
    let r = upload(png(4, 4), "a.png", false).await.unwrap();
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    let r = call::<JoinConversation>(&owner, &app, &[("id", &id.to_string())]).await;
    assert_eq!(r.status(), 200);
    let r = upload(png(4, 4), "a.png", false).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // A browser's recording: WebM (EBML header, "webm" doc type) sent as a recording is voice.
    let webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04".to_vec();
    let r = upload(webm, "recording.webm", true).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let messages = conversation(&app, &token)
        .await
        .conversation
        .unwrap()
        .messages;
    let sent: Vec<_> = messages
        .iter()
        .filter(|m| m.sender == Sender::Agent)
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].kind, MessageKind::Image);
    assert_eq!(sent[1].kind, MessageKind::Voice);
    let voice = sent[1].attachment.as_ref().unwrap();
    assert_eq!(voice.mime, "audio/webm");
    let r = get(
        &client(),
        app.url(&format!("/api/widget/v1/attachments/{}", voice.id)),
        Some(&token),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/webm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_retention_removes_old_files_and_keeps_the_messages() {
    use liaison::app::settings::retention::SaveDataRetention;
    let app = spawn().await;
    let owner = operator(&app, OWNER_EMAIL).await;
    let token = visitor(&app).await;
    let (_, old) = visitor_upload(&app, &token, form("old.png", png(40, 30), "o-1")).await;
    let (_, same) = visitor_upload(&app, &token, form("again.png", png(40, 30), "o-2")).await;
    let (_, other) = visitor_upload(&app, &token, form("other.png", png(50, 30), "o-3")).await;
    let id = |v: &serde_json::Value| v["message"]["attachment"]["id"].as_i64().unwrap();
    let (old_id, same_id, other_id) = (id(&old), id(&same), id(&other));
    // The first and third were sent long ago; the second (the same bytes as the first) today.
    let mut tx = app.server.db.write().await.unwrap();
    for aged in [old_id, other_id] {
        execute(
            tx.conn(),
            "UPDATE attachments SET created_at = 1 WHERE id = $1",
            aged,
        )
        .await;
    }
    tx.commit().await.unwrap();
    let store = liaison::server::attachments::Store::new(app.data_dir());
    let now = liaison::server::now_ms();
    let remove = || liaison::server::retention::remove_old_attachments(&app.server.db, &store, now);
    assert_eq!(remove().await.unwrap(), 0, "no limit: nothing removed");

    let r =
        call::<SaveDataRetention>(&owner, &app, &[("days", ""), ("attachment_days", "0")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("attachments"));
    let r =
        call::<SaveDataRetention>(&owner, &app, &[("days", ""), ("attachment_days", "30")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(remove().await.unwrap(), 2);
    assert_eq!(remove().await.unwrap(), 0, "done once");

    let url = |id: i64| app.url(&format!("/api/widget/v1/attachments/{id}"));
    let gone = get(&client(), url(old_id), Some(&token)).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("Data retention"));
    assert_eq!(
        get(&client(), url(other_id), Some(&token)).await.status(),
        410
    );
    // The bytes the recent attachment shares stay; the other file is deleted from disk.
    let kept = get(&client(), url(same_id), Some(&token)).await;
    assert_eq!(kept.status(), 200);
    assert_eq!(kept.bytes().await.unwrap().to_vec(), png(40, 30));
    let files: Vec<_> = walk(&app.data_dir().join("attachments"));
    assert_eq!(
        files.iter().filter(|f| !f.ends_with(".thumb")).count(),
        1,
        "{files:?}"
    );
    // The messages stay in the conversation.
    let thread = conversation(&app, &token).await.conversation.unwrap();
    assert_eq!(
        thread
            .messages
            .iter()
            .filter(|m| m.attachment.is_some())
            .count(),
        3
    );
    app.stop().await;
}

/// Every file under `dir`, as strings.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}
