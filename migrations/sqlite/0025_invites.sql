-- Invitations to the team (Team page): a one-time link (only its sha256 is stored) for an
-- email and role, valid until expires_at, used once. Kept equal to PostgreSQL's 0025.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL COLLATE NOCASE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    invited_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER
);
CREATE INDEX invites_pending ON invites(expires_at) WHERE accepted_at IS NULL;
