//! Dashboard streams belong to a session: signing out ends that session's streams at once, on
//! every instance (the sign-out travels on the bus, and between instances with the relay), and a
//! sweep every minute ends those whose session expired or was deleted, so a signed-out or
//! expired tab stops receiving events.

use crate::server::realtime::{Bus, session_key};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;

#[derive(Clone, Default)]
pub struct SessionStreams {
    inner: Arc<Mutex<HashMap<Id, Entry>>>,
}

struct Entry {
    end: CancellationToken,
    streams: usize,
    /// How sign-outs name the session ([`session_key`]).
    key: String,
    /// How a deactivation names the operator the session belongs to ([`operator_key`]).
    operator: String,
    /// How ending it from a sessions list names it ([`signed_in_key`]).
    signed_in: Option<String>,
}

/// How the bus names every session of one operator (their deactivation ends them all).
pub fn operator_key(operator: i64) -> String {
    format!("operator:{operator}")
}

/// How the bus names one signed-in session (`operator_sessions.id`) ended from a sessions list.
pub fn signed_in_key(id: i64) -> String {
    format!("signed-in:{id}")
}

/// Held by an open stream; `end` fires when its session ends. Dropping it forgets the stream.
pub struct StreamTicket {
    pub end: CancellationToken,
    session: Id,
    owner: SessionStreams,
}

impl Drop for StreamTicket {
    fn drop(&mut self) {
        let mut map = self.owner.inner.lock().expect("streams lock");
        if let Some(entry) = map.get_mut(&self.session) {
            entry.streams -= 1;
            if entry.streams == 0 {
                map.remove(&self.session);
            }
        }
    }
}

impl SessionStreams {
    /// Registers a stream of `session` (signed in as the row `signed_in` of the sessions list);
    /// it ends on sign-out, on expiry, when the session is ended from a list, or with
    /// `shutdown`.
    pub fn open(
        &self,
        session: Id,
        operator: i64,
        signed_in: Option<i64>,
        shutdown: &CancellationToken,
    ) -> StreamTicket {
        let mut map = self.inner.lock().expect("streams lock");
        let entry = map.entry(session).or_insert_with(|| Entry {
            end: shutdown.child_token(),
            streams: 0,
            key: session_key(&session.to_string()),
            operator: operator_key(operator),
            signed_in: signed_in.map(signed_in_key),
        });
        entry.streams += 1;
        StreamTicket {
            end: entry.end.clone(),
            session,
            owner: self.clone(),
        }
    }

    /// Ends every stream of `session` (sign-out) here, and through `bus` on the other
    /// instances.
    pub fn sign_out(&self, session: Id, bus: &Bus) {
        self.end(session);
        bus.end_session(session_key(&session.to_string()));
    }

    /// Ends every stream of every session of `operator` (deactivated), here and, through `bus`,
    /// on the other instances.
    pub fn end_operator(&self, operator: i64, bus: &Bus) {
        bus.end_session(operator_key(operator));
    }

    /// Ends every stream of the signed-in sessions `ids` (ended from a sessions list), on every
    /// instance.
    pub fn end_signed_in(&self, ids: &[i64], bus: &Bus) {
        for id in ids {
            bus.end_session(signed_in_key(*id));
        }
    }

    /// Ends every stream of `session` on this instance.
    pub fn end(&self, session: Id) {
        if let Some(entry) = self.inner.lock().expect("streams lock").get(&session) {
            entry.end.cancel();
        }
    }

    /// Until shutdown: ends the streams of sessions that signed out on another instance.
    pub fn follow(&self, bus: &Bus, shutdown: CancellationToken) {
        let streams = self.clone();
        let mut ended = bus.ended_sessions();
        tokio::spawn(async move {
            loop {
                let key = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    key = ended.recv() => key,
                };
                match key {
                    Ok(key) => {
                        let map = streams.inner.lock().expect("streams lock");
                        let named = |e: &&Entry| {
                            e.key == key
                                || e.operator == key
                                || e.signed_in.as_deref() == Some(key.as_str())
                        };
                        for entry in map.values().filter(named) {
                            entry.end.cancel();
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }

    /// How many streams are open, over all sessions.
    pub fn open_streams(&self) -> usize {
        let map = self.inner.lock().expect("streams lock");
        map.values().map(|e| e.streams).sum()
    }

    fn sessions(&self) -> Vec<Id> {
        self.inner
            .lock()
            .expect("streams lock")
            .keys()
            .copied()
            .collect()
    }

    /// Every minute until shutdown: ends the streams of sessions the store no longer has (it
    /// loads only unexpired ones).
    pub fn sweep<S: SessionStore + Clone>(&self, store: S, shutdown: CancellationToken) {
        let streams = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = every.tick() => {}
                }
                for id in streams.sessions() {
                    match store.load(&id).await {
                        Ok(Some(_)) => {}
                        Ok(None) => streams.end(id),
                        Err(e) => tracing::warn!("session check for streams failed: {e}"),
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_out_ends_only_that_sessions_streams() {
        let streams = SessionStreams::default();
        let shutdown = CancellationToken::new();
        let (a, b) = (Id(1), Id(2));
        let a1 = streams.open(a, 1, None, &shutdown);
        let a2 = streams.open(a, 1, None, &shutdown);
        let b1 = streams.open(b, 2, None, &shutdown);
        assert_eq!(streams.open_streams(), 3);
        streams.end(a);
        assert!(a1.end.is_cancelled() && a2.end.is_cancelled());
        assert!(!b1.end.is_cancelled());
        drop((a1, a2));
        assert_eq!(streams.open_streams(), 1);
        // A new sign-in on the same id is a fresh entry, not an ended one.
        assert!(!streams.open(a, 1, None, &shutdown).end.is_cancelled());
        shutdown.cancel();
        assert!(b1.end.is_cancelled());
    }
}
