-- A dispute says what the agent claims the item should be (pass, or n/a when it did not apply), and an upheld
-- dispute records what it changed: the item's verdict and the final score before and after, for the agent to see.
-- Old disputes keep NULLs (their outcome is in the audit log).
ALTER TABLE disputes ADD COLUMN claimed_verdict TEXT NULL;
ALTER TABLE disputes ADD COLUMN verdict_before TEXT NULL;
ALTER TABLE disputes ADD COLUMN verdict_after TEXT NULL;
ALTER TABLE disputes ADD COLUMN score_before DOUBLE PRECISION NULL;
ALTER TABLE disputes ADD COLUMN score_after DOUBLE PRECISION NULL;
