-- Meetings booked through the widget. One meeting per slot: the unique start makes a second
-- booking of the same time fail inside its transaction, whatever races it. A booking message
-- carries its card (slots offered, or the one booked) as JSON. Kept equal to PostgreSQL's 0022.
CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    visitor_id       INTEGER NOT NULL REFERENCES visitors(id),
    starts_at        INTEGER NOT NULL UNIQUE,
    ends_at          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX bookings_conversation ON bookings(conversation_id);
ALTER TABLE messages ADD COLUMN booking TEXT;
