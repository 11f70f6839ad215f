-- Outgoing webhooks (Connectors). Deliveries are made from the event log (`events`), read after a
-- cursor in id order, so a change and its delivery are never apart: a delivery row is written
-- for each subscribed endpoint, then sent, signed, and retried with backoff until it succeeds or
-- runs out of attempts. Kept equal to PostgreSQL's 0033.
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    -- The HMAC-SHA256 key of the signature header; shown once, when the endpoint is added.
    secret          TEXT NOT NULL,
    -- Event names, comma-separated (`WebhookEvent::as_str`).
    events          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    -- Events up to this id happened before the endpoint existed: it never receives them.
    since_event_id  INTEGER NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL
);
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    webhook_id       INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event            TEXT NOT NULL,
    -- The event it came from (none for a "Send test").
    event_id         INTEGER,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    response_code    INTEGER,
    error            TEXT,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries(webhook_id, event_id);
-- How far the event log has been read.
CREATE TABLE webhook_cursor (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    event_id  INTEGER NOT NULL
);
INSERT INTO webhook_cursor (id, event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
