CREATE TABLE kb_articles (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE kb_chunks (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    heading    TEXT NOT NULL,
    body       TEXT NOT NULL
);
-- Porter stemming so "resetting" finds "reset".
CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(
    heading, body, content='kb_chunks', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER kb_chunks_ai AFTER INSERT ON kb_chunks BEGIN
    INSERT INTO kb_chunks_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body);
END;
CREATE TRIGGER kb_chunks_ad AFTER DELETE ON kb_chunks BEGIN
    INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
END;
