-- A new flag reason: the review-priority model predicts a reviewer would overturn one of the call's automatic
-- verdicts (QaPipeline.Learning, issue #6). Expand, copy, contract — the same swap on every engine (SQLite cannot
-- change a CHECK in place); flag ids are kept.
CREATE TABLE review_flags_v2 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    reason       TEXT    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement')),
    detail       TEXT    NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   TEXT    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
INSERT INTO review_flags_v2 (id, call_id, scorecard_id, reason, detail, status, created_at)
SELECT id, call_id, scorecard_id, reason, detail, status, created_at FROM review_flags;
DROP TABLE review_flags;
ALTER TABLE review_flags_v2 RENAME TO review_flags;
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
CREATE INDEX ix_review_flags_queue ON review_flags (reason, created_at) WHERE status <> 'closed';
