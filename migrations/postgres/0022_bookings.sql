-- Meetings booked through the widget; the unique start refuses a second booking of a slot.
-- Kept equal to SQLite's 0022.
CREATE TABLE bookings (
    id               BIGSERIAL PRIMARY KEY,
    conversation_id  BIGINT NOT NULL REFERENCES conversations(id),
    visitor_id       BIGINT NOT NULL REFERENCES visitors(id),
    starts_at        BIGINT NOT NULL UNIQUE,
    ends_at          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX bookings_conversation ON bookings(conversation_id);
ALTER TABLE messages ADD COLUMN booking TEXT;
