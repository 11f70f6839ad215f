-- The inbox filters on channel, status and booked together, and they are correlated (a channel
-- may have no conversation in a status). Without statistics on the combination the planner
-- multiplies their frequencies, may expect rows that do not exist, and walk a single-column
-- index end to end looking for them (168 ms instead of 1 ms at a million conversations). The
-- most-common-values list of the combination lets it pick the index on all three.
CREATE STATISTICS conversations_channel_status (mcv, dependencies)
    ON channel, status, booked FROM conversations;
ANALYZE conversations;
