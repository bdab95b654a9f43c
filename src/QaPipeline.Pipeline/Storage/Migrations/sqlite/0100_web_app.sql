-- The web app's schema on top of the pipeline's 0002 sketch (web issue #5).
-- Roles: the issue names admin, monitor (质检员), trainer (培训师) and agent (客服代表); the sketch had
-- admin/supervisor/qa/agent. Expand (new table with the new CHECK), copy (supervisor and qa become
-- monitor), contract (drop the old table). SQLite cannot alter a CHECK, hence the table swap.
CREATE TABLE user_roles_v2 (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL CHECK (role IN ('admin', 'monitor', 'trainer', 'agent')),
    PRIMARY KEY (user_id, role)
);
INSERT OR IGNORE INTO user_roles_v2 (user_id, role)
SELECT user_id, CASE role WHEN 'supervisor' THEN 'monitor' WHEN 'qa' THEN 'monitor' ELSE role END FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_v2 RENAME TO user_roles;

ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Which teams a monitor works for ("monitors see their teams").
CREATE TABLE monitor_teams (
    user_id INTEGER NOT NULL REFERENCES users (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    PRIMARY KEY (user_id, team_id)
);

-- A draft review is the claim on a call: at most one per call, so two monitors never review it at once.
CREATE UNIQUE INDEX ux_reviews_one_draft ON reviews (call_id) WHERE status = 'draft';
ALTER TABLE reviews ADD COLUMN acknowledged_at TEXT NULL;
CREATE INDEX ix_reviews_submitted ON reviews (status, submitted_at);

-- The sketch's disputes hung off a review only; an agent may also dispute an automatic verdict nobody
-- reviewed yet, and a dispute is always about one item. The sketch table held no data: replace it.
DROP TABLE disputes;
CREATE TABLE disputes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    review_id    INTEGER NULL REFERENCES reviews (id),
    raised_by    INTEGER NOT NULL REFERENCES users (id),
    item_id      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by  INTEGER NULL REFERENCES users (id),
    resolution   TEXT    NULL,
    created_at   TEXT    NOT NULL,
    resolved_at  TEXT    NULL
);
CREATE INDEX ix_disputes_status ON disputes (status, created_at);
CREATE INDEX ix_disputes_call ON disputes (call_id);

-- Coaching clips: a playlist holds many clips (start/end) of the same call, so the sketch's
-- (playlist_id, call_id) key cannot stay. The sketch table held no data: replace it.
DROP TABLE playlist_items;
ALTER TABLE playlists ADD COLUMN for_agent_id TEXT NULL;
ALTER TABLE playlists ADD COLUMN for_team TEXT NULL;
CREATE TABLE playlist_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    playlist_id INTEGER NOT NULL REFERENCES playlists (id),
    call_id     INTEGER NOT NULL REFERENCES calls (id),
    start_s     REAL    NOT NULL,
    end_s       REAL    NOT NULL,
    example     TEXT    NOT NULL CHECK (example IN ('good', 'bad')),
    note        TEXT    NULL,
    added_by    INTEGER NOT NULL REFERENCES users (id),
    added_at    TEXT    NOT NULL
);
CREATE INDEX ix_playlist_items_playlist ON playlist_items (playlist_id);

-- Calibration meetings score several calls each; the sketch had one call per session and ratings
-- without a call. Neither held data: replace them (calibration_ratings keeps its name, now per call).
DROP TABLE calibration_ratings;
DROP TABLE calibration_sessions;
CREATE TABLE calibration_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    status      TEXT    NOT NULL CHECK (status IN ('scoring', 'revealed', 'closed')),
    decisions   TEXT    NULL,                          -- what the meeting decided (e.g. a rubric change)
    created_at  TEXT    NOT NULL,
    revealed_at TEXT    NULL
);
CREATE TABLE calibration_calls (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    PRIMARY KEY (session_id, call_id)
);
CREATE TABLE calibration_participants (
    session_id   INTEGER NOT NULL REFERENCES calibration_sessions (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT    NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX ix_calibration_participants_user ON calibration_participants (user_id, submitted_at);
CREATE TABLE calibration_ratings (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    rater_id   INTEGER NOT NULL REFERENCES users (id),
    item_id    TEXT    NOT NULL,
    verdict    TEXT    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    PRIMARY KEY (session_id, call_id, rater_id, item_id)
);
CREATE TABLE calibration_agreed (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    item_id    TEXT    NOT NULL,
    verdict    TEXT    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    decided_by INTEGER NOT NULL REFERENCES users (id),
    decided_at TEXT    NOT NULL,
    PRIMARY KEY (session_id, call_id, item_id)
);

-- Settings an admin changes at run time (sampling rate, dispute window, retention, active rubric).
CREATE TABLE web_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per item of every scorecard, projected from scorecards.json by the web app, so the library
-- search and the dashboards filter by item and verdict with an index instead of parsing JSON.
CREATE TABLE scorecard_items (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    item_id      TEXT    NOT NULL,
    verdict      TEXT    NOT NULL,
    deduction    REAL    NOT NULL,
    PRIMARY KEY (scorecard_id, item_id)
);
CREATE INDEX ix_scorecard_items_item ON scorecard_items (item_id, verdict);

-- The review queue reads open flags per call and filters by team and time.
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
-- The queue walks each flag reason's unclosed flags in flag-time order (see ReviewQueue).
CREATE INDEX ix_review_flags_queue ON review_flags (reason, created_at) WHERE status <> 'closed';
CREATE INDEX ix_calls_team_started ON calls (team, started_at);
