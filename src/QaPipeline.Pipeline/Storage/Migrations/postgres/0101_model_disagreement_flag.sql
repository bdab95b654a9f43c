-- A new flag reason: the review-priority model predicts a reviewer would overturn one of the call's automatic
-- verdicts (QaPipeline.Learning, issue #6). The inline CHECK of 0001 got PostgreSQL's default name.
ALTER TABLE review_flags DROP CONSTRAINT review_flags_reason_check;
ALTER TABLE review_flags ADD CONSTRAINT review_flags_reason_check
    CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement'));
