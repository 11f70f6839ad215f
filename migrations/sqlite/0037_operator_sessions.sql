-- Operators' signed-in sessions, listed on the Profile page and ended from there (or from the
-- Team page, by those above them). The dashboard session holds `session_key`; a session whose row is
-- gone is signed out. Kept equal to PostgreSQL's 0037.
CREATE TABLE operator_sessions (
    id           INTEGER PRIMARY KEY,
    session_key  TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    user_agent   TEXT NOT NULL,
    address      TEXT NOT NULL
);
CREATE INDEX operator_sessions_user ON operator_sessions(user_id, last_seen_at);
CREATE INDEX operator_sessions_last_seen ON operator_sessions(last_seen_at);
