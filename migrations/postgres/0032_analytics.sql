-- The Analytics page at any size: per UTC day (ms / 86400000) or hour (ms / 3600000) and channel,
-- kept by triggers in the same transaction as every change. Kept equal to SQLite's 0032, which
-- explains the tables.

ALTER TABLE conversations ADD COLUMN handover_reason TEXT CHECK (handover_reason IN
    ('asked_for_human', 'out_of_scope', 'frustrated', 'manual', 'ai_unavailable'));
ALTER TABLE conversations ADD COLUMN agent_requested_at BIGINT;
ALTER TABLE conversations ADD COLUMN first_response_at BIGINT;
ALTER TABLE conversations ADD COLUMN first_human_reply_at BIGINT;
ALTER TABLE conversations ADD COLUMN first_human_reply_by BIGINT REFERENCES users(id);

CREATE TABLE duration_buckets (
    bucket    INTEGER PRIMARY KEY,
    below_ms  BIGINT NOT NULL
);
INSERT INTO duration_buckets (bucket, below_ms) VALUES
    (0, 1000), (1, 2000), (2, 3000), (3, 5000), (4, 7000), (5, 10000),
    (6, 15000), (7, 20000), (8, 30000), (9, 45000), (10, 60000), (11, 90000),
    (12, 120000), (13, 180000), (14, 240000), (15, 300000), (16, 420000), (17, 600000),
    (18, 900000), (19, 1200000), (20, 1800000), (21, 2700000), (22, 3600000), (23, 5400000),
    (24, 7200000), (25, 10800000), (26, 14400000), (27, 21600000), (28, 28800000), (29, 43200000),
    (30, 57600000), (31, 86400000), (32, 129600000), (33, 172800000), (34, 259200000), (35, 345600000),
    (36, 432000000), (37, 604800000), (38, 864000000), (39, 1209600000), (40, 1814400000), (41, 2592000000),
    (42, 9000000000000000);
CREATE FUNCTION duration_bucket(d BIGINT) RETURNS INTEGER LANGUAGE sql STABLE AS $$
    SELECT MIN(bucket) FROM duration_buckets WHERE below_ms > GREATEST(d, 0)
$$;

CREATE TABLE analytics_daily (
    day              BIGINT NOT NULL,
    channel          TEXT NOT NULL,
    sessions         BIGINT NOT NULL DEFAULT 0,
    resolved         BIGINT NOT NULL DEFAULT 0,
    ai_resolved      BIGINT NOT NULL DEFAULT 0,
    asked_for_human  BIGINT NOT NULL DEFAULT 0,
    out_of_scope     BIGINT NOT NULL DEFAULT 0,
    frustrated       BIGINT NOT NULL DEFAULT 0,
    manual           BIGINT NOT NULL DEFAULT 0,
    ai_unavailable   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel)
);
CREATE TABLE analytics_hourly (
    hour      BIGINT NOT NULL,
    channel   TEXT NOT NULL,
    sessions  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, channel)
);
CREATE TABLE operator_daily (
    operator_id    BIGINT NOT NULL,
    day            BIGINT NOT NULL,
    channel        TEXT NOT NULL,
    conversations  BIGINT NOT NULL DEFAULT 0,
    resolved       BIGINT NOT NULL DEFAULT 0,
    ratings        BIGINT NOT NULL DEFAULT 0,
    rating_sum     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel, operator_id)
);
CREATE TABLE durations_daily (
    metric       TEXT NOT NULL,
    operator_id  BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    n            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel, metric, operator_id, bucket)
);
CREATE INDEX knowledge_gaps_created ON knowledge_gaps(created_at);

-- What is already there (handover reasons were not recorded before this migration).
UPDATE conversations c SET first_response_at = f.at
    FROM (SELECT conversation_id, MIN(created_at) AS at FROM messages
          WHERE sender IN ('ai', 'agent') AND NOT internal GROUP BY conversation_id) f
    WHERE f.conversation_id = c.id;
UPDATE conversations c SET first_human_reply_at = f.created_at, first_human_reply_by = f.author_id
    FROM (SELECT DISTINCT ON (conversation_id) conversation_id, created_at, author_id
          FROM messages WHERE sender = 'agent' AND NOT internal
          ORDER BY conversation_id, created_at, id) f
    WHERE f.conversation_id = c.id;
INSERT INTO analytics_daily (day, channel, sessions)
    SELECT created_at / 86400000, channel, COUNT(*) FROM conversations GROUP BY 1, 2;
INSERT INTO analytics_daily (day, channel, resolved, ai_resolved)
    SELECT COALESCE(resolved_at, last_activity_at) / 86400000, channel, COUNT(*),
        COUNT(*) FILTER (WHERE resolved_by IS NULL AND first_human_reply_at IS NULL)
    FROM conversations WHERE status = 'resolved' GROUP BY 1, 2
    ON CONFLICT (day, channel) DO UPDATE SET resolved = excluded.resolved,
        ai_resolved = excluded.ai_resolved;
