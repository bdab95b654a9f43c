-- Reviews are versioned: a submitted review is closed until a monitor of the team or an admin reopens it, with a
-- reason. The reopen is recorded on the version it reopened (who, when, why); the next submitted review of the call
-- is the next version. Versions are numbered by submission order, so nothing needs backfilling.
ALTER TABLE reviews ADD reopened_at DATETIME2(3) NULL;
ALTER TABLE reviews ADD reopened_by BIGINT NULL REFERENCES users (id);
ALTER TABLE reviews ADD reopen_reason NVARCHAR(2000) NULL;
