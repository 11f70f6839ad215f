-- Attachments (images, voice messages, files) sent in a conversation. The bytes live under the
-- data directory, named by their sha256 (content-addressed: the sender's file name is never a
-- path); this row says which conversation may read them. Kept equal to PostgreSQL's 0018.
CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    sha256          TEXT NOT NULL,
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    thumbnail       INTEGER NOT NULL DEFAULT 0 CHECK (thumbnail IN (0, 1)),
    created_at      INTEGER NOT NULL
);
CREATE INDEX attachments_conversation ON attachments(conversation_id);
-- The message's attachment as the thread shows it (JSON), beside its kind (0004's `kind`).
ALTER TABLE messages ADD COLUMN attachment TEXT;
