CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    sender          TEXT NOT NULL CHECK (sender IN ('customer', 'ai', 'agent', 'system')),
    kind            TEXT NOT NULL DEFAULT 'text',
    body            TEXT NOT NULL,
    author_id       INTEGER REFERENCES users(id),
    client_msg_id   TEXT,
    citations       TEXT NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
-- A retried send carries the same client id and must not create a second message.
CREATE UNIQUE INDEX messages_client_id ON messages(conversation_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
