-- The Overview page at any size: what happened per UTC day (day = ms since the epoch / 86400000),
-- kept by triggers in the same transaction as every change, so the cards and 14-day charts read
-- a few thousand rows at most, never the conversations or messages themselves. Rows are history:
-- nothing deletes them when data is removed. Kept equal to PostgreSQL's 0028.
CREATE TABLE activity_daily (
    day             INTEGER PRIMARY KEY,
    sessions        INTEGER NOT NULL DEFAULT 0,
    resolved        INTEGER NOT NULL DEFAULT 0,
    -- AI and operator messages the customer sees (not internal notes).
    messages        INTEGER NOT NULL DEFAULT 0,
    bookings        INTEGER NOT NULL DEFAULT 0,
    agent_requests  INTEGER NOT NULL DEFAULT 0,
    ratings         INTEGER NOT NULL DEFAULT 0,
    rating_sum      INTEGER NOT NULL DEFAULT 0
);
-- Per operator and day: what "Resolved By Me" (and later Analytics) reads.
CREATE TABLE operator_activity_daily (
    operator_id  INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    resolved     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (operator_id, day)
) WITHOUT ROWID;
-- "Open Queue": open conversations nobody has joined, per channel.
CREATE TABLE open_queue (
    channel  TEXT PRIMARY KEY,
    n        INTEGER NOT NULL
) WITHOUT ROWID;
-- "My Open Sessions": the conversations one operator holds, by status.
DROP INDEX conversations_assignee;
CREATE INDEX conversations_assignee ON conversations(assignee_id, status) WHERE assignee_id IS NOT NULL;

-- What is already there.
INSERT INTO activity_daily (day, sessions, agent_requests, ratings, rating_sum)
    SELECT created_at / 86400000, COUNT(*), SUM(agent_requested), COUNT(rating), COALESCE(SUM(rating), 0)
    FROM conversations WHERE true GROUP BY created_at / 86400000;
INSERT INTO activity_daily (day, resolved)
    SELECT COALESCE(resolved_at, last_activity_at) / 86400000, COUNT(*)
    FROM conversations WHERE status = 'resolved' GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET resolved = excluded.resolved;
INSERT INTO activity_daily (day, messages)
    SELECT created_at / 86400000, COUNT(*)
    FROM messages WHERE sender IN ('ai', 'agent') AND internal = 0 GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET messages = excluded.messages;
INSERT INTO activity_daily (day, bookings)
    SELECT created_at / 86400000, COUNT(*) FROM bookings WHERE true GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET bookings = excluded.bookings;
INSERT INTO operator_activity_daily (operator_id, day, resolved)
    SELECT resolved_by, COALESCE(resolved_at, last_activity_at) / 86400000, COUNT(*)
    FROM conversations WHERE status = 'resolved' AND resolved_by IS NOT NULL GROUP BY 1, 2;
INSERT INTO open_queue (channel, n)
    SELECT channel, COUNT(*) FROM conversations
    WHERE status = 'open' AND assignee_id IS NULL GROUP BY channel;

CREATE TRIGGER activity_conversation_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO activity_daily (day, sessions, agent_requests, ratings, rating_sum)
        VALUES (NEW.created_at / 86400000, 1, NEW.agent_requested, NEW.rating IS NOT NULL,
            COALESCE(NEW.rating, 0))
        ON CONFLICT (day) DO UPDATE SET sessions = sessions + 1,
            agent_requests = agent_requests + excluded.agent_requests,
            ratings = ratings + excluded.ratings, rating_sum = rating_sum + excluded.rating_sum;
    INSERT INTO activity_daily (day, resolved)
        SELECT COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1
        WHERE NEW.status = 'resolved'
        ON CONFLICT (day) DO UPDATE SET resolved = resolved + 1;
    INSERT INTO operator_activity_daily (operator_id, day, resolved)
        SELECT NEW.resolved_by, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1
        WHERE NEW.status = 'resolved' AND NEW.resolved_by IS NOT NULL
        ON CONFLICT (operator_id, day) DO UPDATE SET resolved = resolved + 1;
    INSERT INTO open_queue (channel, n) SELECT NEW.channel, 1
        WHERE NEW.status = 'open' AND NEW.assignee_id IS NULL
        ON CONFLICT (channel) DO UPDATE SET n = n + 1;
