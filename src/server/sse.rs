//! Server-Sent Event streams that lose nothing and send nothing twice.
//!
//! A stream subscribes to the bus first, then replays stored events after the client's cursor
//! (`Last-Event-ID`, or `?after=` from the page it was rendered with), then streams live ones,
//! skipping ids already sent. A stream with no cursor starts from now: it never replays history.
//! A cursor older than the retention floor (those events were deleted) gets one `refetch` event
//! and continues from now. If the subscriber falls behind the bus, it replays from the table
//! again. Heartbeats keep proxies from closing idle streams; `end` (shutdown, sign-out, an
//! expired session) ends the stream.

use crate::server::db::{Db, events};
use crate::server::realtime::{Scope, StoredEvent, Subscription};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

const REPLAY_BATCH: i64 = 500;

/// Where a client resumes: the `Last-Event-ID` header a reconnecting browser sends wins over
/// the `after` the page was loaded with. None: start from now.
pub fn cursor(headers: &HeaderMap, after: Option<i64>) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or(after)
        .map(|c: i64| c.max(0))
}

struct State {
    db: Db,
    scope: Scope,
    rx: Subscription,
    last_sent: i64,
    backlog: VecDeque<StoredEvent>,
    /// More stored events may follow the backlog (a full batch was read).
    replaying: bool,
    shutdown: CancellationToken,
    /// Whatever must live as long as the stream (e.g. its session's ticket).
    _held: Box<dyn std::any::Any + Send + Sync>,
}

impl State {
    async fn refill(&mut self) -> Result<(), sqlx::Error> {
        let batch = events::after(&self.db.read, self.scope, self.last_sent, REPLAY_BATCH).await?;
        self.replaying = batch.len() as i64 == REPLAY_BATCH;
        self.backlog.extend(batch);
        Ok(())
    }

    async fn next_event(&mut self) -> Option<StoredEvent> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                if e.id > self.last_sent {
                    return Some(e);
                }
                continue;
            }
            if self.replaying {
                if let Err(e) = self.refill().await {
                    tracing::warn!("stream replay failed: {e}");
                    return None;
                }
                continue;
            }
            let received = tokio::select! {
                _ = self.shutdown.cancelled() => return None,
                r = self.rx.recv() => r,
            };
            match received {
                Ok(e) if e.id == 0 && self.scope.admits(&e) => return Some((*e).clone()),
                Ok(e) if e.id > self.last_sent && self.scope.admits(&e) => {
                    return Some((*e).clone());
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => {
                    // Fell behind the bus: the table has everything, read it from where we are.
                    self.replaying = true;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

pub async fn stream(
    db: Db,
    scope: Scope,
    cursor: Option<i64>,
    end: CancellationToken,
    held: Box<dyn std::any::Any + Send + Sync>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, sqlx::Error> {
    // Subscribe before reading the table, so nothing committed in between is missed.
    let rx = db.bus().subscribe(scope);
    let now = events::latest_id(&db.read).await?;
    let floor = events::retention_floor(&db.read).await?;
    // A cursor from the future (another database, a restore) is treated like none.
    let (start, refetch) = match cursor {
        Some(c) if c < floor => (now, true),
        Some(c) if c <= now => (c, false),
        _ => (now, false),
    };
    let mut state = State {
        db,
        scope,
        rx,
        last_sent: start,
        backlog: VecDeque::new(),
        replaying: false,
        shutdown: end,
        _held: held,
    };
    if start < now {
        state.refill().await?;
    }
    let first = refetch.then(|| {
        // Named, without an id: the client refetches its views once and keeps its cursor moving
        // from the next stored event.
        Ok(SseEvent::default().event("refetch").data("{}"))
    });
    let events = futures::stream::unfold(state, |mut state| async move {
        let e = state.next_event().await?;
        let data = serde_json::to_string(&e.event).expect("events serialize");
        let sse = if e.id == 0 {
            // Live only: a named event without an id, so the client's cursor stays on the
            // last stored event and `onmessage` handlers that want only stored ones skip it.
            SseEvent::default().event(e.event.kind()).data(data)
        } else {
            state.last_sent = e.id;
            SseEvent::default().id(e.id.to_string()).data(data)
        };
        Some((Ok(sse), state))
    });
    let events = futures::stream::iter(first).chain(events);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn last_event_id_wins() {
        let mut h = HeaderMap::new();
        assert_eq!(cursor(&h, None), None);
        assert_eq!(cursor(&h, Some(7)), Some(7));
        h.insert("last-event-id", HeaderValue::from_static("12"));
        assert_eq!(cursor(&h, Some(7)), Some(12));
        h.insert("last-event-id", HeaderValue::from_static("junk"));
        assert_eq!(cursor(&h, Some(7)), Some(7));
        assert_eq!(cursor(&HeaderMap::new(), Some(-5)), Some(0));
    }
}
