-- The Analytics page at any size: per UTC day (ms / 86400000) or hour (ms / 3600000) and channel,
-- kept by triggers in the same transaction as every change, so any date range reads a few
-- thousand rows, never the conversations. Response and resolution times are histograms over
-- fixed buckets (`duration_buckets`, equal to `liaison_protocol::analytics::BUCKETS`), from which
-- the page interpolates medians and 90th percentiles. Rows are history: nothing deletes them when
-- data is removed. Kept equal to PostgreSQL's 0032.

-- Why the conversation went to a human (the first time): asked_for_human, out_of_scope,
-- frustrated, manual (an operator), ai_unavailable (model error or AI budget spent).
ALTER TABLE conversations ADD COLUMN handover_reason TEXT CHECK (handover_reason IN
    ('asked_for_human', 'out_of_scope', 'frustrated', 'manual', 'ai_unavailable'));
ALTER TABLE conversations ADD COLUMN agent_requested_at INTEGER;
-- The first AI or operator message the customer saw, and the first operator message.
ALTER TABLE conversations ADD COLUMN first_response_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_human_reply_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_human_reply_by INTEGER REFERENCES users(id);

CREATE TABLE duration_buckets (
    bucket    INTEGER PRIMARY KEY,
    -- A duration d (ms) is in the first bucket with d < below_ms.
    below_ms  INTEGER NOT NULL
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

CREATE TABLE analytics_daily (
    day              INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    sessions         INTEGER NOT NULL DEFAULT 0,
    resolved         INTEGER NOT NULL DEFAULT 0,
    -- Resolved with no operator message and not resolved by an operator.
    ai_resolved      INTEGER NOT NULL DEFAULT 0,
    asked_for_human  INTEGER NOT NULL DEFAULT 0,
    out_of_scope     INTEGER NOT NULL DEFAULT 0,
    frustrated       INTEGER NOT NULL DEFAULT 0,
    manual           INTEGER NOT NULL DEFAULT 0,
    ai_unavailable   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;
-- Conversations started per hour: the busiest-hours heatmap (in the business's time zone).
CREATE TABLE analytics_hourly (
    hour      INTEGER NOT NULL,
    channel   TEXT NOT NULL,
    sessions  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, channel)
) WITHOUT ROWID;
-- Per operator: conversations they answered first among operators, resolved, ratings.
CREATE TABLE operator_daily (
    operator_id    INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    channel        TEXT NOT NULL,
    conversations  INTEGER NOT NULL DEFAULT 0,
    resolved       INTEGER NOT NULL DEFAULT 0,
    ratings        INTEGER NOT NULL DEFAULT 0,
    rating_sum     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel, operator_id)
) WITHOUT ROWID;
-- metric: first_response (AI or operator, from the start), human_response (first operator
-- message, from the request for a human or the start), resolution (start to resolved).
-- operator_id 0 is everyone; human_response also has a row per operator.
CREATE TABLE durations_daily (
    metric       TEXT NOT NULL,
    operator_id  INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    n            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel, metric, operator_id, bucket)
) WITHOUT ROWID;
-- "Top knowledge gaps" of a date range.
CREATE INDEX knowledge_gaps_created ON knowledge_gaps(created_at);

-- What is already there (handover reasons were not recorded before this migration).
UPDATE conversations SET first_response_at = (SELECT MIN(m.created_at) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.sender IN ('ai', 'agent') AND m.internal = 0);
UPDATE conversations SET first_human_reply_at = f.created_at, first_human_reply_by = f.author_id
    FROM (SELECT conversation_id, MIN(created_at) AS created_at, author_id FROM messages
          WHERE sender = 'agent' AND internal = 0 GROUP BY conversation_id) AS f
    WHERE f.conversation_id = conversations.id;
INSERT INTO analytics_daily (day, channel, sessions)
    SELECT created_at / 86400000, channel, COUNT(*) FROM conversations WHERE true GROUP BY 1, 2;
INSERT INTO analytics_daily (day, channel, resolved, ai_resolved)
    SELECT COALESCE(resolved_at, last_activity_at) / 86400000, channel, COUNT(*),
        SUM(resolved_by IS NULL AND first_human_reply_at IS NULL)
    FROM conversations WHERE status = 'resolved' GROUP BY 1, 2
    ON CONFLICT (day, channel) DO UPDATE SET resolved = excluded.resolved,
        ai_resolved = excluded.ai_resolved;
