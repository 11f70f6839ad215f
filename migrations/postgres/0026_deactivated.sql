-- Deactivated operators (Team page): they cannot sign in, their sessions end, their
-- conversations are released; their name stays on what they wrote. Kept equal to SQLite's 0026.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
-- The conversations an operator holds (released when they are deactivated).
CREATE INDEX conversations_assignee ON conversations(assignee_id) WHERE assignee_id IS NOT NULL;
