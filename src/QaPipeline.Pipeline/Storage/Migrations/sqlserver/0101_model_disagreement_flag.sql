-- A new flag reason: the review-priority model predicts a reviewer would overturn one of the call's automatic
-- verdicts (QaPipeline.Learning, issue #6). The inline CHECK of 0001 got a generated name: look it up.
DECLARE @name SYSNAME = (
    SELECT cc.name FROM sys.check_constraints cc
    JOIN sys.columns c ON c.object_id = cc.parent_object_id AND c.column_id = cc.parent_column_id
    WHERE cc.parent_object_id = OBJECT_ID('review_flags') AND c.name = 'reason');
IF @name IS NOT NULL EXEC('ALTER TABLE review_flags DROP CONSTRAINT ' + QUOTENAME(@name));
GO
ALTER TABLE review_flags ADD CONSTRAINT ck_review_flags_reason
    CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement'));
GO
