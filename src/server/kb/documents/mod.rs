//! Knowledge-base documents: adding them (upload, paste, URL), and processing them in the
//! background (fetch, extract, chunk, embed, index). Every status change writes a
//! `document_changed` event, so the Documents page updates live. The original bytes are kept:
//! a failed or changed document can be processed again, and nothing a user sent is lost.

pub mod extract;
pub mod fetch;
pub mod worker;

use crate::server::ai::llm::{AgentSettings, Llm};
use crate::server::db::{self, Db, documents::NewDocument};
use crate::server::now_ms;
use crate::server::outbound::Reach;
use crate::server::realtime::Scope;
use extract::Format;
use liaison_protocol::Event;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The largest upload or paste accepted.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{0}")]
    Invalid(String),
    #[error("No such document.")]
    NotFound,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Wakes the background processor when there is work; says where documents by URL may be
/// fetched from.
#[derive(Clone, Default)]
pub struct Queue {
    wake: Arc<Notify>,
    pub reach: Reach,
    /// How files are read: in a worker process, within limits.
    pub worker: worker::WorkerLimits,
}

impl Queue {
    pub fn new(reach: Reach, worker: worker::WorkerLimits) -> Queue {
        Queue {
            wake: Arc::default(),
            reach,
            worker,
        }
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn changed(tx: &mut db::WriteTx, id: i64, status: &str) -> Result<(), sqlx::Error> {
    tx.emit(
        Event::DocumentChanged {
            document_id: id,
            status: status.into(),
        },
        None,
    );
    Ok(())
}

fn check_title(title: &str) -> Result<String, DocumentError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(DocumentError::Invalid("A title is required.".into()));
    }
    if title.chars().count() > 200 {
        return Err(DocumentError::Invalid(
            "The title is too long (200 characters at most).".into(),
        ));
    }
    Ok(title.to_string())
}

async fn add(db: &Db, queue: &Queue, d: NewDocument<'_>) -> Result<i64, DocumentError> {
    let mut tx = db.write().await?;
    let id = db::documents::insert(tx.conn(), d).await?;
    changed(&mut tx, id, "pending").await?;
    tx.commit().await?;
    queue.wake();
    Ok(id)
}

/// An uploaded file (.md, .txt, .html, .pdf).
pub async fn add_upload(
    db: &Db,
    queue: &Queue,
    file_name: &str,
    bytes: &[u8],
    by: i64,
) -> Result<i64, DocumentError> {
    let format = Format::from_file_name(file_name).map_err(DocumentError::Invalid)?;
    if bytes.is_empty() {
        return Err(DocumentError::Invalid(format!("{file_name:?} is empty.")));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(DocumentError::Invalid(format!(
            "{file_name:?} is larger than 10 MB."
        )));
    }
    let title = check_title(&extract::title_from_file_name(file_name))?;
    add(
        db,
        queue,
        NewDocument {
            title: &title,
            source_kind: "upload",
            source: file_name,
            format: format.as_str(),
            original: bytes,
            created_by: Some(by),
        },
    )
    .await
}

/// Pasted text (treated as Markdown, which plain text also is).
pub async fn add_paste(
    db: &Db,
    queue: &Queue,
    title: &str,
    text: &str,
    by: i64,
) -> Result<i64, DocumentError> {
    let title = check_title(title)?;
    if text.trim().is_empty() {
        return Err(DocumentError::Invalid("Paste some text first.".into()));
    }
    if text.len() > MAX_UPLOAD {
        return Err(DocumentError::Invalid(
            "The text is larger than 10 MB.".into(),
        ));
    }
    add(
        db,
        queue,
        NewDocument {
            title: &title,
            source_kind: "paste",
            source: "Pasted text",
            format: Format::Markdown.as_str(),
            original: text.as_bytes(),
            created_by: Some(by),
        },
    )
    .await
}

