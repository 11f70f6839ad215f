-- Tokens each LLM call used, with the estimated cost at the prices configured when it ran.
CREATE TABLE llm_usage (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER REFERENCES conversations(id),
    -- 'agent', 'copilot' or 'embedding'.
    purpose           TEXT NOT NULL,
    model             TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_micro_usd    INTEGER NOT NULL,
    -- UTC day, YYYY-MM-DD, for the per-day view.
    day               TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE INDEX llm_usage_conversation ON llm_usage(conversation_id);
CREATE INDEX llm_usage_day ON llm_usage(day);
