//! Event retention: the outbox keeps events for replay for a configurable time
//! (`LIAISON_EVENT_RETENTION_HOURS`), then they are deleted in small batches so the writer is
//! never held for long. Streams resuming from below the floor are told to refetch (`sse.rs`).

use crate::server::db::{Db, events};
use crate::server::now_ms;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const BATCH: i64 = 5_000;

/// Deletes the events created before `cutoff_ms`. Returns how many were deleted (none when
/// another instance is doing it).
pub async fn expire_events(db: &Db, cutoff_ms: i64) -> Result<u64, sqlx::Error> {
    let Some(_only_us) = db.exclusive("event retention").await? else {
        return Ok(0);
    };
    let mut deleted = 0;
    loop {
        let mut tx = db.write().await?;
        let up_to = events::expired_up_to(tx.conn(), cutoff_ms).await?;
        let n = events::delete_up_to(tx.conn(), up_to, BATCH).await?;
        tx.commit().await?;
        deleted += n;
        if n < BATCH as u64 {
            return Ok(deleted);
        }
        // Let the writers that waited go first.
        tokio::task::yield_now().await;
    }
}

/// The settings key of Settings → Data retention.
pub const SETTINGS_KEY: &str = "retention";

/// Clears the metadata of visitors last seen longer ago than Settings → Data retention says,
/// in small batches. How many visitors (none when no limit is set or another instance is on it).
pub async fn forget_visitor_metadata(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let settings: liaison_protocol::retention::Retention =
        crate::server::db::settings::get(&db.read, SETTINGS_KEY)
            .await?
            .unwrap_or_default();
    let Some(cutoff) = settings.metadata_cutoff(now) else {
        return Ok(0);
    };
    let Some(_only_us) = db.exclusive("metadata retention").await? else {
        return Ok(0);
    };
    let mut cleared = 0;
    loop {
        let mut tx = db.write().await?;
        let n = crate::server::db::visitors::forget_metadata(tx.conn(), cutoff, BATCH).await?;
        tx.commit().await?;
        cleared += n;
        if n < BATCH as u64 {
            return Ok(cleared);
        }
        tokio::task::yield_now().await;
    }
}

/// Removes the attachments sent longer ago than Settings → Data retention says: rows marked in
/// small batches, then the files no kept attachment shares. How many attachments (none when no
/// limit is set or another instance is on it).
pub async fn remove_old_attachments(
    db: &Db,
    store: &crate::server::attachments::Store,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let settings: liaison_protocol::retention::Retention =
        crate::server::db::settings::get(&db.read, SETTINGS_KEY)
            .await?
            .unwrap_or_default();
    let Some(cutoff) = settings.attachment_cutoff(now) else {
        return Ok(0);
    };
    let Some(_only_us) = db.exclusive("attachment retention").await? else {
        return Ok(0);
    };
    let mut removed = 0;
    loop {
        let mut tx = db.write().await?;
        let (n, unused) = crate::server::db::attachments::expire(tx.conn(), cutoff, BATCH).await?;
        tx.commit().await?;
        for sha in unused {
            if let Err(e) = store.remove(&sha).await {
                tracing::warn!("data retention: could not delete attachment {sha}: {e}");
            }
        }
        removed += n;
        if n < BATCH as u64 {
            return Ok(removed);
        }
        tokio::task::yield_now().await;
    }
}

/// Events created before this are deleted: Settings → Data retention's hours, else `default`
/// (`LIAISON_EVENT_RETENTION_HOURS`).
pub async fn event_cutoff(db: &Db, default: Duration, now: i64) -> Result<i64, sqlx::Error> {
    let settings: liaison_protocol::retention::Retention =
        crate::server::db::settings::get(&db.read, SETTINGS_KEY)
            .await?
            .unwrap_or_default();
    Ok(settings.event_cutoff(now, default.as_secs() / 3600))
}

/// How long a received WhatsApp message is remembered after it was put in its conversation:
/// Meta redelivers a notification it could not deliver for up to 7 days, and a redelivery must
/// be recognised. Past that, its copy in `messages` is all that is kept.
pub const WHATSAPP_RECEIPTS_MS: i64 = 8 * 24 * 3600 * 1000;

/// Deletes the received WhatsApp messages older than [`WHATSAPP_RECEIPTS_MS`] that are in
/// their conversations, in small batches. How many.
pub async fn forget_whatsapp_receipts(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let Some(_only_us) = db.exclusive("whatsapp retention").await? else {
        return Ok(0);
    };
    let mut deleted = 0;
    loop {
        let mut tx = db.write().await?;
        let n = crate::server::db::whatsapp::delete_processed_before(
            tx.conn(),
            now - WHATSAPP_RECEIPTS_MS,
            BATCH,
        )
        .await?;
        tx.commit().await?;
        deleted += n;
        if n < BATCH as u64 {
            return Ok(deleted);
        }
        tokio::task::yield_now().await;
    }
}

/// Runs `expire_events`, `forget_visitor_metadata`, `remove_old_attachments` and
/// `forget_whatsapp_receipts` at start and then hourly, until shutdown.
pub fn spawn(
    db: Db,
    store: crate::server::attachments::Store,
    keep: Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = every.tick() => {
                    let cutoff = match event_cutoff(&db, keep, now_ms()).await {
                        Ok(c) => c,
                        Err(e) => {
                            tracing::warn!("event retention: reading Settings failed: {e}");
                            now_ms() - keep.as_millis() as i64
                        }
                    };
                    match expire_events(&db, cutoff).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!("event retention: deleted {n} events"),
                        Err(e) => tracing::warn!("event retention failed: {e}"),
                    }
                    match forget_visitor_metadata(&db, now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!("data retention: cleared {n} visitors' metadata"),
                        Err(e) => tracing::warn!("data retention failed: {e}"),
                    }
                    match remove_old_attachments(&db, &store, now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!("data retention: removed {n} attachments"),
                        Err(e) => tracing::warn!("attachment retention failed: {e}"),
                    }
                    if let Err(e) = forget_whatsapp_receipts(&db, now_ms()).await {
                        tracing::warn!("WhatsApp retention failed: {e}");
                    }
                }
            }
        }
    });
}