INSERT INTO analytics_hourly (hour, channel, sessions)
    SELECT created_at / 3600000, channel, COUNT(*) FROM conversations GROUP BY 1, 2;
INSERT INTO operator_daily (operator_id, day, channel, conversations)
    SELECT first_human_reply_by, first_human_reply_at / 86400000, channel, COUNT(*)
    FROM conversations WHERE first_human_reply_by IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO operator_daily (operator_id, day, channel, resolved)
    SELECT resolved_by, COALESCE(resolved_at, last_activity_at) / 86400000, channel, COUNT(*)
    FROM conversations WHERE status = 'resolved' AND resolved_by IS NOT NULL GROUP BY 1, 2, 3
    ON CONFLICT (operator_id, day, channel) DO UPDATE SET resolved = excluded.resolved;
INSERT INTO operator_daily (operator_id, day, channel, ratings, rating_sum)
    SELECT COALESCE(resolved_by, first_human_reply_by),
        COALESCE(rated_at, last_activity_at) / 86400000, channel, COUNT(*), SUM(rating)
    FROM conversations
    WHERE rating IS NOT NULL AND COALESCE(resolved_by, first_human_reply_by) IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (operator_id, day, channel) DO UPDATE SET ratings = excluded.ratings,
        rating_sum = excluded.rating_sum;
INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
    SELECT 'first_response', 0, first_response_at / 86400000, channel,
        duration_bucket(first_response_at - created_at), COUNT(*)
    FROM conversations WHERE first_response_at IS NOT NULL GROUP BY 3, 4, 5;
INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
    SELECT 'human_response', CASE WHEN o.id = 0 THEN 0 ELSE first_human_reply_by END,
        first_human_reply_at / 86400000, channel,
        duration_bucket(first_human_reply_at - COALESCE(agent_requested_at, created_at)), COUNT(*)
    FROM conversations, (VALUES (0), (1)) AS o(id)
    WHERE first_human_reply_at IS NOT NULL AND (o.id = 0 OR first_human_reply_by IS NOT NULL)
    GROUP BY 2, 3, 4, 5;
INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
    SELECT 'resolution', 0, COALESCE(resolved_at, last_activity_at) / 86400000, channel,
        duration_bucket(COALESCE(resolved_at, last_activity_at) - created_at), COUNT(*)
    FROM conversations WHERE status = 'resolved' GROUP BY 3, 4, 5;

