-- Visitors on the site now, per instance, for the other instances' dashboards: used when
-- several instances share a PostgreSQL database (one SQLite instance keeps them in memory and
-- leaves this table empty). Kept equal to PostgreSQL's 0016.
CREATE TABLE live_visitors (
    instance     INTEGER NOT NULL,
    visitor_id   INTEGER NOT NULL,
    visitor      TEXT NOT NULL,
    page         TEXT,
    browser      TEXT,
    since        INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    PRIMARY KEY (instance, visitor_id)
);
