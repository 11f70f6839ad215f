-- Data retention (Settings): visitors whose metadata is still kept, by last visit, so the hourly
-- job finds those past the limit without reading every visitor. Kept equal on both backends.
CREATE INDEX visitors_metadata_kept ON visitors(last_seen_at)
    WHERE browser IS NOT NULL OR timezone IS NOT NULL OR referrer IS NOT NULL
        OR page IS NOT NULL OR language IS NOT NULL;
