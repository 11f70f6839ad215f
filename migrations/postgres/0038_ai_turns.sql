-- One AI turn at a time per conversation across instances: the instance answering holds the
-- conversation's row until its turn ends (or `until`, if it died meanwhile); `answered` is
-- the newest message a turn has read, so a message is answered once whichever instance it
-- reached. Used on PostgreSQL, where several instances share the database. Kept equal to
-- SQLite's 0038.
CREATE TABLE ai_turns (
    conversation_id BIGINT PRIMARY KEY,
    holder          TEXT NOT NULL,
    until           BIGINT NOT NULL,
    answered        BIGINT NOT NULL DEFAULT 0
);
