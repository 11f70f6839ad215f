-- The inbox at scale: every list is keyset-paginated on an index, every count is maintained, and
-- search is full-text. Lists are ordered newest conversation first (id DESC), which keeps pages
-- stable while conversations arrive and while old ones get new messages.

-- Columns the list shows that later features fill: a booking, the customer's rating.
ALTER TABLE conversations ADD COLUMN booked INTEGER NOT NULL DEFAULT 0 CHECK (booked IN (0, 1));
ALTER TABLE conversations ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
-- "Grouped by customer": how many conversations the visitor has had.
ALTER TABLE visitors ADD COLUMN conversation_count INTEGER NOT NULL DEFAULT 0;
UPDATE visitors SET conversation_count =
    (SELECT COUNT(*) FROM conversations c WHERE c.visitor_id = visitors.id);
CREATE TRIGGER visitors_conversation_count AFTER INSERT ON conversations BEGIN
    UPDATE visitors SET conversation_count = conversation_count + 1 WHERE id = NEW.visitor_id;
END;

-- One index per tab (partial where the tab is not a plain status), with and without a channel.
-- The conditions are spelled exactly as `db::conversations` writes them, so the planner uses them.
DROP INDEX conversations_status;
CREATE INDEX conversations_status_id ON conversations(status, id);
CREATE INDEX conversations_channel_id ON conversations(channel, id);
CREATE INDEX conversations_channel_status_id ON conversations(channel, status, id);
CREATE INDEX conversations_active ON conversations(id)
    WHERE status IN ('open', 'delegated');
CREATE INDEX conversations_channel_active ON conversations(channel, id)
    WHERE status IN ('open', 'delegated');
CREATE INDEX conversations_booked ON conversations(id) WHERE booked = 1;
CREATE INDEX conversations_channel_booked ON conversations(channel, id) WHERE booked = 1;

-- The tab counts, kept by triggers in the same transaction as every change: reading them is a
-- handful of rows whatever the size of the table.
CREATE TABLE conversation_counts (
    channel TEXT NOT NULL,
    status  TEXT NOT NULL,
    booked  INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (channel, status, booked)
) WITHOUT ROWID;
INSERT INTO conversation_counts (channel, status, booked, n)
    SELECT channel, status, booked, COUNT(*) FROM conversations GROUP BY channel, status, booked;
CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_counts (channel, status, booked, n)
        VALUES (NEW.channel, NEW.status, NEW.booked, 1)
        ON CONFLICT (channel, status, booked) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER conversation_counts_update AFTER UPDATE OF channel, status, booked ON conversations
    WHEN OLD.channel IS NOT NEW.channel OR OLD.status IS NOT NEW.status
        OR OLD.booked IS NOT NEW.booked
BEGIN
    UPDATE conversation_counts SET n = n - 1
        WHERE channel = OLD.channel AND status = OLD.status AND booked = OLD.booked;
    INSERT INTO conversation_counts (channel, status, booked, n)
        VALUES (NEW.channel, NEW.status, NEW.booked, 1)
        ON CONFLICT (channel, status, booked) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN
    UPDATE conversation_counts SET n = n - 1
        WHERE channel = OLD.channel AND status = OLD.status AND booked = OLD.booked;
END;

-- Full-text search over every message and the visitors' names, emails and phone numbers, with
-- no age limit. External-content tables: the text is stored once, in its own table.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
    INSERT INTO messages_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;

CREATE VIRTUAL TABLE visitors_fts USING fts5(
    name, email, phone, content = 'visitors', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO visitors_fts (visitors_fts) VALUES ('rebuild');
CREATE TRIGGER visitors_fts_insert AFTER INSERT ON visitors BEGIN
    INSERT INTO visitors_fts (rowid, name, email, phone) VALUES (NEW.id, NEW.name, NEW.email, NEW.phone);
END;
CREATE TRIGGER visitors_fts_delete AFTER DELETE ON visitors BEGIN
    INSERT INTO visitors_fts (visitors_fts, rowid, name, email, phone)
        VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone);
END;
CREATE TRIGGER visitors_fts_update AFTER UPDATE OF name, email, phone ON visitors BEGIN
    INSERT INTO visitors_fts (visitors_fts, rowid, name, email, phone)
        VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone);
    INSERT INTO visitors_fts (rowid, name, email, phone) VALUES (NEW.id, NEW.name, NEW.email, NEW.phone);
END;

-- Event retention: events at or below `floor` were deleted. A stream asked to resume from
-- below it cannot be replayed and is told to refetch instead.
CREATE TABLE event_retention (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor INTEGER NOT NULL
);
INSERT INTO event_retention (id, floor) VALUES (1, 0);
