-- Handoff: the pending delegation's target and reason; operator-only lines in the thread.
-- Kept equal to SQLite's 0017.
ALTER TABLE conversations ADD COLUMN delegated_to BIGINT REFERENCES users(id);
ALTER TABLE conversations ADD COLUMN delegation_reason TEXT;
ALTER TABLE messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
