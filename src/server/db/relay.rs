//! Several instances on one PostgreSQL: every committed event reaches every instance's bus. A
//! write transaction that stored events calls `pg_notify` before it commits (PostgreSQL
//! delivers notifications at commit, in commit order, and only if it commits). Each instance
//! listens on one connection and, at each notification, reads the events after the last one
//! it published from the table, in id order, and publishes them: payloads stay in the table,
//! and the same path serves the instance's own commits, so each event is published once and in
//! order everywhere. Event ids become visible in id order (`events::insert_all`), so reading
//! "after the last id" never skips one. A notification lost while the listening connection
//! reconnects costs nothing: every second the task reads anyway.

use super::{Backend, Pool, events};
use crate::server::realtime::{Bus, Scope};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The channel commits notify.
pub(super) const CHANNEL: &str = "liaison_events";

/// Events read per query while catching up.
const BATCH: i64 = 500;

/// Publishes every event committed after `cursor`, from any instance, until `stop`.
pub(super) fn spawn(pool: PgPool, bus: Bus, cursor: i64, stop: CancellationToken) {
    tokio::spawn(async move {
        let pool = Backend::Postgres(pool);
        let mut cursor = cursor;
        let mut listener: Option<PgListener> = None;
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            if listener.is_none() {
                listener = listen(&pool).await;
            }
            // Caught up after (re)listening too: nothing committed meanwhile is missed.
            cursor = catch_up(&pool, &bus, cursor).await;
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.recv().await.map(|_| ()),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = every.tick() => {}
                received = notified => {
                    if let Err(e) = received {
                        tracing::warn!("event notifications: {e}; listening again");
                        listener = None;
                    }
                }
            }
        }
    });
}

async fn listen(pool: &Pool) -> Option<PgListener> {
    let Backend::Postgres(pg) = pool else {
        return None;
    };
    let mut listener = match PgListener::connect_with(pg).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("event notifications: {e}");
            return None;
        }
    };
    match listener.listen(CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!("event notifications: {e}");
            None
        }
    }
}

/// Publishes the events after `cursor` and returns the new cursor.
async fn catch_up(pool: &Pool, bus: &Bus, mut cursor: i64) -> i64 {
    loop {
        let batch = match events::after(pool, Scope::Dashboard, cursor, BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("reading events to publish: {e}");
                return cursor;
            }
        };
        let full = batch.len() as i64 == BATCH;
        for event in batch {
            cursor = event.id;
            bus.publish(event);
        }
        if !full {
            return cursor;
        }
    }
}
