CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    visitor_id       INTEGER NOT NULL REFERENCES visitors(id),
    channel          TEXT NOT NULL DEFAULT 'widget',
    status           TEXT NOT NULL CHECK (status IN ('open', 'needs_agent', 'delegated', 'resolved')),
    -- The lock: the operator who joined. Only the holder sends operator messages.
    assignee_id      INTEGER REFERENCES users(id),
    agent_requested  INTEGER NOT NULL DEFAULT 0,
    message_count    INTEGER NOT NULL DEFAULT 0,
    last_message     TEXT,
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    resolved_at      INTEGER,
    resolved_by      INTEGER REFERENCES users(id)
);
CREATE INDEX conversations_visitor ON conversations(visitor_id, id);
CREATE INDEX conversations_status ON conversations(status, last_activity_at);
