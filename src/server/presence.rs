//! Live visitors: who is on the customer's site now. The widget opens its stream on every page
//! it loads, so an open widget stream is the visit's heartbeat (its keep-alives every 15 s find a
//! dead connection); the page comes from the page view the widget reports at `/session`. A
//! visitor whose last stream closed is kept for `GRACE` (moving to the next page reconnects), then
//! expires. Every change is a live-only event for the dashboards.
//!
//! One instance keeps its visitors in memory only. Instances sharing PostgreSQL also write
//! theirs to `live_visitors` (from a task, off the widget's path), so a dashboard opened on any
//! instance lists everyone; the live events already reach every instance (`db/relay.rs`). A
//! visitor leaves the dashboards when the last instance that had them lets them go, and the
//! visitors of an instance that stops refreshing its rows (killed) leave after `STALE`.

use crate::server::db::conversations::visitor_label;
use crate::server::db::visitors::VisitorRow;
use crate::server::db::{self, Db};
use crate::server::now_ms;
use crate::server::realtime::Bus;
use liaison_protocol::{Event, LiveVisitor};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long a visitor stays "on the site" after their last widget closed.
pub const GRACE: Duration = Duration::from_secs(60);

/// How often an instance sharing the database confirms its visitors are still there.
const REFRESH: Duration = Duration::from_secs(20);

/// Rows not confirmed for this long belong to an instance that is gone.
const STALE: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Presence {
    inner: Arc<Mutex<HashMap<i64, Entry>>>,
    bus: Bus,
    /// Set when instances share the database: where changes go to be written.
    shared: Arc<OnceLock<Shared>>,
}

struct Shared {
    db: Db,
    changes: mpsc::UnboundedSender<Change>,
}

enum Change {
    Here(LiveVisitor),
    Gone(i64),
}

struct Entry {
    visitor: LiveVisitor,
    streams: usize,
    left_at: Option<i64>,
}

/// Held by an open widget stream; dropping it starts the grace period.
pub struct Visit {
    visitor_id: i64,
    presence: Presence,
}

impl Drop for Visit {
    fn drop(&mut self) {
        let mut map = self.presence.inner.lock().expect("presence lock");
        if let Some(e) = map.get_mut(&self.visitor_id) {
            e.streams = e.streams.saturating_sub(1);
            if e.streams == 0 {
                e.left_at = Some(now_ms());
            }
        }
    }
}

impl Presence {
    pub fn new(bus: Bus) -> Presence {
        Presence {
            inner: Arc::default(),
            bus,
            shared: Arc::default(),
        }
    }

    /// On PostgreSQL, where other instances may share the database: writes this instance's
    /// visitors to it until `shutdown` (then removes them), and lists everyone's.
    pub fn share(&self, db: &Db, shutdown: CancellationToken) {
        if !db.read.is_postgres() {
            return;
        }
        let (changes, rx) = mpsc::unbounded_channel();
        let shared = Shared {
            db: db.clone(),
            changes,
        };
        if self.shared.set(shared).is_ok() {
            tokio::spawn(write_shared(self.clone(), db.clone(), rx, shutdown));
        }
    }

    /// Everyone on the site now, through any instance, the longest visit first.
    pub async fn everyone(&self) -> Result<Vec<LiveVisitor>, sqlx::Error> {
        let Some(shared) = self.shared.get() else {
            return Ok(self.list());
        };
        let mut all =
            db::presence::list(&shared.db.read, now_ms() - STALE.as_millis() as i64).await?;
        // This instance's own, even those its writer has not caught up with yet.
        for mine in self.list() {
            if !all.iter().any(|v| v.visitor_id == mine.visitor_id) {
                all.push(mine);
            }
        }
        all.sort_by_key(|v| (v.since, v.visitor_id));
        Ok(all)
    }

    /// A widget stream opened for `row`: the visitor is here, on `row.page`.
    pub fn enter(&self, row: &VisitorRow) -> Visit {
        let now = now_ms();
        let mut map = self.inner.lock().expect("presence lock");
        let seen = LiveVisitor {
            visitor_id: row.id,
            visitor: visitor_label(row.id, row.name.as_deref(), None),
            page: row.page.clone(),
            browser: row.browser.clone(),
            since: now,
        };
        let entry = map.entry(row.id).or_insert_with(|| Entry {
            visitor: seen.clone(),
            streams: 0,
            left_at: None,
        });
        entry.streams += 1;
        entry.left_at = None;
        // The visit goes on (same `since`) on the next page.
        let changed = entry.streams == 1 || entry.visitor.page != seen.page;
        entry.visitor.page = seen.page;
        entry.visitor.visitor = seen.visitor;
        entry.visitor.browser = seen.browser;
        if changed {
            self.bus.publish_live(
                Event::VisitorOnline {
                    visitor: entry.visitor.clone(),
                },
                row.id,
            );
            if let Some(shared) = self.shared.get() {
                let _ = shared.changes.send(Change::Here(entry.visitor.clone()));
            }
        }
        Visit {
            visitor_id: row.id,
            presence: self.clone(),
        }
    }