/// A web page or file by URL; fetched when processed.
pub async fn add_url(
    db: &Db,
    queue: &Queue,
    url: &str,
    title: &str,
    by: i64,
) -> Result<i64, DocumentError> {
    let url = fetch::validate_url(url).map_err(DocumentError::Invalid)?;
    // Checked again at every connection; here so the Admin hears it at once.
    if crate::server::outbound::check(&url, &queue.reach)
        .await
        .is_err()
    {
        return Err(DocumentError::Invalid(fetch::NOT_FETCHABLE.into()));
    }
    let title = if title.trim().is_empty() {
        url.clone()
    } else {
        title.to_string()
    };
    let title = check_title(&title.chars().take(200).collect::<String>())?;
    add(
        db,
        queue,
        NewDocument {
            title: &title,
            source_kind: "url",
            source: &url,
            format: Format::Html.as_str(),
            original: &[],
            created_by: Some(by),
        },
    )
    .await
}

/// Queues a document to be processed again (after a failure, or to re-fetch its URL).
pub async fn reprocess(db: &Db, queue: &Queue, id: i64) -> Result<(), DocumentError> {
    let mut tx = db.write().await?;
    if !db::documents::set_status(tx.conn(), id, "pending", None).await? {
        return Err(DocumentError::NotFound);
    }
    db::documents::reset_attempts(tx.conn(), id).await?;
    changed(&mut tx, id, "pending").await?;
    tx.commit().await?;
    queue.wake();
    Ok(())
}

/// Deletes a document and its passages.
pub async fn delete(db: &Db, id: i64) -> Result<(), DocumentError> {
    let mut tx = db.write().await?;
    if !db::documents::delete(tx.conn(), id).await? {
        return Err(DocumentError::NotFound);
    }
    changed(&mut tx, id, "deleted").await?;
    tx.commit().await?;
    Ok(())
}

/// Runs until shutdown: processes pending documents one at a time, oldest first.
pub fn spawn_processor(
    db: Db,
    defaults: AgentSettings,
    queue: Queue,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // On SQLite this is the only instance: what it was processing when it stopped is
        // picked up again now. On PostgreSQL another instance may be processing it; a claim
        // that stops being renewed is taken over instead (`CLAIM_LEASE`).
        if !db.read.is_postgres() {
            match db.write().await {
                Ok(mut tx) => {
                    if let Err(e) = db::documents::requeue_interrupted(tx.conn()).await {
                        tracing::warn!("requeueing interrupted documents failed: {e}");
                    }
                    let _ = tx.commit().await;
                }
                Err(e) => tracing::warn!("documents: {e}"),
            }
        }
        // Documents added through another instance wake this one too.
        let mut events = db.bus().subscribe(Scope::Dashboard);
        loop {
            match claim(&db).await {
                Ok(Some(id)) => {
                    process(&db, &defaults, &queue, id).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("documents: {e}"),
            }
            embed_missing(&db, &defaults).await;
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = queue.wake.notified() => break,
                    event = events.recv() => match event {
                        Ok(e) if matches!(&e.event, Event::DocumentChanged { status, .. } if status == "pending") => break,
                        Ok(_) => continue,
                        Err(_) => break,
                    },
                    // A safety net: pick up anything queued without a wake-up, and claims
                    // left by an instance that died.
                    _ = tokio::time::sleep(Duration::from_secs(30)) => break,
                }
            }
        }
    })
}

