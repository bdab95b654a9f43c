-- A new flag reason: the review-priority model predicts a reviewer would overturn one of the call's automatic
-- verdicts (QaPipeline.Learning, issue #6). Expand, copy, contract — the same swap on every engine (SQLite cannot
-- change a CHECK in place); flag ids are kept. The reason gets an indexable width (it is in the UNIQUE key).
-- Each GO batch creates one table or index; the statements it depends on come first in the same batch.
CREATE TABLE review_flags_v2 (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reason       NVARCHAR(100)    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement')),
    detail       NVARCHAR(MAX)    NULL,
    status       NVARCHAR(100)    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   DATETIME2(3)    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
SET IDENTITY_INSERT review_flags_v2 ON;
INSERT INTO review_flags_v2 (id, call_id, scorecard_id, reason, detail, status, created_at)
SELECT id, call_id, scorecard_id, reason, detail, status, created_at FROM review_flags;
SET IDENTITY_INSERT review_flags_v2 OFF;
DROP TABLE review_flags;
EXEC sp_rename 'review_flags_v2', 'review_flags';
GO
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
GO
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
GO
CREATE INDEX ix_review_flags_queue ON review_flags (created_at) INCLUDE (reason, call_id, scorecard_id) WHERE status <> 'closed';
GO
