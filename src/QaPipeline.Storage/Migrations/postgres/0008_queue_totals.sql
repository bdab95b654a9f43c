-- The queue page's totals per flag reason count the unclosed flags of current scorecards. Asking scorecards "is this
-- flag's scorecard the current one?" for every open flag cost 0.13-0.27 s per view at 100,000 calls (a random lookup
-- into the large scorecards table per flag), so the flag carries the answer: scorecard_current mirrors
-- scorecards.is_current of the flag's scorecard. It is set from the scorecard when the flag is stored and moved with
-- is_current in the same transaction when a call is scored again (ResultRepository.AddScorecard).
ALTER TABLE review_flags ADD COLUMN scorecard_current BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE review_flags f SET scorecard_current = TRUE FROM scorecards s WHERE s.id = f.scorecard_id AND s.is_current;
-- The totals read only this index: current, reason, then the call and flag time they count and age.
CREATE INDEX ix_review_flags_totals ON review_flags (scorecard_current, reason, call_id, created_at) WHERE status <> 'closed';
-- The call-reason drop-down lists each reason once with its name: one seek per reason along this index (a skip-scan)
-- instead of grouping every scorecard's reasons (43 ms per queue view at 100,000 calls).
CREATE INDEX ix_scorecard_reasons_name ON scorecard_reasons (reason_id, reason_name);
