-- The queue page's totals per flag reason count the unclosed flags of current scorecards. Asking scorecards "is this
-- flag's scorecard the current one?" for every open flag cost 0.13-0.27 s per view at 100,000 calls (a random lookup
-- into the large scorecards table per flag), so the flag carries the answer: scorecard_current mirrors
-- scorecards.is_current of the flag's scorecard. It is set from the scorecard when the flag is stored and moved with
-- is_current in the same transaction when a call is scored again (ResultRepository.AddScorecard).
ALTER TABLE review_flags ADD scorecard_current BIT NOT NULL CONSTRAINT df_review_flags_scorecard_current DEFAULT 0;
GO
-- A batch of its own: the new column is known only after the ALTER's batch.
UPDATE f SET scorecard_current = 1 FROM review_flags f JOIN scorecards s ON s.id = f.scorecard_id WHERE s.is_current = 1;
GO
-- The totals read only this index: current, reason, then the call and flag time they count and age.
CREATE INDEX ix_review_flags_totals ON review_flags (scorecard_current, reason, call_id) INCLUDE (created_at) WHERE status <> 'closed';
GO
-- The call-reason drop-down lists each reason once with its name, grouped along this index (SQL Server allows no
-- subquery in a recursive CTE, so no skip-scan there).
CREATE INDEX ix_scorecard_reasons_name ON scorecard_reasons (reason_id, reason_name);
GO
