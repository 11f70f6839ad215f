-- The WhatsApp channel's conversations. A customer who writes on WhatsApp is a visitor whose
-- `whatsapp` is their number (E.164), one visitor per number. Replies to them go out through
-- `whatsapp_outbound` (written in the reply's transaction, sent by a background task with
-- retries); Meta's statuses move `messages.delivery` (queued, sent, delivered, read, failed)
-- and `delivery_error` says why one failed. Kept equal to PostgreSQL's 0040.
ALTER TABLE visitors ADD COLUMN whatsapp TEXT;
CREATE UNIQUE INDEX visitors_whatsapp ON visitors(whatsapp) WHERE whatsapp IS NOT NULL;
ALTER TABLE messages ADD COLUMN delivery TEXT;
ALTER TABLE messages ADD COLUMN delivery_error TEXT;
CREATE TABLE whatsapp_outbound (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- While the message waits to be sent: when to try next; NULL once sent or given up.
    next_at     INTEGER,
    wamid       TEXT,
    -- An approved template (`{"name":…,"language":…}`) instead of the message's own text: what
    -- may be sent once the 24-hour window has closed.
    template    TEXT
);
CREATE INDEX whatsapp_outbound_due ON whatsapp_outbound(next_at) WHERE next_at IS NOT NULL;
CREATE UNIQUE INDEX whatsapp_outbound_wamid ON whatsapp_outbound(wamid) WHERE wamid IS NOT NULL;
-- Tries at putting a received message in its conversation (its media could not be fetched).
ALTER TABLE whatsapp_inbound ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
