-- Reviews are versioned: a submitted review is closed until a monitor of the team or an admin reopens it, with a
-- reason. The reopen is recorded on the version it reopened (who, when, why); the next submitted review of the call
-- is the next version. Versions are numbered by submission order, so nothing needs backfilling.
ALTER TABLE reviews ADD COLUMN reopened_at TEXT NULL;
ALTER TABLE reviews ADD COLUMN reopened_by INTEGER NULL REFERENCES users (id);
ALTER TABLE reviews ADD COLUMN reopen_reason TEXT NULL;
