-- Call reasons (contact drivers, 来电原因) of every scorecard, projected from scorecards.json beside
-- scorecard_items, so the queue filters and the dashboards break down by reason with an index.
CREATE TABLE scorecard_reasons (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    reason_id    TEXT NOT NULL,
    reason_name  TEXT NOT NULL,
    PRIMARY KEY (scorecard_id, reason_id)
);
CREATE INDEX ix_scorecard_reasons_reason ON scorecard_reasons (reason_id, scorecard_id);
-- The queue's "all calls" view lists calls newest first (and filters by period): an index on the start time.
CREATE INDEX ix_calls_started ON calls (started_at);
-- Rubric versions published from the browser, with who published them and why. Scorecards name their rubric by
-- id, version and file hash, so each scorecard points at one of these versions (or at a file from the folder).
CREATE TABLE rubric_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rubric_id    TEXT NOT NULL,
    version      TEXT NOT NULL,
    hash         TEXT NOT NULL,
    path         TEXT NOT NULL,
    note         TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);
