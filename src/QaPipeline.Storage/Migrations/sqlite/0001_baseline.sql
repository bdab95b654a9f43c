-- The schema as it stands at the first release, squashed from the development scripts (nothing was deployed
-- before it). Changes after it are numbered scripts 0002, 0003, ... for every engine; this file is never edited.
--
-- Calls, their pipeline stages, and what each stage produced. The product tables are the source of truth: the job
-- queue (Hangfire.InMemory here) is rebuilt from them on every start.
CREATE TABLE calls (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash         TEXT    NOT NULL UNIQUE,          -- SHA-256 of the original bytes, lower-case hex
    store_path           TEXT    NOT NULL,                 -- relative to the recording store root
    original_name        TEXT    NOT NULL,
    size_bytes           INTEGER NOT NULL,
    external_call_id     TEXT    NULL,                     -- the telephony platform's call id
    agent_id             TEXT    NULL,
    team                 TEXT    NULL,
    queue                TEXT    NULL,
    direction            TEXT    NULL CHECK (direction IN ('inbound', 'outbound')),
    started_at           TEXT    NULL,
    customer_number      TEXT    NULL,
    status               TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'scored', 'failed')),
    failure_reason       TEXT    NULL,
    queued_at            TEXT NULL,                 -- when a worker queue took the call; NULL = waiting to be enqueued
    ingested_at          TEXT    NOT NULL,
    -- Recording retention (the admin's "keep recordings N days"): the audio file is deleted from the store, the
    -- call, transcript, scorecards and reviews stay. NULL = the recording is still in the store.
    recording_deleted_at TEXT NULL
);
CREATE INDEX ix_calls_status ON calls (status, queued_at);
CREATE INDEX ix_calls_agent_started ON calls (agent_id, started_at);
CREATE INDEX ix_calls_external ON calls (external_call_id);
CREATE INDEX ix_calls_team_started ON calls (team, started_at);

CREATE TABLE call_stages (
    call_id     INTEGER NOT NULL REFERENCES calls (id),
    stage       TEXT    NOT NULL CHECK (stage IN ('ingest', 'analyse', 'transcribe', 'score', 'flag')),
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'skipped', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NULL,
    started_at  TEXT    NULL,
    finished_at TEXT    NULL,
    duration_ms INTEGER NULL,
    PRIMARY KEY (call_id, stage)
);

CREATE TABLE transcripts (
    call_id        INTEGER PRIMARY KEY REFERENCES calls (id),
    source         TEXT    NOT NULL CHECK (source IN ('whisper', 'imported')),
    language       TEXT    NULL,
    min_confidence REAL    NULL,
    json           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);

CREATE TABLE acoustic_facts (
    call_id    INTEGER PRIMARY KEY REFERENCES calls (id),
    duration_s REAL    NOT NULL,
    json       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- Every scoring is kept: a rescore adds a row and moves is_current; the old rows stay on record.
CREATE TABLE scorecards (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id        INTEGER NOT NULL REFERENCES calls (id),
    rubric_id      TEXT    NOT NULL,
    rubric_version TEXT    NOT NULL,
    rubric_hash    TEXT    NOT NULL,                   -- SHA-256 of the rubric file: same rubric, same scorecard
    score          REAL    NOT NULL,
    max_score      REAL    NOT NULL,
    fatal          INTEGER NOT NULL,
    is_current     INTEGER NOT NULL,
    json           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    UNIQUE (call_id, rubric_hash)
);
CREATE INDEX ix_scorecards_current ON scorecards (call_id, is_current);

-- Why a call goes to a person: model_disagreement is the review-priority model predicting an overturn (QaPipeline.Learning).
CREATE TABLE review_flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    reason       TEXT    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement')),
    detail       TEXT    NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   TEXT    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
-- The review queue reads open flags per call and filters by team and time.
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
-- The queue walks each flag reason's unclosed flags in flag-time order (see ReviewQueueRepository).
CREATE INDEX ix_review_flags_queue ON review_flags (reason, created_at) WHERE status <> 'closed';

-- People: teams, users, roles (管理员 admin, 质检员 monitor, 培训师 trainer, 客服代表 agent), the teams a monitor works for.
CREATE TABLE teams (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NULL,
    agent_id      TEXT NULL UNIQUE,                    -- links an agent's account to calls.agent_id
    team_id       INTEGER NULL REFERENCES teams (id),
    created_at    TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT   NOT NULL CHECK (role IN ('admin', 'monitor', 'trainer', 'agent')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE monitor_teams (
    user_id INTEGER NOT NULL REFERENCES users (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    PRIMARY KEY (user_id, team_id)
);

-- Human reviews with per-item verdicts.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id         INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id    INTEGER NOT NULL REFERENCES scorecards (id),
    reviewer_id     INTEGER NOT NULL REFERENCES users (id),
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'submitted')),
    final_score     REAL    NULL,
    started_at      TEXT    NOT NULL,
    submitted_at    TEXT    NULL,
    acknowledged_at TEXT NULL
);
CREATE INDEX ix_reviews_call ON reviews (call_id);
-- A draft review is the claim on a call: at most one per call, so two monitors never review it at once.
CREATE UNIQUE INDEX ux_reviews_one_draft ON reviews (call_id) WHERE status = 'draft';
CREATE INDEX ix_reviews_submitted ON reviews (status, submitted_at);

CREATE TABLE review_item_verdicts (
    review_id       INTEGER NOT NULL REFERENCES reviews (id),
    item_id         TEXT    NOT NULL,
    machine_verdict TEXT    NOT NULL CHECK (machine_verdict IN ('pass', 'fail', 'na', 'review')),
    human_verdict   TEXT    NOT NULL CHECK (human_verdict IN ('pass', 'fail', 'na')),
    deduction       REAL    NOT NULL,
    note            TEXT    NULL,
    PRIMARY KEY (review_id, item_id)
);

-- An agent disputes one item, of a reviewed call or of an automatic verdict nobody reviewed yet.
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

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    at_seconds REAL    NULL,                           -- position in the recording the comment is about
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX ix_comments_call ON comments (call_id);

-- Coaching playlists for an agent or a team; a playlist holds clips (start/end) of calls.
CREATE TABLE playlists (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    for_agent_id TEXT NULL,
    for_team     TEXT NULL
);

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

-- Calibration meetings: several calls each, every participant scores every item blind, the lead records the agreed verdicts.
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

-- One row per item of every scorecard, projected from scorecards.json, so the library search, the queue's item filter
-- and the dashboards filter by item and verdict with an index instead of parsing JSON.
CREATE TABLE scorecard_items (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    item_id      TEXT    NOT NULL,
    verdict      TEXT    NOT NULL,
    deduction    REAL    NOT NULL,
    PRIMARY KEY (scorecard_id, item_id)
);
CREATE INDEX ix_scorecard_items_item ON scorecard_items (item_id, verdict);

-- Append-only record of who did what: a login, or 'pipeline' for the workers.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id TEXT    NULL,
    detail    TEXT    NULL
);
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