INSERT INTO analytics_hourly (hour, channel, sessions)
    SELECT created_at / 3600000, channel, COUNT(*) FROM conversations WHERE true GROUP BY 1, 2;
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
        (SELECT MIN(bucket) FROM duration_buckets WHERE below_ms > MAX(first_response_at - created_at, 0)),
        COUNT(*)
    FROM conversations WHERE first_response_at IS NOT NULL GROUP BY 3, 4, 5;
INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
    SELECT 'human_response', CASE WHEN o.id = 0 THEN 0 ELSE first_human_reply_by END,
        first_human_reply_at / 86400000, channel,
        (SELECT MIN(bucket) FROM duration_buckets
         WHERE below_ms > MAX(first_human_reply_at - COALESCE(agent_requested_at, created_at), 0)),
        COUNT(*)
    FROM conversations, (SELECT 0 AS id UNION ALL SELECT 1) AS o
    WHERE first_human_reply_at IS NOT NULL AND (o.id = 0 OR first_human_reply_by IS NOT NULL)
    GROUP BY 2, 3, 4, 5;
INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
    SELECT 'resolution', 0, COALESCE(resolved_at, last_activity_at) / 86400000, channel,
        (SELECT MIN(bucket) FROM duration_buckets
         WHERE below_ms > MAX(COALESCE(resolved_at, last_activity_at) - created_at, 0)),
        COUNT(*)
    FROM conversations WHERE status = 'resolved' GROUP BY 3, 4, 5;

CREATE TRIGGER analytics_conversation_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO analytics_daily (day, channel, sessions)
        VALUES (NEW.created_at / 86400000, NEW.channel, 1)
        ON CONFLICT (day, channel) DO UPDATE SET sessions = sessions + 1;
    INSERT INTO analytics_hourly (hour, channel, sessions)
        VALUES (NEW.created_at / 3600000, NEW.channel, 1)
        ON CONFLICT (hour, channel) DO UPDATE SET sessions = sessions + 1;
END;

-- The first AI or operator message, and the first operator message, of a conversation.
CREATE TRIGGER analytics_message AFTER INSERT ON messages
    WHEN NEW.sender IN ('ai', 'agent') AND NEW.internal = 0
BEGIN
    UPDATE conversations SET first_response_at = NEW.created_at
        WHERE id = NEW.conversation_id AND first_response_at IS NULL;
    UPDATE conversations SET first_human_reply_at = NEW.created_at,
            first_human_reply_by = NEW.author_id
        WHERE NEW.sender = 'agent' AND id = NEW.conversation_id AND first_human_reply_at IS NULL;
END;

CREATE TRIGGER analytics_first_response AFTER UPDATE OF first_response_at ON conversations
    WHEN OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL
BEGIN
    INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
        VALUES ('first_response', 0, NEW.first_response_at / 86400000, NEW.channel,
            (SELECT MIN(bucket) FROM duration_buckets
             WHERE below_ms > MAX(NEW.first_response_at - NEW.created_at, 0)), 1)
        ON CONFLICT (metric, operator_id, day, channel, bucket) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER analytics_first_human_reply AFTER UPDATE OF first_human_reply_at ON conversations
    WHEN OLD.first_human_reply_at IS NULL AND NEW.first_human_reply_at IS NOT NULL
BEGIN
    INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
        SELECT 'human_response', o.id, NEW.first_human_reply_at / 86400000, NEW.channel,
            (SELECT MIN(bucket) FROM duration_buckets WHERE below_ms >
                MAX(NEW.first_human_reply_at - COALESCE(NEW.agent_requested_at, NEW.created_at), 0)),
            1
        FROM (SELECT 0 AS id UNION ALL SELECT NEW.first_human_reply_by) AS o
        WHERE o.id IS NOT NULL
        ON CONFLICT (metric, operator_id, day, channel, bucket) DO UPDATE SET n = n + 1;
    INSERT INTO operator_daily (operator_id, day, channel, conversations)
        SELECT NEW.first_human_reply_by, NEW.first_human_reply_at / 86400000, NEW.channel, 1
        WHERE NEW.first_human_reply_by IS NOT NULL
        ON CONFLICT (operator_id, day, channel) DO UPDATE SET conversations = conversations + 1;
END;

CREATE TRIGGER analytics_handover AFTER UPDATE OF handover_reason ON conversations
    WHEN OLD.handover_reason IS NULL AND NEW.handover_reason IS NOT NULL
