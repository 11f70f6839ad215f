-- Quick replies: canned answers inserted with `/shortcut` in the composer, managed by Admins
-- and Owners in Settings. Kept equal to PostgreSQL's 0019.
CREATE TABLE quick_replies (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    shortcut   TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
