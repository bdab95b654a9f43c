-- The web app's schema on top of the pipeline's 0002 sketch (web issue #5).
-- Roles: the issue names admin, monitor (质检员), trainer (培训师) and agent (客服代表); the sketch had
-- admin/supervisor/qa/agent. Expand (a new table with the new CHECK), copy (supervisor and qa become monitor),
-- contract (drop the old table, the new one takes its name) — the same swap on every engine.
-- Each GO batch creates one table or index; the statements it depends on come first in the same batch.
CREATE TABLE user_roles_v2 (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    NVARCHAR(100) NOT NULL CHECK (role IN ('admin', 'monitor', 'trainer', 'agent')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_v2 (user_id, role)
SELECT DISTINCT user_id, CASE role WHEN 'supervisor' THEN 'monitor' WHEN 'qa' THEN 'monitor' ELSE role END FROM user_roles;
DROP TABLE user_roles;
EXEC sp_rename 'user_roles_v2', 'user_roles';
GO
ALTER TABLE users ADD active BIT NOT NULL DEFAULT 1;
-- Which teams a monitor works for ("monitors see their teams").
CREATE TABLE monitor_teams (
    user_id BIGINT NOT NULL REFERENCES users (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    PRIMARY KEY (user_id, team_id)
);
GO
-- A draft review is the claim on a call: at most one per call, so two monitors never review it at once.
CREATE UNIQUE INDEX ux_reviews_one_draft ON reviews (call_id) WHERE status = 'draft';
GO
ALTER TABLE reviews ADD acknowledged_at DATETIME2(3) NULL;
CREATE INDEX ix_reviews_submitted ON reviews (status, submitted_at);
GO
-- The sketch's disputes hung off a review only; an agent may also dispute an automatic verdict nobody
-- reviewed yet, and a dispute is always about one item. The sketch table held no data: replace it.
DROP TABLE disputes;
CREATE TABLE disputes (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    review_id    BIGINT NULL REFERENCES reviews (id),
    raised_by    BIGINT NOT NULL REFERENCES users (id),
    item_id      NVARCHAR(100)    NOT NULL,
    reason       NVARCHAR(MAX)    NOT NULL,
    status       NVARCHAR(400)    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by  BIGINT NULL REFERENCES users (id),
    resolution   NVARCHAR(MAX)    NULL,
    created_at   DATETIME2(3)    NOT NULL,
    resolved_at  DATETIME2(3)    NULL
);
GO
CREATE INDEX ix_disputes_status ON disputes (status, created_at);
GO
CREATE INDEX ix_disputes_call ON disputes (call_id);
GO
-- Coaching clips: a playlist holds many clips (start/end) of the same call, so the sketch's
-- (playlist_id, call_id) key cannot stay. The sketch table held no data: replace it.
DROP TABLE playlist_items;
ALTER TABLE playlists ADD for_agent_id NVARCHAR(400) NULL;
ALTER TABLE playlists ADD for_team NVARCHAR(400) NULL;
CREATE TABLE playlist_items (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    playlist_id BIGINT NOT NULL REFERENCES playlists (id),
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    start_s     FLOAT    NOT NULL,
    end_s       FLOAT    NOT NULL,
    example     NVARCHAR(400)    NOT NULL CHECK (example IN ('good', 'bad')),
    note        NVARCHAR(MAX)    NULL,
    added_by    BIGINT NOT NULL REFERENCES users (id),
    added_at    DATETIME2(3)    NOT NULL
);
GO
CREATE INDEX ix_playlist_items_playlist ON playlist_items (playlist_id);
GO
-- Calibration meetings score several calls each; the sketch had one call per session and ratings
-- without a call. Neither held data: replace them (calibration_ratings keeps its name, now per call).
DROP TABLE calibration_ratings;
DROP TABLE calibration_sessions;
CREATE TABLE calibration_sessions (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    name        NVARCHAR(400)    NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    status      NVARCHAR(400)    NOT NULL CHECK (status IN ('scoring', 'revealed', 'closed')),
    decisions   NVARCHAR(MAX)    NULL,                          -- what the meeting decided (e.g. a rubric change)
    created_at  DATETIME2(3)    NOT NULL,
    revealed_at DATETIME2(3)    NULL
);
GO
CREATE TABLE calibration_calls (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    PRIMARY KEY (session_id, call_id)
);
GO
CREATE TABLE calibration_participants (
    session_id   BIGINT NOT NULL REFERENCES calibration_sessions (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    submitted_at DATETIME2(3)    NULL,
    PRIMARY KEY (session_id, user_id)
);
GO
CREATE INDEX ix_calibration_participants_user ON calibration_participants (user_id, submitted_at);
GO
CREATE TABLE calibration_ratings (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    rater_id   BIGINT NOT NULL REFERENCES users (id),
    item_id    NVARCHAR(100)    NOT NULL,
    verdict    NVARCHAR(400)    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    PRIMARY KEY (session_id, call_id, rater_id, item_id)
);
GO
CREATE TABLE calibration_agreed (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    item_id    NVARCHAR(100)    NOT NULL,
    verdict    NVARCHAR(400)    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at DATETIME2(3)    NOT NULL,
    PRIMARY KEY (session_id, call_id, item_id)
);
GO
-- Settings an admin changes at run time (sampling rate, dispute window, retention, active rubric).
CREATE TABLE web_settings (
    [key]      NVARCHAR(100) PRIMARY KEY,
    value      NVARCHAR(MAX) NOT NULL,
    updated_by NVARCHAR(400) NOT NULL,
    updated_at DATETIME2(3) NOT NULL
);
GO
-- One row per item of every scorecard, projected from scorecards.json by the web app, so the library
-- search and the dashboards filter by item and verdict with an index instead of parsing JSON.
CREATE TABLE scorecard_items (
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    item_id      NVARCHAR(100)    NOT NULL,
    verdict      NVARCHAR(400)    NOT NULL,
    deduction    FLOAT    NOT NULL,
    PRIMARY KEY (scorecard_id, item_id)
);
GO
CREATE INDEX ix_scorecard_items_item ON scorecard_items (item_id, verdict);
GO
-- The review queue reads open flags per call and filters by team and time.
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
GO
-- The queue walks each flag reason's unclosed flags in flag-time order (see ReviewQueue). reason is NVARCHAR(MAX)
-- here, so it cannot be a key column: it is included.
CREATE INDEX ix_review_flags_queue ON review_flags (created_at) INCLUDE (reason, call_id, scorecard_id) WHERE status <> 'closed';
GO
CREATE INDEX ix_calls_team_started ON calls (team, started_at);
GO
