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
