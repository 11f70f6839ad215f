-- Password reset links (Team page): made by an Admin or the Owner for an operator below them,
-- one-time (only the token's sha256 is stored), valid until expires_at. A new link for the same
-- operator spends the older ones. Kept equal to PostgreSQL's 0029.
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX password_resets_user ON password_resets(user_id) WHERE used_at IS NULL;
