-- The queue's "all calls" view lists calls newest first (and filters by period): an index on the start time.
CREATE INDEX ix_calls_started ON calls (started_at);
GO
