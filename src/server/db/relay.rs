//! Several instances on one PostgreSQL: every committed event reaches every instance's bus. A
//! write transaction that stored events calls `pg_notify` before it commits (PostgreSQL
//! delivers notifications at commit, in commit order, and only if it commits). Each instance
//! listens on one connection and, at each notification, reads the events after the last one
//! it published from the table, in id order, and publishes them: payloads stay in the table,
//! and the same path serves the instance's own commits, so each event is published once and in
//! order everywhere. Event ids become visible in id order (`events::insert_all`), so reading
//! "after the last id" never skips one. A notification lost while the listening connection
//! reconnects costs nothing: every second the task reads anyway.
//!
//! Live-only events (an AI answer's pieces, visitors arriving on the site) and sign-outs (which
//! end that session's streams on every instance) are stored nowhere: they travel in the
//! notification itself, on a second channel, tagged with the instance that
//! sent them so it does not publish them twice. PostgreSQL limits a payload to 8,000 bytes; a
//! larger one stays on its own instance.

use super::{Backend, Pool, events};
use crate::server::realtime::{Bus, Outgoing, Scope, StoredEvent};
use liaison_protocol::Event;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgNotification};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The channel commits notify.
pub(super) const CHANNEL: &str = "liaison_events";

/// The channel live-only events travel on.
const LIVE: &str = "liaison_live";

/// PostgreSQL's limit on a notification's payload is 8,000 bytes.
const MAX_PAYLOAD: usize = 7_900;

/// A live-only event or a sign-out on its way to the other instances.
#[derive(Serialize, Deserialize)]
struct Live {
    /// The instance that sent it.
    from: i64,
    #[serde(flatten)]
    what: What,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum What {
    Event { visitor_id: i64, event: Event },
    SessionEnded { key: String },
}

/// Events read per query while catching up.
const BATCH: i64 = 500;

/// Publishes every event committed after `cursor`, from any instance, until `stop`.
/// Listens first, so that an instance serves nothing before it hears the others (a live-only
/// event sent meanwhile would be missed).
pub(super) async fn spawn(pool: PgPool, bus: Bus, cursor: i64, me: i64, stop: CancellationToken) {
    let (live_tx, mut live) = mpsc::unbounded_channel();
    bus.forward(live_tx);
    let pool = Backend::Postgres(pool);
    let mut listener: Option<PgListener> = listen(&pool).await;
    tokio::spawn(async move {
        let mut cursor = cursor;
        let mut every = tokio::time::interval(Duration::from_secs(1));
        let mut stale = true;
        loop {
            if listener.is_none() {
                listener = listen(&pool).await;
            }
            if stale {
                // After a commit's notification, a tick, or (re)listening: nothing committed
                // meanwhile is missed.
                cursor = catch_up(&pool, &bus, cursor).await;
            }
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = every.tick() => stale = true,
                outgoing = live.recv() => {
                    stale = false;
                    if let Some(first) = outgoing {
                        send_live(&pool, me, first, &mut live).await;
                    }
                }
                received = notified => match received {
                    Ok(n) if n.channel() == LIVE => {
                        stale = false;
                        publish_live(&bus, me, &n);
                    }
                    Ok(_) => stale = true,
                    Err(e) => {
                        tracing::warn!("event notifications: {e}; listening again");
                        listener = None;
                        stale = true;
                    }
                },
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
    match listener.listen_all([CHANNEL, LIVE]).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!("event notifications: {e}");
            None
        }
    }
}

/// Sends `first` and whatever else is waiting to the other instances, in one statement.
async fn send_live(
    pool: &Pool,
    me: i64,
    first: Outgoing,
    waiting: &mut mpsc::UnboundedReceiver<Outgoing>,
) {
    let mut payloads = Vec::new();
    let mut next = Some(first);
    while let Some(outgoing) = next {
        let what = match outgoing {
            Outgoing::Live(event, visitor_id) => What::Event { visitor_id, event },
            Outgoing::SessionEnded(key) => What::SessionEnded { key },
        };
        let payload = serde_json::to_string(&Live { from: me, what }).expect("events serialize");
        if payload.len() <= MAX_PAYLOAD {
            payloads.push(payload);
        }
        next = if payloads.len() < 256 {
            waiting.try_recv().ok()
        } else {
            None
        };
    }
    let Backend::Postgres(pg) = pool else {
        return;
    };
    let sent = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(LIVE)
        .bind(&payloads)
        .execute(pg)
        .await;
    if let Err(e) = sent {
        tracing::warn!("sending live events to other instances: {e}");
    }
}

/// Publishes a live-only event another instance sent.
fn publish_live(bus: &Bus, me: i64, notification: &PgNotification) {
    match serde_json::from_str::<Live>(notification.payload()) {
        Ok(live) if live.from != me => match live.what {
            What::Event { visitor_id, event } => bus.publish(StoredEvent {
                id: 0,
                visitor_id: Some(visitor_id),
                event,
            }),
            What::SessionEnded { key } => bus.end_session_here(key),
        },
        Ok(_) => {}
        Err(e) => tracing::warn!("a live event from another instance: {e}"),
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
