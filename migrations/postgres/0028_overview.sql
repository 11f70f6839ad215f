-- The Overview page at any size: what happened per UTC day (day = ms since the epoch / 86400000),
-- kept by triggers in the same transaction as every change, so the cards and 14-day charts read
-- a few thousand rows at most, never the conversations or messages themselves. Rows are history:
-- nothing deletes them when data is removed. Kept equal to SQLite's 0028.
CREATE TABLE activity_daily (
    day             BIGINT PRIMARY KEY,
    sessions        BIGINT NOT NULL DEFAULT 0,
    resolved        BIGINT NOT NULL DEFAULT 0,
    -- AI and operator messages the customer sees (not internal notes).
    messages        BIGINT NOT NULL DEFAULT 0,
    bookings        BIGINT NOT NULL DEFAULT 0,
    agent_requests  BIGINT NOT NULL DEFAULT 0,
    ratings         BIGINT NOT NULL DEFAULT 0,
    rating_sum      BIGINT NOT NULL DEFAULT 0
);
-- Per operator and day: what "Resolved By Me" (and later Analytics) reads.
CREATE TABLE operator_activity_daily (
    operator_id  BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    resolved     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (operator_id, day)
);
-- "Open Queue": open conversations nobody has joined, per channel.
CREATE TABLE open_queue (
    channel  TEXT PRIMARY KEY,
    n        BIGINT NOT NULL
);
-- "My Open Sessions": the conversations one operator holds, by status.
DROP INDEX conversations_assignee;
CREATE INDEX conversations_assignee ON conversations(assignee_id, status) WHERE assignee_id IS NOT NULL;

-- What is already there.
INSERT INTO activity_daily (day, sessions, agent_requests, ratings, rating_sum)
    SELECT created_at / 86400000, COUNT(*), COUNT(*) FILTER (WHERE agent_requested),
        COUNT(rating), COALESCE(SUM(rating), 0)
    FROM conversations GROUP BY created_at / 86400000;
INSERT INTO activity_daily (day, resolved)
    SELECT COALESCE(resolved_at, last_activity_at) / 86400000, COUNT(*)
    FROM conversations WHERE status = 'resolved' GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET resolved = excluded.resolved;
INSERT INTO activity_daily (day, messages)
    SELECT created_at / 86400000, COUNT(*)
    FROM messages WHERE sender IN ('ai', 'agent') AND NOT internal GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET messages = excluded.messages;
INSERT INTO activity_daily (day, bookings)
    SELECT created_at / 86400000, COUNT(*) FROM bookings GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET bookings = excluded.bookings;
INSERT INTO operator_activity_daily (operator_id, day, resolved)
    SELECT resolved_by, COALESCE(resolved_at, last_activity_at) / 86400000, COUNT(*)
    FROM conversations WHERE status = 'resolved' AND resolved_by IS NOT NULL GROUP BY 1, 2;
INSERT INTO open_queue (channel, n)
    SELECT channel, COUNT(*) FROM conversations
    WHERE status = 'open' AND assignee_id IS NULL GROUP BY channel;

-- The same rules as SQLite's triggers, one function per table.
CREATE FUNCTION activity_conversation_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_queued BOOLEAN := TG_OP <> 'INSERT' AND OLD.status = 'open' AND OLD.assignee_id IS NULL;
    new_queued BOOLEAN := TG_OP <> 'DELETE' AND NEW.status = 'open' AND NEW.assignee_id IS NULL;
    old_resolved BOOLEAN := TG_OP <> 'INSERT' AND OLD.status = 'resolved';
    new_resolved BOOLEAN := TG_OP <> 'DELETE' AND NEW.status = 'resolved';
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF old_queued THEN
            UPDATE open_queue SET n = n - 1 WHERE channel = OLD.channel;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO activity_daily (day, sessions, agent_requests, ratings, rating_sum)
            VALUES (NEW.created_at / 86400000, 1, CASE WHEN NEW.agent_requested THEN 1 ELSE 0 END,
                CASE WHEN NEW.rating IS NULL THEN 0 ELSE 1 END, COALESCE(NEW.rating, 0))
            ON CONFLICT (day) DO UPDATE SET sessions = activity_daily.sessions + 1,
                agent_requests = activity_daily.agent_requests + excluded.agent_requests,
                ratings = activity_daily.ratings + excluded.ratings,
                rating_sum = activity_daily.rating_sum + excluded.rating_sum;
    ELSE
        IF NEW.agent_requested AND NOT OLD.agent_requested THEN
            INSERT INTO activity_daily (day, agent_requests)
                VALUES (NEW.last_activity_at / 86400000, 1)
                ON CONFLICT (day) DO UPDATE SET agent_requests = activity_daily.agent_requests + 1;
        END IF;
        IF OLD.rating IS DISTINCT FROM NEW.rating THEN
            IF OLD.rating IS NOT NULL THEN
                UPDATE activity_daily SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
                    WHERE day = COALESCE(OLD.rated_at, OLD.last_activity_at) / 86400000;
            END IF;
            IF NEW.rating IS NOT NULL THEN
                INSERT INTO activity_daily (day, ratings, rating_sum)
                    VALUES (COALESCE(NEW.rated_at, NEW.last_activity_at) / 86400000, 1, NEW.rating)
                    ON CONFLICT (day) DO UPDATE SET ratings = activity_daily.ratings + 1,
                        rating_sum = activity_daily.rating_sum + excluded.rating_sum;
            END IF;
        END IF;
        IF old_resolved AND NOT new_resolved THEN
            UPDATE activity_daily SET resolved = resolved - 1
                WHERE day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
            UPDATE operator_activity_daily SET resolved = resolved - 1
                WHERE operator_id = OLD.resolved_by
                    AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
        END IF;
        IF old_queued AND (NOT new_queued OR OLD.channel IS DISTINCT FROM NEW.channel) THEN
            UPDATE open_queue SET n = n - 1 WHERE channel = OLD.channel;
        END IF;
    END IF;
    IF new_resolved AND NOT old_resolved THEN
        INSERT INTO activity_daily (day, resolved)
            VALUES (COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1)
            ON CONFLICT (day) DO UPDATE SET resolved = activity_daily.resolved + 1;
        IF NEW.resolved_by IS NOT NULL THEN
            INSERT INTO operator_activity_daily (operator_id, day, resolved)
                VALUES (NEW.resolved_by, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, 1)
                ON CONFLICT (operator_id, day)
                DO UPDATE SET resolved = operator_activity_daily.resolved + 1;
        END IF;
    END IF;
    IF new_queued AND (NOT old_queued OR OLD.channel IS DISTINCT FROM NEW.channel) THEN
        INSERT INTO open_queue (channel, n) VALUES (NEW.channel, 1)
            ON CONFLICT (channel) DO UPDATE SET n = open_queue.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_conversation_insert AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION activity_conversation_change();
CREATE TRIGGER activity_conversation_update
    AFTER UPDATE OF status, assignee_id, channel, agent_requested, rating ON conversations
    FOR EACH ROW EXECUTE FUNCTION activity_conversation_change();
CREATE TRIGGER activity_conversation_delete AFTER DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION activity_conversation_change();

CREATE FUNCTION activity_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_daily (day, messages) VALUES (NEW.created_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET messages = activity_daily.messages + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_message AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.sender IN ('ai', 'agent') AND NOT NEW.internal)
    EXECUTE FUNCTION activity_message();

CREATE FUNCTION activity_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_daily (day, bookings) VALUES (NEW.created_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET bookings = activity_daily.bookings + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_booking AFTER INSERT ON bookings
    FOR EACH ROW EXECUTE FUNCTION activity_booking();
