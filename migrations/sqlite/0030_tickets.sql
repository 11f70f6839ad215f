-- Tickets (everyone): made by hand or from a conversation; subject, description, priority,
-- status, assignee, linked conversation. Listed newest first by status (keyset on the index),
-- counted per status by trigger, searched with FTS5. Kept equal to PostgreSQL's 0030.
CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY,
    subject          TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    priority         TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status           TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved')),
    assignee_id      INTEGER REFERENCES users(id),
    conversation_id  INTEGER REFERENCES conversations(id),
    created_by       INTEGER NOT NULL REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    solved_at        INTEGER
);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_conversation ON tickets(conversation_id) WHERE conversation_id IS NOT NULL;

CREATE TABLE ticket_counts (
    status  TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO ticket_counts (status, n) VALUES ('open', 0), ('pending', 0), ('solved', 0);
CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
    UPDATE ticket_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER ticket_counts_update AFTER UPDATE OF status ON tickets
    WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE ticket_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE status = OLD.status;
END;

CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, description, content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, description)
        VALUES (NEW.id, NEW.subject, NEW.description);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description)
        VALUES ('delete', OLD.id, OLD.subject, OLD.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description)
        VALUES ('delete', OLD.id, OLD.subject, OLD.description);
    INSERT INTO tickets_fts (rowid, subject, description)
        VALUES (NEW.id, NEW.subject, NEW.description);
END;
