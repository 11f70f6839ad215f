-- Rating categories, comment and time; partial indexes for the Reviews page. Kept equal to
-- SQLite's 0021.
ALTER TABLE conversations ADD COLUMN rating_categories TEXT;
ALTER TABLE conversations ADD COLUMN rating_comment TEXT;
ALTER TABLE conversations ADD COLUMN rated_at BIGINT;
CREATE INDEX conversations_rated ON conversations(id) WHERE rating IS NOT NULL;
CREATE INDEX conversations_rating ON conversations(rating, id) WHERE rating IS NOT NULL;
