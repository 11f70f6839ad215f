-- AI usage by purpose: how many answers were replaced by their passage ("ungrounded")
-- is counted from this index, not a scan of every call. Kept equal to SQLite's 0023.
CREATE INDEX llm_usage_purpose ON llm_usage(purpose);