BEGIN
    INSERT INTO analytics_daily (day, channel, asked_for_human, out_of_scope, frustrated, manual,
            ai_unavailable)
        VALUES (COALESCE(NEW.agent_requested_at, NEW.last_activity_at) / 86400000, NEW.channel,
            NEW.handover_reason = 'asked_for_human', NEW.handover_reason = 'out_of_scope',
            NEW.handover_reason = 'frustrated', NEW.handover_reason = 'manual',
            NEW.handover_reason = 'ai_unavailable')
        ON CONFLICT (day, channel) DO UPDATE SET
            asked_for_human = asked_for_human + excluded.asked_for_human,
            out_of_scope = out_of_scope + excluded.out_of_scope,
            frustrated = frustrated + excluded.frustrated,
            manual = manual + excluded.manual,
            ai_unavailable = ai_unavailable + excluded.ai_unavailable;
END;

-- A resolution counts on the day it happened; a conversation taken out of Resolved uncounts it.
CREATE TRIGGER analytics_resolved AFTER UPDATE OF status ON conversations
    WHEN OLD.status IS NOT NEW.status AND 'resolved' IN (OLD.status, NEW.status)
BEGIN
    UPDATE analytics_daily SET resolved = resolved - 1,
            ai_resolved = ai_resolved - (OLD.resolved_by IS NULL AND OLD.first_human_reply_at IS NULL)
        WHERE OLD.status = 'resolved' AND channel = OLD.channel
            AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
    UPDATE durations_daily SET n = n - 1
        WHERE OLD.status = 'resolved' AND metric = 'resolution' AND operator_id = 0
            AND channel = OLD.channel
            AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000
            AND bucket = (SELECT MIN(bucket) FROM duration_buckets WHERE below_ms >
                MAX(COALESCE(OLD.resolved_at, OLD.last_activity_at) - OLD.created_at, 0));
    UPDATE operator_daily SET resolved = resolved - 1
        WHERE OLD.status = 'resolved' AND operator_id = OLD.resolved_by AND channel = OLD.channel
            AND day = COALESCE(OLD.resolved_at, OLD.last_activity_at) / 86400000;
    INSERT INTO analytics_daily (day, channel, resolved, ai_resolved)
        SELECT COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000, NEW.channel, 1,
            NEW.resolved_by IS NULL AND NEW.first_human_reply_at IS NULL
        WHERE NEW.status = 'resolved'
        ON CONFLICT (day, channel) DO UPDATE SET resolved = resolved + 1,
            ai_resolved = ai_resolved + excluded.ai_resolved;
    INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
        SELECT 'resolution', 0, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000,
            NEW.channel, (SELECT MIN(bucket) FROM duration_buckets WHERE below_ms >
                MAX(COALESCE(NEW.resolved_at, NEW.last_activity_at) - NEW.created_at, 0)), 1
        WHERE NEW.status = 'resolved'
        ON CONFLICT (metric, operator_id, day, channel, bucket) DO UPDATE SET n = n + 1;
    INSERT INTO operator_daily (operator_id, day, channel, resolved)
        SELECT NEW.resolved_by, COALESCE(NEW.resolved_at, NEW.last_activity_at) / 86400000,
            NEW.channel, 1
        WHERE NEW.status = 'resolved' AND NEW.resolved_by IS NOT NULL
        ON CONFLICT (operator_id, day, channel) DO UPDATE SET resolved = resolved + 1;
END;

-- A rating counts for the operator who resolved the conversation, or else who answered it.
CREATE TRIGGER analytics_rating AFTER UPDATE OF rating ON conversations
    WHEN OLD.rating IS NOT NEW.rating
BEGIN
    UPDATE operator_daily SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
        WHERE OLD.rating IS NOT NULL
            AND operator_id = COALESCE(OLD.resolved_by, OLD.first_human_reply_by)
            AND channel = OLD.channel
            AND day = COALESCE(OLD.rated_at, OLD.last_activity_at) / 86400000;
    INSERT INTO operator_daily (operator_id, day, channel, ratings, rating_sum)
        SELECT COALESCE(NEW.resolved_by, NEW.first_human_reply_by),
            COALESCE(NEW.rated_at, NEW.last_activity_at) / 86400000, NEW.channel, 1, NEW.rating
        WHERE NEW.rating IS NOT NULL
            AND COALESCE(NEW.resolved_by, NEW.first_human_reply_by) IS NOT NULL
        ON CONFLICT (operator_id, day, channel) DO UPDATE SET ratings = ratings + 1,
            rating_sum = rating_sum + excluded.rating_sum;
END;
