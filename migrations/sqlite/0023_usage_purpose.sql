-- AI usage by purpose: how many answers were replaced by their passage ("ungrounded")
-- is counted from this index, not a scan of every call.
CREATE INDEX llm_usage_purpose ON llm_usage(purpose);
