-- Scheduling: a call a person is waiting for (a web upload, an admin's re-run) is admitted to the pipeline
-- before the backlog. 0 = backlog, 1 = someone is waiting.
ALTER TABLE calls ADD priority SMALLINT NOT NULL CONSTRAINT df_calls_priority DEFAULT 0;
