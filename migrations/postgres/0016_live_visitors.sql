-- Visitors on the site now, per instance (`server/presence.rs`): each instance writes its own
-- as they come and go and refreshes them every 20 s; any instance's dashboard lists them all.
-- The rows of an instance that stopped refreshing (killed) are removed by the others.
CREATE TABLE live_visitors (
    instance     BIGINT NOT NULL,
    visitor_id   BIGINT NOT NULL,
    visitor      TEXT NOT NULL,
    page         TEXT,
    browser      TEXT,
    since        BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    PRIMARY KEY (instance, visitor_id)
);
