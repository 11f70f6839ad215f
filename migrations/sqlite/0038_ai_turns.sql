-- One AI turn at a time per conversation across instances: the instance answering holds the
-- conversation's row until its turn ends (or `until`, if it died meanwhile); `answered` is
-- the newest message a turn has read, so a message is answered once whichever instance it
-- reached. Used on PostgreSQL, where several instances share the database. Kept equal to
-- PostgreSQL's 0038.
CREATE TABLE ai_turns (
    conversation_id INTEGER PRIMARY KEY,
    holder          TEXT NOT NULL,
    until           INTEGER NOT NULL,
    answered        INTEGER NOT NULL DEFAULT 0
);
