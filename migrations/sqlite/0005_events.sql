-- The outbox. Written in the same transaction as the change it describes; AUTOINCREMENT
-- guarantees ids are never reused, so a stream's Last-Event-ID always means the same point.
CREATE TABLE events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    conversation_id  INTEGER,
    visitor_id       INTEGER,
    customer_visible INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX events_visitor ON events(visitor_id, id) WHERE customer_visible = 1;