END;

-- A resolution counts on the day it happened; a conversation taken out of Resolved uncounts it.
CREATE TRIGGER activity_conversation_status AFTER UPDATE OF status ON conversations
    WHEN OLD.status IS NOT NEW.status AND 'resolved' IN (OLD.status, NEW.status)
BEGIN
    INSERT INTO activity_daily (day, resolved)
        SELECT COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1
        WHERE NEW.status = 'resolved'
        ON CONFLICT (day) DO UPDATE SET resolved = resolved + 1;
    INSERT INTO operator_activity_daily (operator_id, day, resolved)
        SELECT NEW.resolved_by, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1
        WHERE NEW.status = 'resolved' AND NEW.resolved_by IS NOT NULL
        ON CONFLICT (operator_id, day) DO UPDATE SET resolved = resolved + 1;
    UPDATE activity_daily SET resolved = resolved - 1
        WHERE OLD.status = 'resolved'
            AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
    UPDATE operator_activity_daily SET resolved = resolved - 1
        WHERE OLD.status = 'resolved' AND operator_id = OLD.resolved_by
            AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
END;

CREATE TRIGGER activity_agent_requested AFTER UPDATE OF agent_requested ON conversations
    WHEN OLD.agent_requested = 0 AND NEW.agent_requested = 1
BEGIN
    INSERT INTO activity_daily (day, agent_requests) VALUES (NEW.last_activity_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET agent_requests = agent_requests + 1;
END;

CREATE TRIGGER activity_rating AFTER UPDATE OF rating ON conversations
    WHEN OLD.rating IS NOT NEW.rating
BEGIN
    UPDATE activity_daily SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
        WHERE OLD.rating IS NOT NULL
            AND day = COALESCE(OLD.rated_at, OLD.last_activity_at) / 86400000;
    INSERT INTO activity_daily (day, ratings, rating_sum)
        SELECT COALESCE(NEW.rated_at, NEW.last_activity_at) / 86400000, 1, NEW.rating
        WHERE NEW.rating IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET ratings = ratings + 1,
            rating_sum = rating_sum + excluded.rating_sum;
END;

CREATE TRIGGER open_queue_update AFTER UPDATE OF status, assignee_id, channel ON conversations
    WHEN (OLD.status = 'open' AND OLD.assignee_id IS NULL)
        IS NOT (NEW.status = 'open' AND NEW.assignee_id IS NULL)
        OR OLD.channel IS NOT NEW.channel
BEGIN
    UPDATE open_queue SET n = n - 1
        WHERE OLD.status = 'open' AND OLD.assignee_id IS NULL AND channel = OLD.channel;
    INSERT INTO open_queue (channel, n) SELECT NEW.channel, 1
        WHERE NEW.status = 'open' AND NEW.assignee_id IS NULL
        ON CONFLICT (channel) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER open_queue_delete AFTER DELETE ON conversations
    WHEN OLD.status = 'open' AND OLD.assignee_id IS NULL
BEGIN
    UPDATE open_queue SET n = n - 1 WHERE channel = OLD.channel;
END;

CREATE TRIGGER activity_message AFTER INSERT ON messages
    WHEN NEW.sender IN ('ai', 'agent') AND NEW.internal = 0
BEGIN
    INSERT INTO activity_daily (day, messages) VALUES (NEW.created_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET messages = messages + 1;
END;

CREATE TRIGGER activity_booking AFTER INSERT ON bookings BEGIN
    INSERT INTO activity_daily (day, bookings) VALUES (NEW.created_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET bookings = bookings + 1;
END;
