-- Identity verification (Settings → Widget security): a visitor the customer's site vouched for
-- (HMAC of its user id) is that user on every device. `user_id` is the site's id of the user;
-- every further device of theirs gets a token of its own here. Kept equal to SQLite's 0035.
ALTER TABLE visitors ADD COLUMN user_id TEXT;
CREATE UNIQUE INDEX visitors_user_id ON visitors(user_id) WHERE user_id IS NOT NULL;
CREATE TABLE visitor_tokens (
    token_hash TEXT PRIMARY KEY,
    visitor_id BIGINT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX visitor_tokens_visitor ON visitor_tokens(visitor_id);