-- Adds `by` to one histogram cell.
CREATE FUNCTION analytics_duration(metric_ TEXT, operator_ BIGINT, at BIGINT, channel_ TEXT,
        took BIGINT, by_ BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
        VALUES (metric_, operator_, at / 86400000, channel_, duration_bucket(took), by_)
        ON CONFLICT (metric, operator_id, day, channel, bucket)
        DO UPDATE SET n = durations_daily.n + excluded.n
$$;

CREATE FUNCTION analytics_conversation_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_resolved BOOLEAN := TG_OP = 'UPDATE' AND OLD.status = 'resolved';
    new_resolved BOOLEAN := NEW.status = 'resolved';
    rater BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO analytics_daily (day, channel, sessions)
            VALUES (NEW.created_at / 86400000, NEW.channel, 1)
            ON CONFLICT (day, channel) DO UPDATE SET sessions = analytics_daily.sessions + 1;
        INSERT INTO analytics_hourly (hour, channel, sessions)
            VALUES (NEW.created_at / 3600000, NEW.channel, 1)
            ON CONFLICT (hour, channel) DO UPDATE SET sessions = analytics_hourly.sessions + 1;
        RETURN NULL;
    END IF;
    IF OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL THEN
        PERFORM analytics_duration('first_response', 0, NEW.first_response_at, NEW.channel,
            NEW.first_response_at - NEW.created_at, 1);
    END IF;
    IF OLD.first_human_reply_at IS NULL AND NEW.first_human_reply_at IS NOT NULL THEN
        PERFORM analytics_duration('human_response', 0, NEW.first_human_reply_at, NEW.channel,
            NEW.first_human_reply_at - COALESCE(NEW.agent_requested_at, NEW.created_at), 1);
        IF NEW.first_human_reply_by IS NOT NULL THEN
            PERFORM analytics_duration('human_response', NEW.first_human_reply_by,
                NEW.first_human_reply_at, NEW.channel,
                NEW.first_human_reply_at - COALESCE(NEW.agent_requested_at, NEW.created_at), 1);
            INSERT INTO operator_daily (operator_id, day, channel, conversations)
                VALUES (NEW.first_human_reply_by, NEW.first_human_reply_at / 86400000, NEW.channel, 1)
                ON CONFLICT (operator_id, day, channel)
                DO UPDATE SET conversations = operator_daily.conversations + 1;
        END IF;
    END IF;
    IF OLD.handover_reason IS NULL AND NEW.handover_reason IS NOT NULL THEN
        INSERT INTO analytics_daily (day, channel, asked_for_human, out_of_scope, frustrated,
                manual, ai_unavailable)
            VALUES (COALESCE(NEW.agent_requested_at, NEW.last_activity_at) / 86400000, NEW.channel,
                (NEW.handover_reason = 'asked_for_human')::int,
                (NEW.handover_reason = 'out_of_scope')::int,
                (NEW.handover_reason = 'frustrated')::int,
                (NEW.handover_reason = 'manual')::int,
                (NEW.handover_reason = 'ai_unavailable')::int)
            ON CONFLICT (day, channel) DO UPDATE SET
                asked_for_human = analytics_daily.asked_for_human + excluded.asked_for_human,
                out_of_scope = analytics_daily.out_of_scope + excluded.out_of_scope,
                frustrated = analytics_daily.frustrated + excluded.frustrated,
                manual = analytics_daily.manual + excluded.manual,
                ai_unavailable = analytics_daily.ai_unavailable + excluded.ai_unavailable;
    END IF;
    IF old_resolved AND NOT new_resolved THEN
        UPDATE analytics_daily SET resolved = resolved - 1,
                ai_resolved = ai_resolved
                    - (OLD.resolved_by IS NULL AND OLD.first_human_reply_at IS NULL)::int
            WHERE channel = OLD.channel
                AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
        PERFORM analytics_duration('resolution', 0, COALESCE(OLD.resolved_at, OLD.last_activity_at),
            OLD.channel, COALESCE(OLD.resolved_at, OLD.last_activity_at) - OLD.created_at, -1);
        IF OLD.resolved_by IS NOT NULL THEN
            UPDATE operator_daily SET resolved = resolved - 1
                WHERE operator_id = OLD.resolved_by AND channel = OLD.channel
                    AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
        END IF;
    END IF;
    IF new_resolved AND NOT old_resolved THEN
        INSERT INTO analytics_daily (day, channel, resolved, ai_resolved)
            VALUES (COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, NEW.channel, 1,
                (NEW.resolved_by IS NULL AND NEW.first_human_reply_at IS NULL)::int)
            ON CONFLICT (day, channel) DO UPDATE SET resolved = analytics_daily.resolved + 1,
                ai_resolved = analytics_daily.ai_resolved + excluded.ai_resolved;
        PERFORM analytics_duration('resolution', 0, COALESCE(NEW.resolved_at, NEW.last_activity_at),
            NEW.channel, COALESCE(NEW.resolved_at, NEW.last_activity_at) - NEW.created_at, 1);
        IF NEW.resolved_by IS NOT NULL THEN
            INSERT INTO operator_daily (operator_id, day, channel, resolved)
                VALUES (NEW.resolved_by, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000,
                    NEW.channel, 1)
                ON CONFLICT (operator_id, day, channel)
                DO UPDATE SET resolved = operator_daily.resolved + 1;
        END IF;
    END IF;
    IF OLD.rating IS DISTINCT FROM NEW.rating THEN
        rater := COALESCE(OLD.resolved_by, OLD.first_human_reply_by);
        IF OLD.rating IS NOT NULL AND rater IS NOT NULL THEN
            UPDATE operator_daily SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
                WHERE operator_id = rater AND channel = OLD.channel
                    AND day = COALESCE(OLD.rated_at, OLD.last_activity_at) / 86400000;
        END IF;
        rater := COALESCE(NEW.resolved_by, NEW.first_human_reply_by);
        IF NEW.rating IS NOT NULL AND rater IS NOT NULL THEN
            INSERT INTO operator_daily (operator_id, day, channel, ratings, rating_sum)
                VALUES (rater, COALESCE(NEW.rated_at, NEW.last_activity_at) / 86400000,
                    NEW.channel, 1, NEW.rating)
                ON CONFLICT (operator_id, day, channel) DO UPDATE SET
                    ratings = operator_daily.ratings + 1,
                    rating_sum = operator_daily.rating_sum + excluded.rating_sum;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_conversation_insert AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION analytics_conversation_change();
CREATE TRIGGER analytics_conversation_update
    AFTER UPDATE OF status, rating, handover_reason, first_response_at, first_human_reply_at
    ON conversations
    FOR EACH ROW EXECUTE FUNCTION analytics_conversation_change();

-- The first AI or operator message, and the first operator message, of a conversation.
CREATE FUNCTION analytics_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations SET first_response_at = NEW.created_at
        WHERE id = NEW.conversation_id AND first_response_at IS NULL;
    IF NEW.sender = 'agent' THEN
        UPDATE conversations SET first_human_reply_at = NEW.created_at,
                first_human_reply_by = NEW.author_id
            WHERE id = NEW.conversation_id AND first_human_reply_at IS NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_message AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.sender IN ('ai', 'agent') AND NOT NEW.internal)
    EXECUTE FUNCTION analytics_message();