    /// Everyone on the site now, the longest visit first.
    pub fn list(&self) -> Vec<LiveVisitor> {
        let map = self.inner.lock().expect("presence lock");
        let mut all: Vec<LiveVisitor> = map.values().map(|e| e.visitor.clone()).collect();
        all.sort_by_key(|v| (v.since, v.visitor_id));
        all
    }

    /// Forgets visitors whose last widget closed more than `GRACE` before `now`.
    pub fn expire(&self, now: i64) {
        let mut map = self.inner.lock().expect("presence lock");
        let gone: Vec<i64> = map
            .iter()
            .filter(|(_, e)| {
                e.left_at
                    .is_some_and(|t| now - t >= GRACE.as_millis() as i64)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            map.remove(&id);
            match self.shared.get() {
                // Gone from the dashboards only if no other instance has them.
                Some(shared) => {
                    let _ = shared.changes.send(Change::Gone(id));
                }
                None => self
                    .bus
                    .publish_live(Event::VisitorOffline { visitor_id: id }, id),
            }
        }
    }

    /// Expires visitors every 10 s until shutdown.
    pub fn spawn_expiry(&self, shutdown: CancellationToken) {
        let presence = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = every.tick() => presence.expire(now_ms()),
                }
            }
        });
    }
}

/// Writes this instance's visitors to the shared table as they change, confirms them every
/// `REFRESH`, and removes the rows of instances that stopped confirming theirs.
async fn write_shared(
    presence: Presence,
    db: Db,
    mut changes: mpsc::UnboundedReceiver<Change>,
    shutdown: CancellationToken,
) {
    let me = db.instance();
    let pool = &db.read;
    let fresh_after = || now_ms() - STALE.as_millis() as i64;
    let offline = |id: i64| {
        presence
            .bus
            .publish_live(Event::VisitorOffline { visitor_id: id }, id)
    };
    let mut every = tokio::time::interval(REFRESH);
    loop {
        let written = tokio::select! {
            _ = shutdown.cancelled() => break,
            change = changes.recv() => match change {
                Some(Change::Here(visitor)) => db::presence::here(pool, me, &visitor, now_ms()).await,
                Some(Change::Gone(id)) => match db::presence::gone(pool, me, id, fresh_after()).await {
                    Ok(true) => Ok(()),
                    Ok(false) => {
                        offline(id);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                None => break,
            },
            _ = every.tick() => async {
                db::presence::refresh(pool, me, now_ms()).await?;
                for id in db::presence::sweep(pool, fresh_after()).await? {
                    let here = presence.inner.lock().expect("presence lock").contains_key(&id);
                    if !here && !db::presence::elsewhere(pool, id, fresh_after()).await? {
                        offline(id);
                    }
                }
                Ok(())
            }.await,
        };
        if let Err(e) = written {
            tracing::warn!("sharing live visitors: {e}");
        }
    }
    if let Err(e) = db::presence::leave(pool, me).await {
        tracing::warn!("removing this instance's live visitors: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::realtime::Scope;

    fn row(id: i64, page: &str) -> VisitorRow {
        VisitorRow {
            id,
            browser: Some("Firefox 128 on Linux".into()),
            timezone: None,
            referrer: None,
            page: Some(page.into()),
            language: None,
            name: None,
            email: None,
            phone: None,
            whatsapp: None,
        }
    }

    #[tokio::test]
    async fn visits_last_across_pages_and_expire_after_the_grace() {
        let bus = Bus::default();
        let mut ops = bus.subscribe(Scope::Dashboard);
        let presence = Presence::new(bus.clone());
        let first = presence.enter(&row(3, "/pricing"));
        let since = presence.list()[0].since;
        assert!(
            matches!(&ops.recv().await.unwrap().event, Event::VisitorOnline { visitor } if visitor.page.as_deref() == Some("/pricing"))
        );
        // The next page opens before the last one closes: one visit, a new page.
        let second = presence.enter(&row(3, "/checkout"));
        drop(first);
        assert!(
            matches!(&ops.recv().await.unwrap().event, Event::VisitorOnline { visitor } if visitor.page.as_deref() == Some("/checkout"))
        );
        assert_eq!(presence.list().len(), 1);
        assert_eq!(presence.list()[0].since, since);
        drop(second);
        presence.expire(now_ms());
        assert_eq!(presence.list().len(), 1, "still within the grace period");
        presence.expire(now_ms() + GRACE.as_millis() as i64 + 1);
        assert!(presence.list().is_empty());
        assert!(matches!(
            ops.recv().await.unwrap().event,
            Event::VisitorOffline { visitor_id: 3 }
        ));
    }
}
