-- Tokens and cost per UTC day, kept as calls are recorded: the AI budget reads one row before
-- each model call instead of summing the day's calls.
CREATE TABLE llm_usage_daily (
    day             TEXT PRIMARY KEY,
    tokens          INTEGER NOT NULL DEFAULT 0,
    cost_micro_usd  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO llm_usage_daily (day, tokens, cost_micro_usd)
    SELECT day, SUM(prompt_tokens + completion_tokens), SUM(cost_micro_usd)
    FROM llm_usage GROUP BY day;
