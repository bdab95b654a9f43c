-- Rubric versions published from the browser, with who published them and why. Scorecards name their rubric by
-- id, version and file hash, so each scorecard points at one of these versions (or at a file from the folder).
CREATE TABLE rubric_versions (
    id           BIGSERIAL PRIMARY KEY,
    rubric_id    TEXT NOT NULL,
    version      TEXT NOT NULL,
    hash         TEXT NOT NULL,
    path         TEXT NOT NULL,
    note         TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
