-- Settings → Data retention for attachments: a file older than the limit is removed from the
-- store (once no kept attachment has the same bytes) and its row says when. The message stays,
-- and downloading it answers 410 Gone. Kept equal to PostgreSQL's 0034.
ALTER TABLE attachments ADD COLUMN removed_at INTEGER;
CREATE INDEX attachments_kept ON attachments(created_at) WHERE removed_at IS NULL;
CREATE INDEX attachments_kept_bytes ON attachments(sha256) WHERE removed_at IS NULL;
