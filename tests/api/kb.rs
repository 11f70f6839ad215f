//! The knowledge base through the real server: documents by upload (Markdown, PDF), paste and
//! URL, processed in the background into cited answers; the public Help Center; knowledge gaps
//! turned into articles; agent settings; Copilot drafts.

use crate::common::fake_llm::{FakeLlm, Reply};
use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::conversations::api::CopilotDrafts;
use liaison::app::kb::api::{
    AddPastedDocument, AddUrlDocument, AnswerGaps, ListDocuments, ListGaps, ReprocessDocument,
    SaveArticle,
};
use liaison::app::settings::api::{GetAgentSettings, SaveAgentSettings};
use liaison_protocol::{ConversationStatus, Sender};
use serde_json::Value;
use std::time::Duration;

pub(crate) async fn upload(
    app: &TestApp,
    op: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    op.post(app.url("/api/admin/documents/upload"))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn documents(app: &TestApp, op: &reqwest::Client) -> Value {
    call::<ListDocuments>(op, app, &[])
        .await
        .json()
        .await
        .unwrap()
}

/// Waits until document `id` is ready or failed; returns its row.
pub(crate) async fn settled(app: &TestApp, op: &reqwest::Client, id: i64) -> Value {
    for _ in 0..200 {
        let list = documents(app, op).await;
        if let Some(d) = list["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            && (d["status"] == "ready" || d["status"] == "failed")
        {
            return d.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("document {id} never settled: {}", documents(app, op).await);
}

/// The smallest valid PDF with one line of text (Helvetica), offsets computed.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    pdf_of(&objects.map(String::into_bytes))
}

/// A PDF file of `objects` (numbered from 1, the first the catalog), with its cross-reference
/// table's offsets computed.
pub(crate) fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_document_answers_questions_with_a_citation() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let md = "# Gift cards\n\nGift cards are sold in amounts of 25, 50 and 100 euros and never expire.\n\n## Redeeming\n\nEnter the gift card code at checkout.";
    let r = upload(&app, &op, "gift-cards.md", md.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["added"][0]
        .as_i64()
        .unwrap();
    let doc = settled(&app, &op, id).await;
    assert_eq!(doc["status"], "ready", "{doc}");
    assert_eq!(doc["title"], "gift cards");
    assert!(doc["chunk_count"].as_i64().unwrap() >= 2);
    assert_eq!(documents(&app, &op).await["ready"], 1);

    let token = visitor(&app).await;
    send(&app, &token, "m-1", "Do gift cards expire?").await;
    let view = wait_for_messages(&app, &token, 2).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.sender, Sender::Ai);
    assert!(answer.body.contains("never expire"), "{}", answer.body);
    // Private until published: cited by its title, no page to link to.
    let url = format!("/help/documents/{id}");
    assert_eq!(answer.citations[0].title, "gift cards");
    assert_eq!(answer.citations[0].url, None);
    let page = client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(page.status(), 404);
    // Published: a public page, linked from citations.
    use liaison::app::kb::api::PublishDocument;
    let r =
        call::<PublishDocument>(&op, &app, &[("id", &id.to_string()), ("published", "true")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        documents(&app, &op).await["documents"][0]["published"],
        true
    );
    let other = visitor(&app).await;
    send(&app, &other, "m-2", "Do gift cards expire?").await;
    let view = wait_for_messages(&app, &other, 2).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.citations[0].url.as_deref(), Some(url.as_str()));
    let page = client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("never expire"));
    // An Agent cannot publish.
    let agent = operator(&app, "agent@liaison.local").await;
    let r = call::<PublishDocument>(
        &agent,
        &app,
        &[("id", &id.to_string()), ("published", "false")],
    )
    .await;
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdfs_are_read_and_bad_files_refused_with_a_reason() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let r = upload(
        &app,
        &op,
        "warranty.pdf",
        pdf("Every kettle has a two year warranty."),
    )
    .await;
    let id = r.json::<Value>().await.unwrap()["added"][0]
        .as_i64()
        .unwrap();
    let doc = settled(&app, &op, id).await;
    assert_eq!(doc["status"], "ready", "{doc}");

    // A broken PDF fails with its reason, and keeps its bytes for a retry.
    let r = upload(&app, &op, "broken.pdf", b"%PDF-1.4 nothing here".to_vec()).await;
    let broken = r.json::<Value>().await.unwrap()["added"][0]
        .as_i64()
        .unwrap();
    let doc = settled(&app, &op, broken).await;
    assert_eq!(doc["status"], "failed");
    assert!(doc["error"].as_str().unwrap().contains("PDF"), "{doc}");
    assert!(doc["size"].as_i64().unwrap() > 0);

    // An unsupported file is refused up front and nothing is stored.
    let r = upload(&app, &op, "notes.docx", b"PK...".to_vec()).await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["errors"][0].as_str().unwrap().contains(".docx"),
        "{body}"
    );
    assert_eq!(
        documents(&app, &op).await["documents"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_text_and_urls_become_documents() {
    // The "customer's site" below is on 127.0.0.1: the server's operator allows that here
    // (tests/api/outbound.rs checks the refusal without it).
    let app = spawn_with(&[("LIAISON_ALLOW_PRIVATE_URLS", "1")]).await;
    let op = operator(&app, OWNER_EMAIL).await;
    let r = call::<AddPastedDocument>(
        &op,
        &app,
        &[
            ("title", "Store locations"),
            ("text", "Our Berlin store is on Alexanderplatz."),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let pasted: i64 = r.json().await.unwrap();
    assert_eq!(settled(&app, &op, pasted).await["status"], "ready");

    // A local web server stands in for the customer's site.
    let site = axum::Router::new()
        .route(
            "/faq",
            axum::routing::get(|| async {
                axum::response::Html(
                    "<html><body><h1>FAQ</h1><p>Parking is free for customers for two hours.</p></body></html>",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, site).await.unwrap() });

    let url = format!("http://{addr}/faq");
    let r = call::<AddUrlDocument>(&op, &app, &[("url", &url), ("title", "")]).await;
    let fetched: i64 = r.json().await.unwrap();
    let doc = settled(&app, &op, fetched).await;
    assert_eq!(doc["status"], "ready", "{doc}");
    assert_eq!(doc["format"], "html");
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "Is parking free?").await;
    let view = wait_for_messages(&app, &token, 2).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert!(answer.body.contains("two hours"), "{}", answer.body);
    assert_eq!(answer.citations[0].url.as_deref(), Some(url.as_str()));

    // A page that is not there fails with the reason; re-processing tries again.
    let missing = format!("http://{addr}/missing");
    let r = call::<AddUrlDocument>(&op, &app, &[("url", &missing), ("title", "Gone")]).await;
    let gone: i64 = r.json().await.unwrap();
    let doc = settled(&app, &op, gone).await;
    assert_eq!(doc["status"], "failed");
    assert!(doc["error"].as_str().unwrap().contains("404"), "{doc}");
    let r = call::<ReprocessDocument>(&op, &app, &[("id", &gone.to_string())]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(settled(&app, &op, gone).await["status"], "failed");

    // Bad input is refused with a message.
    let r = call::<AddUrlDocument>(&op, &app, &[("url", "ftp://x"), ("title", "")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("web address"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_center_shows_published_articles_only() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let index = client().get(app.url("/help")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(
        index
            .text()
            .await
            .unwrap()
            .contains("Shipping and delivery")
    );
    let r = call::<SaveArticle>(
        &op,
        &app,
        &[
            ("id", ""),
            ("title", "Secret draft"),
            ("body", "Not yet <script>x</script>"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = client()
        .get(app.url("/help/secret-draft"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = call::<SaveArticle>(
        &op,
        &app,
        &[
            ("id", ""),
            ("title", "Loyalty points"),
            ("body", "One point per euro. <script>x</script>"),
            ("published", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = client()
        .get(app.url("/help/loyalty-points"))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("One point per euro."));
    assert!(!html.contains("<script>x"), "raw HTML is escaped");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_knowledge_gap_becomes_an_article_the_ai_then_answers_from() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    for (i, q) in ["Do you sell gift cards?", "Can I buy a gift card?"]
        .iter()
        .enumerate()
    {
        let token = visitor(&app).await;
        send(&app, &token, &format!("g-{i}"), q).await;
        wait_for_status(&app, &token, ConversationStatus::NeedsAgent).await;
    }
    let groups: Value = call::<ListGaps>(&op, &app, &[]).await.json().await.unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["count"], 2);
    let ids = groups[0]["ids"].as_str().unwrap().to_string();
    let r = call::<AnswerGaps>(
        &op,
        &app,
        &[
            ("ids", &ids),
            ("title", "Gift cards"),
            ("body", "Yes: gift cards are sold in our shops and online."),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let groups: Value = call::<ListGaps>(&op, &app, &[]).await.json().await.unwrap();
    assert!(groups.as_array().unwrap().is_empty());

    let token = visitor(&app).await;
    send(&app, &token, "g-9", "Do you sell gift cards?").await;
    let view = wait_for_messages(&app, &token, 2).await;
    let answer = view.conversation.unwrap().messages[1].clone();
    assert_eq!(answer.citations[0].url.as_deref(), Some("/help/gift-cards"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_settings_are_checked_saved_and_keep_the_key_secret() {
    let llm = FakeLlm::start().await;
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let form = |base: &str, key: &str| {
        vec![
            ("form[base_url]", base.to_string()),
            ("form[model]", "fake-model".to_string()),
            ("form[api_key]", key.to_string()),
            ("form[temperature]", "0.3".to_string()),
            ("form[embeddings_model]", String::new()),
            ("form[price_in]", "1".to_string()),
            ("form[price_out]", "2".to_string()),
            ("form[timeout_secs]", "10".to_string()),
            ("form[instructions]", "Always be brief.".to_string()),
            // The fake endpoint is on this machine; the Owner allows that.
            ("form[allow_private]", "on".to_string()),
        ]
    };
    let send_form = |fields: Vec<(&'static str, String)>| {
        let op = op.clone();
        let url = app.url(SaveAgentSettings::PATH);
        async move { op.post(url).form(&fields).send().await.unwrap() }
    };
    let r = send_form(form("localhost:11434", "")).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("http://"));
    let r = send_form(form(&llm.url, "sk-secret")).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let shown = call::<GetAgentSettings>(&op, &app, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains("\"has_api_key\":true"), "{shown}");
    assert!(!shown.contains("sk-secret"));
    assert!(shown.contains("Always be brief."));

    // The saved endpoint answers now, with the instructions in the prompt.
    llm.push(Reply::Text(vec!["We ship to Canada [1]."]));
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "Do you ship to Canada?").await;
    let view = wait_for_messages(&app, &token, 2).await;
    assert_eq!(
        view.conversation.unwrap().messages[1].body,
        "We ship to Canada."
    );
    let system = llm.requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(system.contains("Always be brief."));

    // Copilot drafts come from the same endpoint.
    llm.push(Reply::Text(vec![
        "Yes, we ship there.\n---\nCanada is covered.\n---\nWe do!",
    ]));
    let conversation_id = conversation(&app, &token).await.conversation.unwrap().id;
    let drafts: Value = call::<CopilotDrafts>(&op, &app, &[("id", &conversation_id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drafts.as_array().unwrap().len(), 3, "{drafts}");
    assert_eq!(drafts[1]["text"], "Canada is covered.");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copilot_without_an_llm_offers_passages() {
    let app = spawn().await;
    let op = operator(&app, OWNER_EMAIL).await;
    let token = visitor(&app).await;
    send(&app, &token, "m-1", "How long does a refund take?").await;
    let c = wait_for_messages(&app, &token, 2).await;
    let id = c.conversation.unwrap().id;
    let drafts: Value = call::<CopilotDrafts>(&op, &app, &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        drafts[0]["text"]
            .as_str()
            .unwrap()
            .contains("5 working days"),
        "{drafts}"
    );
    assert_eq!(drafts[0]["source"], "Billing and refunds");
    app.stop().await;
}
