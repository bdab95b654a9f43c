-- Call reasons (contact drivers, 来电原因) of every scorecard, projected from scorecards.json beside
-- scorecard_items, so the queue filters and the dashboards break down by reason with an index.
CREATE TABLE scorecard_reasons (
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    reason_id    NVARCHAR(100) NOT NULL,
    reason_name  NVARCHAR(200) NOT NULL,
    PRIMARY KEY (scorecard_id, reason_id)
);
GO
CREATE INDEX ix_scorecard_reasons_reason ON scorecard_reasons (reason_id, scorecard_id);
GO
-- The queue's "all calls" view lists calls newest first (and filters by period): an index on the start time.
CREATE INDEX ix_calls_started ON calls (started_at);
GO
-- Rubric versions published from the browser, with who published them and why. Scorecards name their rubric by
-- id, version and file hash, so each scorecard points at one of these versions (or at a file from the folder).
CREATE TABLE rubric_versions (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    rubric_id    NVARCHAR(400) NOT NULL,
    version      NVARCHAR(400) NOT NULL,
    hash         NVARCHAR(400) NOT NULL,
    path         NVARCHAR(1000) NOT NULL,
    note         NVARCHAR(2000) NOT NULL,
    published_by NVARCHAR(400) NOT NULL,
    published_at DATETIME2(3) NOT NULL
);
GO
