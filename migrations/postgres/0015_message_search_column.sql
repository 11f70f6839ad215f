-- Messages' search words, folded once when the message is written (`liaison_fold` lowers case,
-- drops accents, splits on anything that is not a letter or digit) instead of on every row a
-- search reads: checking a row a GIN bitmap left inexact, or a recent message while walking
-- back from the newest, then costs a lookup in a stored value. (SQLite's FTS5 tables keep the
-- same words in their own tables.)
DROP INDEX messages_search;
ALTER TABLE messages ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', liaison_fold(body))) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
