-- How many times processing of a document was started since it was queued. A document whose
-- processing was cut short (the server stopped, or an instance died holding it) is taken up
-- again once; the second time it is marked failed, so a file that brings a server down is
-- never retried automatically (Reprocess starts again from 0).
ALTER TABLE kb_documents ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- Documents are private unless published, like articles: only a published one has a public
-- page (/help/documents/{id}) and a link in citations. Kept equal to SQLite's 0036.
ALTER TABLE kb_documents ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;
