-- A counter bumped whenever chunks or their embeddings change, so the in-memory vector cache can
-- tell it is stale with one row read instead of scanning every chunk.
CREATE TABLE kb_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO kb_generation (id, n) VALUES (1, 0);
CREATE TRIGGER kb_generation_insert AFTER INSERT ON kb_chunks BEGIN
    UPDATE kb_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER kb_generation_delete AFTER DELETE ON kb_chunks BEGIN
    UPDATE kb_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER kb_generation_embedding AFTER UPDATE OF embedding ON kb_chunks BEGIN
    UPDATE kb_generation SET n = n + 1 WHERE id = 1;
END;
