-- Questions the AI could not answer: out of scope, or answers that did not help.
CREATE TABLE knowledge_gaps (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    question        TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('out_of_scope', 'no_good_answer')),
    created_at      INTEGER NOT NULL,
    -- Set when an operator turned the gap into a knowledge-base entry.
    article_id      INTEGER REFERENCES kb_articles(id) ON DELETE SET NULL,
    closed_at       INTEGER
);
CREATE INDEX knowledge_gaps_open ON knowledge_gaps(closed_at, created_at);
