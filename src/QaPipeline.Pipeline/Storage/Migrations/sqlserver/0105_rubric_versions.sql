-- Rubric versions published from the browser, with who published them and why. Scorecards name their rubric by
-- id, version and file hash, so each scorecard points at one of these versions (or at a file from the folder).
CREATE TABLE rubric_versions (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    rubric_id    NVARCHAR(400) NOT NULL,
    version      NVARCHAR(400) NOT NULL,
    hash         NVARCHAR(400) NOT NULL,
    path         NVARCHAR(1000) NOT NULL,
    note         NVARCHAR(2000) NOT NULL,
    published_by NVARCHAR(400) NOT NULL,
    published_at DATETIME2(3) NOT NULL
);
GO
