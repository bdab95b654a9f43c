-- A dispute says what the agent claims the item should be (pass, or n/a when it did not apply), and an upheld
-- dispute records what it changed: the item's verdict and the final score before and after, for the agent to see.
-- Old disputes keep NULLs (their outcome is in the audit log).
ALTER TABLE disputes ADD claimed_verdict NVARCHAR(8) NULL;
ALTER TABLE disputes ADD verdict_before NVARCHAR(8) NULL;
ALTER TABLE disputes ADD verdict_after NVARCHAR(8) NULL;
ALTER TABLE disputes ADD score_before FLOAT NULL;
ALTER TABLE disputes ADD score_after FLOAT NULL;
