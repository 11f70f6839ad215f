-- The customer's rating beyond its stars (0012's `rating`): the feedback categories (a JSON
-- array), the comment and when it was given. The Reviews page lists rated conversations newest
-- first, all or by stars, on these partial indexes. Kept equal to PostgreSQL's 0021.
ALTER TABLE conversations ADD COLUMN rating_categories TEXT;
ALTER TABLE conversations ADD COLUMN rating_comment TEXT;
ALTER TABLE conversations ADD COLUMN rated_at INTEGER;
CREATE INDEX conversations_rated ON conversations(id) WHERE rating IS NOT NULL;
CREATE INDEX conversations_rating ON conversations(rating, id) WHERE rating IS NOT NULL;
