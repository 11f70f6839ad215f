-- Documents added by upload, paste or URL. The original bytes are kept so a document can be
-- re-processed (and nothing a user sent is lost); `text` is what extraction produced.
CREATE TABLE kb_documents (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    source_kind  TEXT NOT NULL CHECK (source_kind IN ('upload', 'paste', 'url')),
    -- The file name, "Pasted text", or the URL.
    source       TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('markdown', 'text', 'html', 'pdf')),
    original     BLOB NOT NULL,
    text         TEXT,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    error        TEXT,
    chunk_count  INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX kb_documents_status ON kb_documents(status);

-- Help Center articles can be drafts; only published ones are public and searchable.
ALTER TABLE kb_articles ADD COLUMN published INTEGER NOT NULL DEFAULT 1;

-- Chunks now belong to an article or a document, and may carry an embedding (little-endian f32).
DROP TRIGGER kb_chunks_ai;
DROP TRIGGER kb_chunks_ad;
DROP TABLE kb_chunks_fts;
ALTER TABLE kb_chunks RENAME TO kb_chunks_old;
CREATE TABLE kb_chunks (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER REFERENCES kb_articles(id) ON DELETE CASCADE,
    document_id INTEGER REFERENCES kb_documents(id) ON DELETE CASCADE,
    heading     TEXT NOT NULL,
    body        TEXT NOT NULL,
    embedding   BLOB,
    CHECK ((article_id IS NULL) <> (document_id IS NULL))
);
INSERT INTO kb_chunks (id, article_id, heading, body)
    SELECT id, article_id, heading, body FROM kb_chunks_old;
DROP TABLE kb_chunks_old;
CREATE INDEX kb_chunks_article ON kb_chunks(article_id);
CREATE INDEX kb_chunks_document ON kb_chunks(document_id);
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
INSERT INTO kb_chunks_fts(kb_chunks_fts) VALUES ('rebuild');
