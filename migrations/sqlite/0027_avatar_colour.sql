-- Each operator's avatar colour (their profile), one of protocol::team::AVATAR_COLOURS.
-- Kept equal to PostgreSQL's 0027.
ALTER TABLE users ADD COLUMN avatar_colour TEXT NOT NULL DEFAULT '#4f46e5';