/// Gives every chunk without an embedding one, when an embeddings model is configured: new
/// articles, the demo data, everything indexed before embeddings were switched on.
pub async fn embed_missing(db: &Db, defaults: &AgentSettings) {
    let settings = crate::server::ai::agent::current_settings(db, defaults).await;
    let Some(endpoint) = settings.llm.filter(|e| e.embeddings_model.is_some()) else {
        return;
    };
    // One instance embeds at a time: the others would pay the model for the same chunks.
    let _only_us = match db.exclusive("embeddings").await {
        Ok(Some(lock)) => lock,
        Ok(None) => return,
        Err(e) => return tracing::warn!("embedding: {e}"),
    };
    let llm = Llm::new(&endpoint);
    loop {
        let batch = match db::kb::unembedded(&db.read, 64).await {
            Ok(b) if !b.is_empty() => b,
            Ok(_) => return,
            Err(e) => return tracing::warn!("embedding: {e}"),
        };
        let texts = batch.iter().map(|(_, t)| t.clone()).collect();
        let vectors = match llm.embed(texts).await {
            Ok(Some(v)) if v.len() == batch.len() => v,
            Ok(_) => return tracing::warn!("embedding: the endpoint returned the wrong count"),
            Err(e) => return tracing::warn!("embedding failed, will retry later: {e}"),
        };
        let stored = async {
            let mut tx = db.write().await?;
            for ((id, _), v) in batch.iter().zip(&vectors) {
                db::kb::set_embedding(tx.conn(), *id, v).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = stored {
            return tracing::warn!("embedding: {e}");
        }
    }
}

/// How long a claim on a document holds without being renewed; it is renewed every
/// `CLAIM_LEASE / 4` while the document is processed.
const CLAIM_LEASE: Duration = Duration::from_secs(120);

/// Claims the next document to process, if any.
async fn claim(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.write().await?;
    let stale_before = now - CLAIM_LEASE.as_millis() as i64;
    // A claim abandoned twice (an instance died on it, twice): failed, not taken up again.
    for id in db::documents::give_up_interrupted(tx.conn(), Some(stale_before)).await? {
        changed(&mut tx, id, "failed").await?;
    }
    let claimed = db::documents::claim(tx.conn(), now, stale_before).await?;
    if let Some(id) = claimed {
        changed(&mut tx, id, "processing").await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Processes one claimed document, recording success or the reason it failed, and renewing
/// the claim while it runs.
pub async fn process(db: &Db, defaults: &AgentSettings, queue: &Queue, id: i64) {
    let work = run(db, defaults, queue, id);
    tokio::pin!(work);
    let mut renew = tokio::time::interval(CLAIM_LEASE / 4);
    renew.tick().await;
    let outcome = loop {
        tokio::select! {
            outcome = &mut work => break outcome,
            _ = renew.tick() => {
                let renewed = async {
                    let mut tx = db.write().await?;
                    db::documents::renew(tx.conn(), id, now_ms()).await?;
                    tx.commit().await
                };
                if let Err(e) = renewed.await {
                    tracing::warn!(document = id, "renewing the claim: {e}");
                }
            }
        }
    };
    let result = match outcome {
        Ok(()) => Ok(()),
        Err(reason) => {
            tracing::info!(document = id, "document failed: {reason}");
            set(db, id, "failed", Some(&reason)).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(document = id, "documents: {e}");
    }
}

async fn set(db: &Db, id: i64, status: &str, error: Option<&str>) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    if db::documents::set_status(tx.conn(), id, status, error).await? {
        changed(&mut tx, id, status).await?;
    }
    tx.commit().await
}

async fn run(db: &Db, defaults: &AgentSettings, queue: &Queue, id: i64) -> Result<(), String> {
    let internal = |e: sqlx::Error| format!("database error: {e}");
    let Some(doc) = db::documents::original(&db.read, id)
        .await
        .map_err(internal)?
    else {
        return Ok(()); // deleted meanwhile
    };
    let (title, mut bytes) = (doc.title, doc.original);
    let mut format = Format::parse(&doc.format).unwrap_or(Format::Text);
    if doc.source_kind == "url" {
        let (fetched_format, body) = fetch::fetch(&doc.source, &queue.reach).await?;
        let mut tx = db.write().await.map_err(internal)?;
        db::documents::set_original(tx.conn(), id, fetched_format.as_str(), &body)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        format = fetched_format;
        bytes = body;
    }
    // Parsers can hang, crash or exhaust memory on odd files: a worker process contains all
    // three, within a time and a memory limit.
    let text = worker::extract(format, bytes, &queue.worker).await?;
    let chunks = extract::passages(&title, &text);
    let settings = crate::server::ai::agent::current_settings(db, defaults).await;
    let embeddings = match &settings.llm {
        Some(endpoint) if endpoint.embeddings_model.is_some() => {
            let texts = chunks
                .iter()
                .map(|c| format!("{}\n{}", c.heading, c.body))
                .collect();
            match Llm::new(endpoint).embed(texts).await {
                Ok(e) => e,
                Err(e) => {
                    // BM25 still works; the document is usable without vectors.
                    tracing::warn!(document = id, "embedding failed, indexing text only: {e}");
                    None
                }
            }
        }
        _ => None,
    };
    let mut tx = db.write().await.map_err(internal)?;
    db::documents::store_ready(tx.conn(), id, &text, &chunks, embeddings.as_deref())
        .await
        .map_err(internal)?;
    changed(&mut tx, id, "ready").await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}
