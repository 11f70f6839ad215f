CREATE TABLE visitors (
    id          INTEGER PRIMARY KEY,
    -- sha256 of the bearer token the widget keeps; the token itself is never stored.
    token_hash  TEXT NOT NULL UNIQUE,
    browser     TEXT,
    timezone    TEXT,
    referrer    TEXT,
    page        TEXT,
    language    TEXT,
    name        TEXT,
    email       TEXT,
    phone       TEXT,
    created_at  INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
